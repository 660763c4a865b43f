//! What the beta area refuses, as facts of its own domain: the services
//! say *what* was wrong and never name a request field. The table below is
//! the API edge's one mapping from each refusal to the problem a client
//! sees.
use crate::error::{AppError, ErrorCode, Invalid};

#[derive(Clone, Debug)]
pub enum Refusal {
    /// Applications close before they open.
    ClosesBeforeOpening,
    /// The program ends before applications close.
    EndsBeforeClosing,
    /// The n-th entry of a list of text is blank or too long (1 to 64
    /// characters for a device model, 500 for a question).
    BadText(&'static str, usize),
    /// The n-th device model is listed twice.
    DuplicateModel(usize),
    /// The n-th watched app is listed twice.
    DuplicateApp(usize),
    /// Apps are watched, but the program gives no reason to ask for the list.
    WatchWithoutReason,
    /// A reason to ask for the list, but no app to look for in it.
    ReasonWithoutWatch,
    /// People answered the current questions.
    QuestionsFrozen,
    /// Fewer places than approvals already made.
    CapacityBelowApprovals,
    /// The application is outside the program's window.
    NotOpen,
    /// The answers are not one per question.
    AnswersMismatch { expected: usize },
    /// An installed-apps list for a program that does not ask for one.
    AppsNotAsked,
    /// Not a valid mobile number.
    BadPhone(Invalid),
    /// An open application of this account exists.
    AlreadyApplied,
    /// A rejection without a reason for the applicant.
    RejectWithoutReason,
    /// Withdrawn or erased: nothing to reveal.
    Closed,
    /// Rejected, withdrawn, or already where the decision would put it.
    Settled,
    /// The screening turned it down: no one admits it.
    ScreenedOut,
    /// The program has ended.
    Ended,
    /// Staff turned this account down for the program.
    TurnedDown,
    /// The program checks installed apps, and the list is missing.
    AppsMissing,
    /// Every place is taken.
    Full,
    /// The upload named is no package (or another build took it).
    NoPackage,
    /// Only approved testers get the build.
    NotATester,
    /// The program has no build yet.
    NoBuild,
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        let invalid =
            |field: String, code: &str, message: &str| AppError::invalid(field, code, message);
        let conflict = |field: &str, code: &str, message: &str| {
            AppError::field(ErrorCode::Conflict, field, code, message)
        };
        let order = "comes before what it must follow";
        match refusal {
            ClosesBeforeOpening => invalid("closes_at".into(), "out_of_order", order),
            EndsBeforeClosing => invalid("ends_at".into(), "out_of_order", order),
            BadText(list, i) => invalid(
                format!("{list}[{i}]"),
                "invalid_length",
                "must be 1 to 64 characters for a device model, 500 for a question, not blank",
            ),
            DuplicateModel(i) => invalid(
                format!("device_models[{i}]"),
                "duplicate",
                "is listed twice",
            ),
            DuplicateApp(i) => {
                invalid(format!("watched_apps[{i}]"), "duplicate", "is listed twice")
            }
            WatchWithoutReason => invalid(
                "installed_apps_reason".into(),
                "required",
                "say why applicants are asked for their installed apps",
            ),
            ReasonWithoutWatch => invalid(
                "watched_apps".into(),
                "required",
                "name the apps the list is checked for, or do not ask for it",
            ),
            QuestionsFrozen => conflict(
                "questions",
                "applications_exist",
                "people answered the current questions; they stay",
            ),
            CapacityBelowApprovals => conflict(
                "capacity",
                "below_approvals",
                "more testers are approved than that",
            ),
            NotOpen => AppError::new(ErrorCode::RegistrationClosed, "applications are not open"),
            AnswersMismatch { expected } => invalid(
                "answers".into(),
                "count",
                &format!("answer each of the program's {expected} questions, in order"),
            ),
            AppsNotAsked => {
                let mut err = AppError::new(
                    ErrorCode::UndeclaredItems,
                    "this program does not ask for installed apps: leave them out",
                );
                err.errors = vec![crate::error::FieldError {
                    field: "installed_apps".into(),
                    code: "not_collected".into(),
                    message: "this program does not collect it".into(),
                }];
                err
            }
            BadPhone(e) => AppError::field(e.kind, "contact_phone", e.code, e.message),
            AlreadyApplied => AppError::new(
                ErrorCode::Conflict,
                "you already have an open application to this program",
            ),
            RejectWithoutReason => {
                invalid("reason".into(), "required", "say why, for the applicant")
            }
            Closed => AppError::new(
                ErrorCode::Conflict,
                "nothing to reveal: what was given is erased",
            ),
            Settled => AppError::new(
                ErrorCode::Conflict,
                "this application is settled (rejected or withdrawn) or already so",
            ),
            ScreenedOut => AppError::new(
                ErrorCode::Conflict,
                "the screening turned this application down: it can only be rejected",
            ),
            Ended => AppError::new(ErrorCode::Conflict, "this program has ended"),
            TurnedDown => AppError::new(
                ErrorCode::Conflict,
                "staff turned down your application to this program",
            ),
            AppsMissing => invalid(
                "installed_apps".into(),
                "required",
                "this program checks installed apps (see installed_apps_reason): send the list",
            ),
            Full => AppError::new(
                ErrorCode::CapacityReached,
                "every place is taken: waitlist instead",
            ),
            NoPackage => invalid(
                "upload_id".into(),
                "not_a_package",
                "is no package upload (POST /uploads/packages), or a build took it already",
            ),
            NotATester => {
                AppError::new(ErrorCode::Forbidden, "only approved testers get the build")
            }
            NoBuild => AppError::not_found("beta build"),
        }
    }
}
