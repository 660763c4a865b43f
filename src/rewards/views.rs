//! What the rewards API shows and takes.
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

/// How a task is completed: `check_in`, the daily check-in the user makes
/// (`POST /rewards/tasks/{id}/check-in`). Tasks the server credits from
/// real actions, and partner tasks, come with their crediting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TaskKind {
    CheckIn,
}

crate::convert::mirror!(TaskKind, entity::enums::TaskKind, [CheckIn]);

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
}

crate::convert::mirror!(
    LedgerKind,
    entity::enums::LedgerKind,
    [Credit, Debit, Reversal]
);

/// A task, as a user sees it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct TaskView {
    pub id: String,
    pub kind: TaskKind,
    pub title: String,
    pub description: String,
    /// Coins it earns each time.
    pub coins: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether I did it today (the community's day, Beijing time); absent
    /// for admins' views.
    pub done_today: Option<bool>,
    /// How often I did it.
    pub completions: Option<u64>,
}

impl poem_openapi::types::Example for TaskView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("TaskId"),
            kind: TaskKind::CheckIn,
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
            reason: e.reason,
            created_at: e.created_at,
        }
    }
}
