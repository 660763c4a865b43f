//! Strings with a rule of their own, for lists whose every item holds to
//! it: the spec states the rule on each item (`minLength`, `maxLength`,
//! `pattern`), where the request check reads it, and parsing holds to the
//! lengths as well.
use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde_json::Value;

macro_rules! bounded_text {
    ($($(#[$doc:meta])* $name:ident: $schema_name:literal, $min:literal..=$max:literal, $pattern:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }

            /// A value written in agora's own source (the spec's examples).
            pub fn from_static(text: &'static str) -> Self {
                Self(text.to_owned())
            }
        }

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $schema_name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    min_length: Some($min),
                    max_length: Some($max),
                    pattern: Some($pattern.into()),
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

        impl $name {
            /// The lengths and the pattern, checked here rather than by
            /// poem-openapi's `pattern` validator, which compiles its regex
            /// on every request.
            fn checked(s: String) -> ParseResult<Self> {
                let n = s.chars().count();
                if !($min..=$max).contains(&n) || !super::validate::matches($pattern, &s) {
                    return Err(ParseError::custom(format!(
                        "must be {} to {} characters, not blank",
                        $min, $max
                    )));
                }
                Ok(Self(s))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => Self::checked(s),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Self::checked(value.to_owned())
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }
    )*};
}

bounded_text! {
    /// What to search for.
    SearchText: "string_search", 1..=200, r"\S";
    /// A post's title.
    PostTitle: "string_post_title", 1..=200, r"\S";
    /// A post's text (Markdown).
    PostText: "string_post_text", 1..=50000, r"\S";
    /// A comment's text.
    CommentText: "string_comment", 1..=10000, r"\S";
    /// A device model as users and programs name it (`Xiaomi 15 Pro`).
    DeviceModelName: "string_device_model", 1..=64, r"\S";
    /// A question put to applicants.
    QuestionText: "string_question", 1..=500, r"\S";
    /// An Android package name (`com.example.app`).
    PackageName: "string_package", 1..=255, r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$";
}
