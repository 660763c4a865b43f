//! What messaging refuses, as facts of its own domain: the services say
//! *what* was wrong and never name a request field. The table below is the
//! API edge's one mapping from each refusal to the problem a client sees.
use crate::error::{AppError, ErrorCode};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A conversation with oneself.
    MessageSelf,
    /// The peer is no user.
    UnknownPeer,
    /// A text message without text.
    EmptyText,
    /// A text message over the limit (in characters).
    TextTooLong(usize),
    /// Text on an image, video or file message.
    TextNotAllowed,
    /// An image, video or file message without its upload; the kind.
    UploadMissing(&'static str),
    /// The upload is not the sender's.
    NotYourUpload,
    /// The upload is of another kind: (upload's, message's).
    WrongKind(String, &'static str),
    /// "Read up to" names no message of this conversation.
    UnknownMessage,
    /// A cursor this list did not hand out.
    BadCursor,
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        match refusal {
            MessageSelf => AppError::invalid("peer_id", "self", "you cannot message yourself"),
            UnknownPeer => AppError::field(
                ErrorCode::NotFound,
                "peer_id",
                "unknown_user",
                "no such user",
            ),
            EmptyText => AppError::invalid("text", "required", "must not be empty"),
            TextTooLong(max) => AppError::invalid(
                "text",
                "too_long",
                format!("must be at most {max} characters"),
            ),
            TextNotAllowed => {
                AppError::invalid("text", "not_allowed", "only text messages carry text")
            }
            UploadMissing(kind) => AppError::invalid(
                "upload_id",
                "required",
                format!("a {kind} message needs an upload"),
            ),
            NotYourUpload => AppError::field(
                ErrorCode::NotFound,
                "upload_id",
                "not_yours",
                "is not an attachment you uploaded (POST /uploads/attachments)",
            ),
            WrongKind(is, wanted) => AppError::invalid(
                "upload_id",
                "wrong_kind",
                format!("is a {is}, not a {wanted}"),
            ),
            UnknownMessage => AppError::field(
                ErrorCode::NotFound,
                "up_to",
                "unknown_message",
                "is not a message of this conversation",
            ),
            BadCursor => AppError::invalid("cursor", "invalid", "is not a cursor from this list"),
        }
    }
}
