use sea_orm::entity::prelude::*;

/// One entry of a user's coin ledger: append-only, keyed by the event that
/// caused it (`idempotency_key`, unique), signed (`amount` is negative for
/// a debit), with the balance it left.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coin_ledger")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub kind: super::enums::LedgerKind,
    pub amount: i64,
    pub balance_after: i64,
    pub task_id: Option<String>,
    /// The prize claim it pays for, or refunds.
    pub claim_id: Option<String>,
    pub idempotency_key: String,
    pub reason: Option<String>,
    /// The admin who made a correction.
    pub staff_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
