//! Staff review: applications masked by default, decisions under the
//! program's capacity (never more testers than places, however many staff
//! decide at once), the waiting list moving up when a place frees, and the
//! phone in full only through a reveal with a reason, audited.
use chrono::Utc;
use entity::{
    beta_applications as apps,
    enums::{BetaStatus, StaffAction},
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{refusals::Refusal, store};
use crate::{
    api::PageParams,
    error::AppResult,
    ids::{BetaApplicationId, BetaProgramId},
    privacy::access::{self, StaffRecord},
};

/// What staff decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Waitlist,
}

/// How many testers `program` has.
pub async fn approved(db: &impl ConnectionTrait, program: &BetaProgramId) -> AppResult<u64> {
    Ok(apps::Entity::find()
        .filter(apps::Column::ProgramId.eq(program.as_str()))
        .filter(apps::Column::Status.eq(BetaStatus::Approved))
        .count(db)
        .await?)
}

/// How many applications `program` received, whatever became of them.
pub async fn applied(db: &impl ConnectionTrait, program: &BetaProgramId) -> AppResult<u64> {
    Ok(apps::Entity::find()
        .filter(apps::Column::ProgramId.eq(program.as_str()))
        .count(db)
        .await?)
}

/// How many testers' places of `program` (as read under the hold) are free.
async fn free_places(
    txn: &DatabaseTransaction,
    program: &entity::beta_programs::Model,
) -> AppResult<u64> {
    let id = BetaProgramId::from_stored(program.id.clone());
    Ok(u64::try_from(program.capacity)
        .unwrap_or(0)
        .saturating_sub(approved(txn, &id).await?))
}

/// How many testers each of `programs` has (absent: none), in one query.
pub async fn approved_of(
    db: &impl ConnectionTrait,
    programs: Vec<String>,
) -> AppResult<std::collections::HashMap<String, u64>> {
    let counts: Vec<(String, i64)> = apps::Entity::find()
        .select_only()
        .column(apps::Column::ProgramId)
        .column_as(apps::Column::Id.count(), "approved")
        .filter(apps::Column::ProgramId.is_in(programs))
        .filter(apps::Column::Status.eq(BetaStatus::Approved))
        .group_by(apps::Column::ProgramId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

async fn set_status(
    txn: &DatabaseTransaction,
    id: &str,
    status: BetaStatus,
    reason: Option<String>,
) -> AppResult<()> {
    apps::Entity::update_many()
        .col_expr(apps::Column::Status, Expr::value(status))
        .col_expr(apps::Column::Reason, Expr::value(reason))
        .col_expr(apps::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(apps::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Approves the oldest waitlisted applications while places are free
/// (never `except`, the one just moved to the list); answers whom it
/// approved (to notify). Inside a [`store::hold`].
pub async fn promote(
    txn: &DatabaseTransaction,
    program: &BetaProgramId,
    except: Option<&str>,
) -> AppResult<Vec<(String, String)>> {
    // A program that ended admits no one more.
    let held = store::find(txn, program).await?;
    if held.ends_at < Utc::now() {
        return Ok(Vec::new());
    }
    let free = free_places(txn, &held).await?;
    let next = apps::Entity::find()
        .filter(apps::Column::ProgramId.eq(program.as_str()))
        .filter(apps::Column::Status.eq(BetaStatus::Waitlisted))
        .filter(apps::Column::Eligible.eq(true))
        .filter(apps::Column::Id.ne(except.unwrap_or("")))
        .order_by_asc(apps::Column::Id)
        .limit(free)
        .all(txn)
        .await?;
    for r in &next {
        set_status(txn, &r.id, BetaStatus::Approved, None).await?;
    }
    Ok(next.into_iter().map(|r| (r.user_id, r.id)).collect())
}

/// An application to `program`, for staff.
pub async fn find(
    db: &impl ConnectionTrait,
    program: &BetaProgramId,
    id: &BetaApplicationId,
) -> AppResult<apps::Model> {
    apps::Entity::find_by_id(id.as_str())
        .filter(apps::Column::ProgramId.eq(program.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| crate::error::AppError::not_found("beta application"))
}

/// Decides on an open application (pending, approved or waitlisted) of a
/// program still running; answers the users to notify (the applicant, and
/// anyone the waiting list moved up). Rejecting a tester removes them: their
/// place goes to the waiting list.
pub async fn decide(
    txn: &DatabaseTransaction,
    staff: &str,
    program: &BetaProgramId,
    id: &BetaApplicationId,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<Vec<(String, String)>> {
    store::hold(txn, program).await?;
    let held = store::find(txn, program).await?;
    if held.ends_at < Utc::now() {
        return Err(Refusal::Ended.into());
    }
    let row = find(txn, program, id).await?;
    let (status, action) = match decision {
        Decision::Approve => (BetaStatus::Approved, StaffAction::Approve),
        Decision::Reject => (BetaStatus::Rejected, StaffAction::Reject),
        Decision::Waitlist => (BetaStatus::Waitlisted, StaffAction::Waitlist),
    };
    // Only open applications move, never to where they are; rejected and
    // withdrawn ones are settled (the applicant may apply anew).
    let open = matches!(
        row.status,
        BetaStatus::Pending | BetaStatus::Approved | BetaStatus::Waitlisted
    );
    if !open || row.status == status || row.erased_at.is_some() {
        return Err(Refusal::Settled.into());
    }
    // What the screening turned down no one admits, by hand or from the list.
    if !row.eligible && decision != Decision::Reject {
        return Err(Refusal::ScreenedOut.into());
    }
    if decision == Decision::Reject && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(Refusal::RejectWithoutReason.into());
    }
    let was_approved = row.status == BetaStatus::Approved;
    if decision == Decision::Approve && free_places(txn, &held).await? == 0 {
        return Err(Refusal::Full.into());
    }
    let shown = (decision == Decision::Reject)
        .then(|| reason.clone())
        .flatten();
    set_status(txn, &row.id, status, shown).await?;
    access::record(
        txn,
        StaffRecord {
            staff,
            subject: &row.user_id,
            action,
            target: ("beta_application", &row.id),
            purpose: "beta_program",
            items: Vec::new(),
            reason: reason.as_deref().unwrap_or(""),
            operation_id: "admin_decide_beta_application",
        },
    )
    .await?;
    let mut told = vec![(row.user_id.clone(), row.id.clone())];
    if was_approved && decision != Decision::Approve {
        told.extend(promote(txn, program, Some(&row.id)).await?);
    }
    Ok(told)
}

/// Applications to a program for staff, oldest first, optionally of one
/// status.
pub async fn list(
    db: &impl ConnectionTrait,
    program: &BetaProgramId,
    status: Option<BetaStatus>,
    page: &PageParams,
) -> AppResult<Vec<apps::Model>> {
    let mut query = apps::Entity::find().filter(apps::Column::ProgramId.eq(program.as_str()));
    if let Some(status) = status {
        query = query.filter(apps::Column::Status.eq(status));
    }
    if let Some(after) = &page.after {
        query = query.filter(apps::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(apps::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// Writes a reveal of the phone to the audit trail and the applicant's
/// processing log, in the caller's transaction.
pub async fn record_reveal(
    txn: &DatabaseTransaction,
    staff: &str,
    row: &apps::Model,
    reason: &str,
) -> AppResult<()> {
    access::record(
        txn,
        StaffRecord {
            staff,
            subject: &row.user_id,
            action: StaffAction::Reveal,
            target: ("beta_application", &row.id),
            purpose: "beta_program",
            items: vec!["contact_phone"],
            reason,
            operation_id: "admin_reveal_beta_application",
        },
    )
    .await
}
