//! The coin ledger: append-only entries, each keyed by the event that
//! caused it (a second entry for the same event is refused, so nothing is
//! credited twice), and a balance beside it that one statement moves and
//! checks (so it never goes below zero, however many devices spend at
//! once). The balance is always the sum of the entries.
use chrono::{DateTime, Utc};
use entity::{coin_accounts as accounts, coin_ledger as ledger, enums::LedgerKind};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::refusals::Refusal;
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppResult},
};

/// An entry to make.
pub struct Entry<'a> {
    pub user: &'a str,
    pub kind: LedgerKind,
    /// Signed: negative takes coins away.
    pub amount: i64,
    pub task: Option<&'a str>,
    /// The prize claim it pays for or refunds.
    pub claim: Option<&'a str>,
    /// Unique to the event that causes the entry.
    pub key: String,
    pub reason: Option<&'a str>,
    pub staff: Option<&'a str>,
}

/// Makes an entry in the caller's transaction (which the caller commits
/// only on success): the balance moves first, in one statement that
/// refuses to take it below zero, then the entry is written, refused if
/// its key was used. The first statement writes, so SQLite takes its write
/// lock before reading anything. After an error the transaction is spent
/// (PostgreSQL aborts it on a unique violation): the caller drops it,
/// which rolls everything back.
pub async fn post(txn: &DatabaseTransaction, entry: Entry<'_>) -> AppResult<ledger::Model> {
    let now = Utc::now();
    open_account(txn, entry.user, now).await?;
    let moved = accounts::Entity::update_many()
        .col_expr(
            accounts::Column::Balance,
            Expr::col(accounts::Column::Balance).add(entry.amount),
        )
        .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
        .filter(accounts::Column::UserId.eq(entry.user))
        .filter(
            Expr::col(accounts::Column::Balance)
                .add(entry.amount)
                .gte(0),
        )
        .exec(txn)
        .await?;
    if moved.rows_affected == 0 {
        return Err(Refusal::InsufficientCoins.into());
    }
    let balance = balance(txn, entry.user).await?;
    let row = ledger::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(entry.user.to_owned()),
        kind: Set(entry.kind),
        amount: Set(entry.amount),
        balance_after: Set(balance),
        task_id: Set(entry.task.map(str::to_owned)),
        claim_id: Set(entry.claim.map(str::to_owned)),
        idempotency_key: Set(entry.key),
        reason: Set(entry.reason.map(str::to_owned)),
        staff_id: Set(entry.staff.map(str::to_owned)),
        created_at: Set(now),
    };
    match row.insert(txn).await {
        Ok(row) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(Refusal::AlreadyDone.into()),
        Err(err) => Err(err.into()),
    }
}

/// Makes `user`'s account row, at zero, unless it exists.
async fn open_account(txn: &DatabaseTransaction, user: &str, now: DateTime<Utc>) -> AppResult<()> {
    accounts::Entity::insert(accounts::ActiveModel {
        user_id: Set(user.to_owned()),
        balance: Set(0),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(accounts::Column::UserId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Holds `user`'s account row until the caller's transaction ends (made
/// if missing): what the caller then reads of their ledger no other
/// credit changes meanwhile. A write, so SQLite takes its lock first.
pub async fn hold(txn: &DatabaseTransaction, user: &str) -> AppResult<()> {
    let now = Utc::now();
    open_account(txn, user, now).await?;
    accounts::Entity::update_many()
        .col_expr(accounts::Column::UpdatedAt, Expr::value(now))
        .filter(accounts::Column::UserId.eq(user))
        .exec(txn)
        .await?;
    Ok(())
}

/// A user's balance (0 before their first entry).
pub async fn balance(db: &impl ConnectionTrait, user: &str) -> AppResult<i64> {
    Ok(accounts::Entity::find_by_id(user.to_owned())
        .one(db)
        .await?
        .map_or(0, |a| a.balance))
}

/// A user's entries, newest first.
pub async fn entries(
    db: &impl ConnectionTrait,
    user: &str,
    page: &PageParams,
) -> AppResult<Vec<ledger::Model>> {
    let mut query = ledger::Entity::find().filter(ledger::Column::UserId.eq(user));
    if let Some(after) = &page.after {
        query = query.filter(ledger::Column::Id.lt(after.as_str()));
    }
    Ok(query
        .order_by_desc(ledger::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}
