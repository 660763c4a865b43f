//! What the rewards API shows and takes.
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

/// How a task is completed (within its `per_day` and `per_user_ever`,
/// days in Beijing time): `check_in`, the check-in the user makes
/// (`POST /rewards/tasks/{id}/check-in`, once a day); `post` and
/// `comment`, credited by the server when a post or comment is made;
/// `partner`, once ever, by a partner's signed callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TaskKind {
    CheckIn,
    Post,
    Comment,
    /// Trying a partner's app or game, once ever: the partner tells agora
    /// by a signed callback carrying the ticket the user handed it.
    Partner,
}

crate::convert::mirror!(
    TaskKind,
    entity::enums::TaskKind,
    [CheckIn, Post, Comment, Partner]
);

/// What a ledger entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LedgerKind {
    /// Coins earned.
    Credit,
    /// Coins spent.
    Debit,
    /// An admin's correction, with its reason.
    Reversal,
    /// Coins given back for a cancelled prize claim.
    Refund,
}

crate::convert::mirror!(
    LedgerKind,
    entity::enums::LedgerKind,
    [Credit, Debit, Reversal, Refund]
);

/// A task, as a user sees it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct TaskView {
    pub id: String,
    pub kind: TaskKind,
    /// A `partner` task's partner: get a ticket
    /// (`POST /rewards/tasks/{id}/tickets`) and hand it to their app.
    pub partner_id: Option<String>,
    /// Credits per user per day.
    pub per_day: i32,
    /// Credits per user ever; absent: no limit but the daily one.
    pub per_user_ever: Option<i32>,
    pub title: String,
    pub description: String,
    /// Coins it earns each time.
    pub coins: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it credits me no more today: done `per_day` times today (the
    /// community's day, Beijing time), or `per_user_ever` times in all;
    /// absent for admins' views.
    pub done_today: Option<bool>,
    /// How often I did it.
    pub completions: Option<u64>,
}

impl poem_openapi::types::Example for TaskView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("TaskId"),
            kind: TaskKind::CheckIn,
            partner_id: None,
            per_day: 1,
            per_user_ever: None,
            title: "Daily check-in".into(),
            description: "Check in once a day.".into(),
            coins: 5,
            starts_at: crate::api::examples::time(1, 0, 0),
            ends_at: None,
            done_today: Some(false),
            completions: Some(12),
        }
    }
}

/// One entry of my coin ledger.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct LedgerEntryView {
    pub id: String,
    pub kind: LedgerKind,
    /// Positive for coins in, negative for coins out.
    pub amount: i64,
    /// My balance once this entry was made.
    pub balance_after: i64,
    /// The task it credits.
    pub task_id: Option<String>,
    /// The prize claim it pays for, or refunds.
    pub claim_id: Option<String>,
    /// An admin's correction says why.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for LedgerEntryView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("LedgerEntryId"),
            kind: LedgerKind::Credit,
            amount: 5,
            balance_after: 125,
            task_id: Some(crate::api::examples::id("TaskId")),
            claim_id: None,
            reason: None,
            created_at: crate::api::examples::time(30, 8, 2),
        }
    }
}

impl LedgerEntryView {
    pub fn of(e: entity::coin_ledger::Model) -> Self {
        Self {
            id: e.id,
            kind: e.kind.into(),
            amount: e.amount,
            balance_after: e.balance_after,
            task_id: e.task_id,
            claim_id: e.claim_id,
            reason: e.reason,
            created_at: e.created_at,
        }
    }
}

/// How a prize reaches its winner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum PrizeKind {
    /// Shipped: the claim asks for delivery details.
    Physical,
    /// Delivered at once (a code, a badge): asks for nothing.
    Virtual,
}

crate::convert::mirror!(PrizeKind, entity::enums::PrizeKind, [Physical, Virtual]);

/// A prize coins redeem.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PrizeView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub kind: PrizeKind,
    /// Coins one unit costs.
    pub price: i64,
    /// Units left.
    pub stock: i64,
    /// Claims one person may hold (cancelled ones aside).
    pub per_user_limit: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl poem_openapi::types::Example for PrizeView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("PrizeId"),
            name: "Community T-shirt".into(),
            description: "Cotton, in the size you tell us.".into(),
            image_url: None,
            kind: PrizeKind::Physical,
            price: 500,
            stock: 42,
            per_user_limit: 1,
            starts_at: crate::api::examples::time(1, 0, 0),
            ends_at: None,
        }
    }
}

impl PrizeView {
    pub fn of(p: entity::reward_prizes::Model) -> Self {
        Self {
            id: p.id,
            name: p.name,
            description: p.description,
            image_url: p.image_url,
            kind: p.kind.into(),
            price: p.price,
            stock: p.stock,
            per_user_limit: p.per_user_limit,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
        }
    }
}

/// Where a claim stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// A physical prize waits for my delivery details.
    AwaitingDetails,
    /// Details given; waits to be shipped (they can still change).
    Submitted,
    Shipped,
    Delivered,
    /// Cancelled (by me, or by an admin who said why): its unit went
    /// back to the stock, its coins back to me, what I gave erased.
    Cancelled,
}

crate::convert::mirror!(
    ClaimStatus,
    entity::enums::ClaimStatus,
    [AwaitingDetails, Submitted, Shipped, Delivered, Cancelled]
);

/// Delivery details, each a catalog item of `prize_delivery`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ClaimItem {
    RealName,
    NationalIdNumber,
    ContactPhone,
    ShippingAddress,
}

impl ClaimItem {
    /// The catalog's key.
    pub fn key(self) -> &'static str {
        match self {
            Self::RealName => "real_name",
            Self::NationalIdNumber => "national_id_number",
            Self::ContactPhone => "contact_phone",
            Self::ShippingAddress => "shipping_address",
        }
    }
}

/// What a winner gave for delivery and tax: in full to them, masked to
/// staff until revealed with a reason (a reveal shows the items asked
/// for). Absent once erased.
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct DeliveryDetails {
    pub real_name: Option<String>,
    pub national_id_number: Option<String>,
    pub contact_phone: Option<String>,
    pub shipping_address: Option<String>,
}

/// A claim: what I redeemed, what I paid, and how its delivery goes.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ClaimView {
    pub id: String,
    pub prize_id: String,
    pub status: ClaimStatus,
    /// Coins paid.
    pub price: i64,
    /// The client's id it was redeemed with.
    pub client_id: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When the delivery details were erased (the tax period after
    /// delivery ended, or `prize_delivery` was withdrawn).
    pub details_erased_at: Option<DateTime<Utc>>,
    /// What I gave, in full (only to me).
    pub delivery: Option<DeliveryDetails>,
}

impl poem_openapi::types::Example for ClaimView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("ClaimId"),
            prize_id: crate::api::examples::id("PrizeId"),
            status: ClaimStatus::AwaitingDetails,
            price: 500,
            client_id: "7f3c2a9e-redeem-1".into(),
            carrier: None,
            tracking_number: None,
            created_at: crate::api::examples::time(30, 9, 15),
            submitted_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
            details_erased_at: None,
            delivery: None,
        }
    }
}

impl ClaimView {
    /// `c` as its winner sees it, with `delivery` (opened by the caller).
    pub fn of(c: entity::reward_claims::Model, delivery: Option<DeliveryDetails>) -> Self {
        Self {
            id: c.id,
            prize_id: c.prize_id,
            status: c.status.into(),
            price: c.price,
            client_id: c.client_id,
            carrier: c.carrier,
            tracking_number: c.tracking_number,
            created_at: c.created_at,
            submitted_at: c.submitted_at,
            shipped_at: c.shipped_at,
            delivered_at: c.delivered_at,
            cancelled_at: c.cancelled_at,
            details_erased_at: c.details_erased_at,
            delivery,
        }
    }
}

/// What a level brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BenefitKind {
    /// My level beside my name on every post and comment.
    LevelBadge,
    /// Extra coins on every task: `percent` of its coins.
    TaskBonus,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Benefit {
    pub kind: BenefitKind,
    pub description: String,
    /// For `task_bonus`.
    pub percent: Option<i64>,
}

/// My membership: my level, my experience (the coins tasks credited me,
/// spending aside) and what the level brings.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MembershipView {
    pub level: i32,
    pub experience: i64,
    /// The experience the next level starts at; absent at the top.
    pub next_level_at: Option<i64>,
    pub benefits: Vec<Benefit>,
}

impl MembershipView {
    pub fn of(standing: crate::identity::membership::Standing) -> Self {
        let mut benefits = vec![Benefit {
            kind: BenefitKind::LevelBadge,
            description: format!("Level {} beside your name", standing.level),
            percent: None,
        }];
        let percent = super::tasks::bonus_percent(standing.level);
        if percent > 0 {
            benefits.push(Benefit {
                kind: BenefitKind::TaskBonus,
                description: format!("{percent}% more coins on every task"),
                percent: Some(percent),
            });
        }
        Self {
            level: standing.level,
            experience: standing.experience,
            next_level_at: standing.next_level_at,
            benefits,
        }
    }
}

impl poem_openapi::types::Example for MembershipView {
    fn example() -> Self {
        Self::of(crate::identity::membership::Standing {
            level: 3,
            experience: 260,
            next_level_at: Some(500),
            joined_at: crate::api::examples::time(1, 8, 0),
        })
    }
}
