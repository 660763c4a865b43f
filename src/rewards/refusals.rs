//! What the rewards area refuses, as facts of its own domain: the
//! services say *what* was wrong and never name a request field. The table
//! below is the API edge's one mapping from each refusal to the problem a
//! client sees.
use crate::error::{AppError, ErrorCode};

#[derive(Clone, Debug)]
pub enum Refusal {
    /// The task ends before it starts.
    EndsBeforeStart,
    /// A correction of nothing.
    ZeroAmount,
    /// The user has no account.
    UnknownUser,
    /// The balance would go below zero.
    InsufficientCoins,
    /// Credited already (today, for a daily task).
    AlreadyDone,
    /// Not a task one checks in to.
    NotACheckIn,
    /// The task has not started or has ended.
    NotActive,
    /// No stock left.
    OutOfStock,
    /// Taking away more units than are left.
    StockBelowZero,
    /// A partner task names no partner.
    PartnerRequired,
    /// A check-in more than once a day.
    CheckInOnceADay,
    /// A partner named for a task that is not a partner's.
    PartnerOnlyForPartnerTasks,
    /// No such partner.
    UnknownPartner,
    /// A partner's callback that is not signed right (or too old).
    BadSignature,
    /// A ticket that is not one agora issued, is for another partner's
    /// task, or has expired.
    BadTicket,
    /// The same ticket handed in again.
    TicketUsed,
    /// The prize cannot be redeemed now (not started, or ended).
    PrizeNotOnOffer,
    /// The user holds as many claims of the prize as one may.
    LimitReached,
    /// A virtual prize: there is nothing to deliver.
    NothingToDeliver,
    /// The claim is not in a state that allows this.
    ClaimState(&'static str),
    /// Not a valid ID number.
    BadNationalId,
    /// Not a valid mobile number.
    BadPhone(crate::error::Invalid),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        match refusal {
            EndsBeforeStart => AppError::invalid(
                "ends_at",
                "out_of_order",
                "comes before what it must follow",
            ),
            ZeroAmount => AppError::invalid("amount", "zero", "must not be zero"),
            UnknownUser => AppError::field(
                ErrorCode::NotFound,
                "user_id",
                "unknown_user",
                "no such user",
            ),
            InsufficientCoins => AppError::new(
                ErrorCode::InsufficientCoins,
                "the balance would go below zero",
            ),
            AlreadyDone => AppError::new(
                ErrorCode::AlreadyDone,
                "credited already: a task as often as it allows (per day, ever), a correction once per client_id",
            ),
            NotACheckIn => AppError::new(ErrorCode::Conflict, "this task is not a check-in"),
            NotActive => AppError::new(ErrorCode::Conflict, "this task is not running now"),
            OutOfStock => AppError::new(ErrorCode::OutOfStock, "none of this prize is left"),
            CheckInOnceADay => {
                AppError::invalid("per_day", "check_in_once", "a check-in is once a day")
            }
            PartnerRequired => {
                AppError::invalid("partner_id", "required", "a partner task names its partner")
            }
            PartnerOnlyForPartnerTasks => AppError::invalid(
                "partner_id",
                "not_a_partner_task",
                "only a partner task names a partner",
            ),
            UnknownPartner => AppError::field(
                ErrorCode::NotFound,
                "partner_id",
                "unknown_partner",
                "no such partner",
            ),
            BadSignature => AppError::unauthorized(
                "the signature does not match (HMAC-SHA256 of `{X-Agora-Timestamp}.{body}` with the partner's secret), or the timestamp is more than five minutes off",
            ),
            BadTicket => AppError::invalid(
                "ticket",
                "invalid_ticket",
                "is not a ticket agora issued for this partner's task, or has expired",
            ),
            TicketUsed => AppError::new(
                ErrorCode::AlreadyDone,
                "this ticket was handed in before",
            ),
            StockBelowZero => AppError::field(
                ErrorCode::Conflict,
                "add_stock",
                "below_zero",
                "would take away more units than are left",
            ),
            PrizeNotOnOffer => AppError::new(ErrorCode::Conflict, "this prize is not on offer now"),
            LimitReached => AppError::new(
                ErrorCode::LimitReached,
                "you hold as many claims of this prize as one person may",
            ),
            NothingToDeliver => AppError::new(
                ErrorCode::Conflict,
                "a virtual prize is delivered at once and asks for no details",
            ),
            ClaimState(why) => AppError::new(ErrorCode::Conflict, why),
            BadNationalId => AppError::invalid(
                "national_id_number",
                "invalid_national_id",
                "is not a valid ID number",
            ),
            BadPhone(e) => AppError::field(e.kind, "contact_phone", e.code, e.message),
        }
    }
}
