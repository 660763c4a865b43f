//! What community refuses, as facts of its own domain: the services say
//! *what* was wrong and never name a request field. The table below is the
//! API edge's one mapping from each refusal to the problem a client sees
//! (status, field, code, message).
use crate::error::{AppError, ErrorCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A post's title is empty (after trimming).
    EmptyTitle,
    /// A post's or comment's body is empty.
    EmptyBody,
    /// The post names a circle that does not exist.
    UnknownCircle,
    /// The n-th image is not an image the author uploaded.
    NotYourImage(usize),
    /// The same image twice in one post.
    DuplicateImage,
    /// The log is not a diagnostic log the author uploaded.
    NotYourLog,
    /// A reply to a reply.
    ReplyTooDeep,
    /// The comment replied to is not on this post.
    UnknownParent,
    /// A circle without a name.
    EmptyCircleName,
    /// Another circle has this name.
    CircleNameTaken,
    /// The icon is not an uploaded image.
    UnknownIcon,
    /// A report about nothing that can be reported.
    UnknownReportTarget,
    /// A report without a reason.
    EmptyReason,
    /// A moderation action comments do not take (pin, lock).
    NotForComments,
    /// Users are not moderated through content moderation.
    NotForUsers,
    /// Following oneself.
    FollowSelf,
    /// A cursor this feed did not hand out.
    BadCursor,
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        let invalid =
            |field: &str, code: &str, message: &str| AppError::invalid(field, code, message);
        // A reference to nothing the caller may use: 404, naming the field
        // (never saying whether it exists for someone else).
        let unknown = |field: &str, code: &str, message: &str| {
            AppError::field(ErrorCode::NotFound, field, code, message)
        };
        match refusal {
            EmptyTitle => invalid("title", "required", "must not be empty"),
            EmptyBody => invalid("body", "required", "must not be empty"),
            UnknownCircle => unknown("circle_id", "unknown_circle", "is not a circle"),
            NotYourImage(i) => unknown(
                &format!("image_upload_ids[{i}]"),
                "unknown_upload",
                "is not an image you uploaded",
            ),
            DuplicateImage => invalid("image_upload_ids", "duplicate", "lists an image twice"),
            NotYourLog => unknown(
                "log_upload_id",
                "unknown_upload",
                "is not a diagnostic log you uploaded",
            ),
            ReplyTooDeep => AppError::field(
                ErrorCode::Conflict,
                "parent_id",
                "too_deep",
                "replies take no replies; reply to the top comment",
            ),
            UnknownParent => unknown(
                "parent_id",
                "unknown_comment",
                "is not a comment on this post",
            ),
            EmptyCircleName => invalid("name", "required", "must not be empty"),
            CircleNameTaken => AppError::field(
                ErrorCode::Conflict,
                "name",
                "taken",
                "another circle has this name",
            ),
            UnknownIcon => unknown(
                "icon_upload_id",
                "unknown_upload",
                "is not an uploaded image",
            ),
            UnknownReportTarget => unknown(
                "target_id",
                "unknown_target",
                "names nothing that can be reported",
            ),
            EmptyReason => invalid("reason", "required", "must not be empty"),
            NotForComments => invalid(
                "action",
                "not_allowed",
                "comments can only be hidden or restored",
            ),
            NotForUsers => invalid(
                "target_type",
                "not_allowed",
                "users are moderated elsewhere",
            ),
            FollowSelf => invalid("id", "self", "you cannot follow yourself"),
            BadCursor => invalid("cursor", "invalid", "is not a cursor from this feed"),
        }
    }
}
