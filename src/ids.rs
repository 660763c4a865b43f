//! Typed ids: a post id cannot be passed where a comment id is expected.
//! Each is a UUID, parsed once at the edge (a path parameter or a request
//! field, `format: uuid` in the spec, a 400 naming the field when it is
//! not one) and carried typed through the services; the database stores
//! the text. There is no implicit way back to text: every `as_str()` in the
//! code is a place where a typed id meets an untyped function.
use std::{borrow::Cow, fmt};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde_json::Value;

use crate::error::Invalid;

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new, time-ordered id (UUIDv7).
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// What a client sent: a UUID in its 36-character hyphenated
            /// form (the one the spec declares), or the error to name its
            /// field with.
            pub fn parse(input: &str) -> Result<Self, Invalid> {
                uuid::Uuid::try_parse(input)
                    .ok()
                    .filter(|_| input.len() == 36)
                    .map(|id| Self(id.hyphenated().to_string()))
                    .ok_or_else(|| Invalid::new("invalid_format", "must be a valid uuid"))
            }

            /// An id read back from agora's own database (never client input:
            /// that goes through `parse`).
            pub fn from_stored(id: String) -> Self {
                Self(id)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }

        impl From<&$name> for sea_orm::Value {
            fn from(id: &$name) -> Self {
                id.0.as_str().into()
            }
        }

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                "string_uuid".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    max_length: Some(36),
                    ..MetaSchema::new_with_format("string", "uuid")
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

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Self::parse(value).map_err(|e| ParseError::custom(e.message))
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => Self::parse(&s).map_err(|e| ParseError::custom(e.message)),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }

        /// The id the spec's examples show: a fixed UUIDv7, different for
        /// each kind of id so that an example never mixes two up.
        impl poem_openapi::types::Example for $name {
            fn example() -> Self {
                Self(example_uuid(stringify!($name)))
            }
        }
    )*};
}

/// A fixed, valid UUIDv7 derived from a name (FNV-1a): stable across
/// builds, so the committed spec does not change with each run.
pub fn example_uuid(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!(
        "0193b1c2-7a4e-7{:03x}-{:04x}-{:012x}",
        hash & 0xfff,
        0x8000 | ((hash >> 12) & 0x3fff),
        (hash >> 16) & 0xffff_ffff_ffff
    )
}

typed_ids! {
    /// An account.
    UserId;
    /// A post.
    PostId;
    /// A comment.
    CommentId;
    /// A circle.
    CircleId;
    /// A conversation.
    ConversationId;
    /// A private message.
    MessageId;
    /// An upload (image, video, file, log).
    UploadId;
    /// A signed-in session (one device's login).
    SessionId;
    /// An entry of a user's search history.
    SearchEntryId;
    /// A notification.
    NotificationId;
    /// What a report is about: a post, a comment or a user.
    ReportTargetId;
    /// An official event.
    EventId;
    /// A registration for an event.
    RegistrationId;
    /// A help group.
    HelpGroupId;
    /// An application to join a help group.
    ApplicationId;
    /// A task that earns coins.
    TaskId;
    /// A partner whose app or game a task asks users to try.
    PartnerId;
    /// A prize coins redeem.
    PrizeId;
    /// A redeemed prize: its claim, and its delivery.
    ClaimId;
    /// What a guardian consents to: an event, or a prize claim.
    GuardianSubjectId;
    /// A beta program.
    BetaProgramId;
    /// An application to a beta program.
    BetaApplicationId;
    /// A build a beta program delivers.
    BetaBuildId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuids_are_ids_and_they_come_out_in_one_form() {
        let id = PostId::parse("0190A000-0000-7000-8000-000000000001");
        assert_eq!(
            id.map(|i| i.into_inner()).ok().as_deref(),
            Some("0190a000-0000-7000-8000-000000000001")
        );
        // Only the hyphenated form the spec declares (`maxLength: 36`):
        // the other spellings `Uuid::parse_str` takes are refused.
        for bad in [
            "",
            "42",
            "not-an-id",
            "0190a000-0000-7000-8000",
            " 0190a000-0000-7000-8000-000000000001 ",
            "0190a000000070008000000000000001",
            "{0190a000-0000-7000-8000-000000000001}",
            "urn:uuid:0190a000-0000-7000-8000-000000000001",
        ] {
            assert!(PostId::parse(bad).is_err(), "{bad}");
        }
    }
}
