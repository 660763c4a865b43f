//! What the events area refuses, as facts of its own domain: the services
//! say *what* was wrong and never name a request field. The table below is
//! the API edge's one mapping from each refusal to the problem a client
//! sees.
use super::views::EventItem;
use crate::error::{AppError, ErrorCode, FieldError, Invalid};

#[derive(Clone, Debug)]
pub enum Refusal {
    /// The cover is not an uploaded image.
    UnknownCover,
    /// Registration closes before it opens.
    ClosesBeforeOpening,
    /// The event ends before it starts.
    EndsBeforeStart,
    /// Registration closes after the event ended.
    ClosesAfterEnd,
    /// The n-th item is listed twice.
    DuplicateItem(usize),
    /// The n-th item gives no reason.
    NoReason(usize),
    /// The n-th item is a shipping address for an event that ships nothing.
    AddressNotNeeded(usize),
    /// People registered under the current list of items.
    ItemsFrozen,
    /// Fewer places than approvals already made.
    CapacityBelowApprovals,
    /// The registration gives items the event does not collect.
    Undeclared(Vec<EventItem>),
    /// The registration lacks items the event collects.
    Missing(Vec<EventItem>),
    /// Not a valid resident ID number.
    BadNationalId,
    /// Not a valid mobile number.
    BadPhone(Invalid),
    /// A rejection without a reason for the registrant.
    RejectWithoutReason,
}

fn named(items: &[EventItem], code: &str, message: &str) -> Vec<FieldError> {
    items
        .iter()
        .map(|i| FieldError {
            field: i.key().into(),
            code: code.into(),
            message: message.into(),
        })
        .collect()
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        let invalid =
            |field: String, code: &str, message: &str| AppError::invalid(field, code, message);
        let order = "comes before what it must follow";
        match refusal {
            UnknownCover => AppError::field(
                ErrorCode::NotFound,
                "cover_upload_id",
                "unknown_upload",
                "is not an uploaded image",
            ),
            ClosesBeforeOpening => invalid("registration_closes_at".into(), "out_of_order", order),
            EndsBeforeStart => invalid("ends_at".into(), "out_of_order", order),
            ClosesAfterEnd => invalid(
                "registration_closes_at".into(),
                "out_of_order",
                "must close by the end of the event",
            ),
            DuplicateItem(i) => invalid(format!("items[{i}]"), "duplicate", "is listed twice"),
            NoReason(i) => invalid(format!("items[{i}].reason"), "required", "must say why"),
            AddressNotNeeded(i) => invalid(
                format!("items[{i}]"),
                "not_needed",
                "an event that ships nothing cannot ask for an address",
            ),
            ItemsFrozen => AppError::field(
                ErrorCode::Conflict,
                "items",
                "registrations_exist",
                "people registered under the current list; it stays",
            ),
            CapacityBelowApprovals => AppError::field(
                ErrorCode::Conflict,
                "capacity",
                "below_approvals",
                "more registrations are approved than that",
            ),
            Undeclared(items) => {
                let mut err = AppError::new(
                    ErrorCode::UndeclaredItems,
                    "this event does not collect these items: send only what it lists",
                );
                err.errors = named(&items, "not_collected", "this event does not collect it");
                err
            }
            Missing(items) => {
                AppError::invalid_fields(named(&items, "required", "this event needs it"))
            }
            BadNationalId => invalid(
                "national_id_number".into(),
                "invalid_national_id",
                "is not a valid ID number",
            ),
            BadPhone(e) => AppError::field(e.kind, "contact_phone", e.code, e.message),
            RejectWithoutReason => {
                invalid("reason".into(), "required", "say why, for the registrant")
            }
        }
    }
}
