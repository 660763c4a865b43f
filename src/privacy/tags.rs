//! Field tags. Every request field, query parameter and header carries one,
//! written as the last line of its doc comment, right where it is declared:
//!
//! ```text
//! /// The phone number, E.164 or a bare 11-digit mainland number.
//! /// privacy: phone_number for account, required
//! pub phone: String,
//! ```
//!
//! or `privacy: not personal`. The line is taken out of the description in
//! the published spec and becomes its `x-privacy` extension; the consent
//! middleware enforces it and the notice lists it. Nothing is declared twice.
use serde_json::{json, Value};

use super::catalog::{self, DataItem, Purpose};

pub const PREFIX: &str = "privacy:";

/// How an input needs its item (`Collection.necessity` in the catalog).
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "FieldNeed", rename_all = "lowercase")]
pub enum Need {
    /// The call is refused without it.
    Required,
    /// The user may leave it out (选填).
    Optional,
}

#[derive(Clone, Copy, Debug)]
pub enum Tag {
    NotPersonal,
    Personal {
        item: &'static DataItem,
        purpose: &'static Purpose,
        need: Need,
    },
}

impl Tag {
    /// Parses what follows `privacy:`.
    pub fn parse(text: &str) -> Result<Tag, String> {
        let text = text.trim();
        if text == "not personal" {
            return Ok(Tag::NotPersonal);
        }
        let (what, need) = text.rsplit_once(',').ok_or_else(|| {
            format!("`{text}`: expected `<item> for <purpose>, required|optional`")
        })?;
        let need = match need.trim() {
            "required" => Need::Required,
            "optional" => Need::Optional,
            other => {
                return Err(format!(
                    "`{text}`: `{other}` is neither required nor optional"
                ))
            }
        };
        let (item_key, purpose_key) = what
            .split_once(" for ")
            .ok_or_else(|| format!("`{text}`: expected `<item> for <purpose>`"))?;
        let item = catalog::item(item_key.trim())
            .ok_or_else(|| format!("`{text}`: unknown data item `{}`", item_key.trim()))?;
        let purpose = catalog::purpose(purpose_key.trim())
            .ok_or_else(|| format!("`{text}`: unknown purpose `{}`", purpose_key.trim()))?;
        if !purpose.items.contains(&item.key) {
            return Err(format!(
                "`{text}`: the catalog does not list {} under {}",
                item.key, purpose.key
            ));
        }
        Ok(Tag::Personal {
            item,
            purpose,
            need,
        })
    }

    /// The `x-privacy` extension for the spec.
    pub fn extension(&self) -> Value {
        match self {
            Tag::NotPersonal => json!({ "personal": false }),
            Tag::Personal {
                item,
                purpose,
                need,
            } => json!({
                "personal": true,
                "item": item.key,
                "category": item.category,
                "sensitivity": item.sensitivity,
                "necessity": match need { Need::Required => "required", Need::Optional => "optional" },
                "purpose": purpose.key,
                "purpose_necessity": purpose.necessity,
                "retention": purpose.retention.rule(),
            }),
        }
    }
}

/// Splits a description into its tag (if any) and the rest.
pub fn split(description: &str) -> (Option<Result<Tag, String>>, String) {
    let mut tag = None;
    let mut rest = Vec::new();
    for line in description.lines() {
        match line.trim().strip_prefix(PREFIX) {
            Some(text) if tag.is_none() => tag = Some(Tag::parse(text)),
            Some(_) => tag = Some(Err("more than one privacy tag".into())),
            None => rest.push(line),
        }
    }
    (tag, rest.join("\n").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_against_the_catalog() {
        assert!(matches!(Tag::parse("not personal"), Ok(Tag::NotPersonal)));
        match Tag::parse("phone_number for account, required") {
            Ok(Tag::Personal {
                item,
                purpose,
                need,
            }) => {
                assert_eq!(
                    (item.key, purpose.key, need),
                    ("phone_number", "account", Need::Required)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(Tag::parse("phone_number for nothing, required").is_err());
        assert!(Tag::parse("shoe_size for account, required").is_err());
        assert!(
            Tag::parse("city for account, required").is_err(),
            "city is not an account item"
        );
        assert!(Tag::parse("phone_number for account, maybe").is_err());
    }

    #[test]
    fn the_tag_line_leaves_the_description() {
        let (tag, rest) = split("The phone.\nprivacy: phone_number for account, required");
        assert!(matches!(tag, Some(Ok(_))));
        assert_eq!(rest, "The phone.");
    }
}
