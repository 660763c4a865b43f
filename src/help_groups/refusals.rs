//! What the help-groups area refuses, as facts of its own domain: the
//! services say *what* was wrong and never name a request field. The table
//! below is the API edge's one mapping from each refusal to the problem a
//! client sees.
use crate::error::{AppError, ErrorCode, Invalid};

#[derive(Clone, Debug)]
pub enum Refusal {
    /// The n-th manager named has no account.
    UnknownManager(usize),
    /// Not a valid mobile number.
    BadPhone(Invalid),
    /// Nobody manages the group yet: nobody could decide.
    NoManagers,
    /// An open application or a membership exists already.
    AlreadyApplied,
    /// A rejection or a removal without a reason for the applicant.
    NoReason,
    /// The decision does not apply to an application in this state.
    WrongState(&'static str),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        match refusal {
            UnknownManager(i) => AppError::field(
                ErrorCode::NotFound,
                format!("manager_ids[{i}]"),
                "unknown_user",
                "no such user",
            ),
            BadPhone(e) => AppError::field(e.kind, "contact_phone", e.code, e.message),
            NoManagers => AppError::new(
                ErrorCode::Conflict,
                "this group has no managers yet: nobody could decide on an application",
            ),
            AlreadyApplied => AppError::new(
                ErrorCode::Conflict,
                "you have an open application to this group, or are a member",
            ),
            NoReason => AppError::invalid("reason", "required", "say why, for the applicant"),
            WrongState(message) => {
                AppError::field(ErrorCode::Conflict, "decision", "wrong_state", message)
            }
        }
    }
}
