//! The reason staff give when they act on someone's content or data: one
//! rule for every staff action's `reason`, and the body of the actions
//! that take nothing else (a shipping list, a cancellation).
use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
    Object,
};
use serde_json::Value;

use crate::error::Invalid;

/// The most characters a reason holds.
pub const MAX_CHARS: usize = 500;

/// Why staff acted: 1 to 500 characters, not blank. The spec states the
/// rule on every field of this type (`minLength`, `maxLength`, `pattern`),
/// where the request check reads it; parsing holds to it as well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        if input.trim().is_empty() {
            return Err(Invalid::new("required", "must not be blank"));
        }
        if input.chars().count() > MAX_CHARS {
            return Err(Invalid::new(
                "too_long",
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// A reason written in agora's own source (the spec's examples).
    pub fn from_static(text: &'static str) -> Self {
        Self(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl Type for Reason {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_reason".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(1),
            max_length: Some(MAX_CHARS),
            pattern: Some(r"\S".into()),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Reason {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Self::parse(&s).map_err(|e| ParseError::custom(e.message)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Reason {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// Why, for a staff action that takes nothing else: a shipping list (the
/// reason goes to each listed person's processing log) or a claim's
/// cancellation (the winner reads it with the refund in their ledger).
#[derive(Debug, Object)]
#[oai(example)]
pub struct StaffReason {
    /// Why: written to the audit log and to the processing log of each
    /// person it concerns; a cancelled claim's winner reads it too.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for StaffReason {
    fn example() -> Self {
        Self {
            reason: Reason::from_static("Handing this week's parcels to the courier."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_says_something_and_not_too_much() {
        assert!(Reason::parse("The courier needs the address.").is_ok());
        assert_eq!(Reason::parse(" \n\t").map_err(|e| e.code), Err("required"));
        assert_eq!(Reason::parse("").map_err(|e| e.code), Err("required"));
        let long = "理".repeat(MAX_CHARS + 1);
        assert_eq!(Reason::parse(&long).map_err(|e| e.code), Err("too_long"));
        assert!(Reason::parse(&"理".repeat(MAX_CHARS)).is_ok());
    }
}
