//! Staff review: registrations masked by default, decisions under the
//! event's capacity (never more approvals than places, however many staff
//! decide at once), the waiting list moving up when a place frees, and
//! full values only through a reveal with a reason, audited.
use chrono::Utc;
use entity::{
    enums::{RegistrationStatus, StaffAction},
    event_registrations as regs,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::views::EventItem;
use crate::{
    api::PageParams,
    error::{AppError, AppResult, ErrorCode},
    ids::{EventId, RegistrationId},
    privacy::access::{self, StaffRecord},
};

/// What staff decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Waitlist,
}

/// Holds the event for this transaction: concurrent decisions and
/// withdrawals on one event run one after the other (a row lock on
/// PostgreSQL, the write lock on SQLite, taken before anything is read).
pub async fn hold(txn: &DatabaseTransaction, event: &EventId) -> AppResult<()> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "UPDATE events SET capacity = capacity WHERE id = $1",
        _ => "UPDATE events SET capacity = capacity WHERE id = ?",
    };
    let done = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [event.as_str().into()],
        ))
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found("event"));
    }
    Ok(())
}

/// How many registrations of `event` are approved.
pub async fn approved(db: &impl ConnectionTrait, event: &str) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(regs::Entity::find()
        .filter(regs::Column::EventId.eq(event))
        .filter(regs::Column::Status.eq(RegistrationStatus::Approved))
        .count(db)
        .await?)
}

async fn capacity(txn: &DatabaseTransaction, event: &str) -> AppResult<u64> {
    let event = entity::events::Entity::find_by_id(event)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("event"))?;
    Ok(u64::try_from(event.capacity).unwrap_or(0))
}

async fn set_status(
    txn: &DatabaseTransaction,
    id: &str,
    status: RegistrationStatus,
    reason: Option<String>,
) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    regs::Entity::update_many()
        .col_expr(regs::Column::Status, Expr::value(status))
        .col_expr(regs::Column::Reason, Expr::value(reason))
        .col_expr(regs::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(regs::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Approves the oldest waitlisted registrations while places are free
/// (never `except`, the one just moved to the list); answers whom it
/// approved (to notify). Inside a [`hold`].
pub async fn promote(
    txn: &DatabaseTransaction,
    event: &str,
    except: Option<&str>,
) -> AppResult<Vec<(String, String)>> {
    let free = capacity(txn, event)
        .await?
        .saturating_sub(approved(txn, event).await?);
    let next = regs::Entity::find()
        .filter(regs::Column::EventId.eq(event))
        .filter(regs::Column::Status.eq(RegistrationStatus::Waitlisted))
        .filter(regs::Column::Id.ne(except.unwrap_or("")))
        .order_by_asc(regs::Column::Id)
        .limit(free)
        .all(txn)
        .await?;
    for r in &next {
        set_status(txn, &r.id, RegistrationStatus::Approved, None).await?;
    }
    Ok(next.into_iter().map(|r| (r.user_id, r.id)).collect())
}

/// A registration of `event`, for staff.
pub async fn find(
    db: &impl ConnectionTrait,
    event: &EventId,
    id: &RegistrationId,
) -> AppResult<regs::Model> {
    regs::Entity::find_by_id(id.as_str())
        .filter(regs::Column::EventId.eq(event.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))
}

/// Decides on a registration; answers the users to notify (the registrant,
/// and anyone the waiting list moved up).
pub async fn decide(
    txn: &DatabaseTransaction,
    staff: &str,
    event: &EventId,
    id: &RegistrationId,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<Vec<(String, String)>> {
    hold(txn, event).await?;
    let row = find(txn, event, id).await?;
    if row.status == RegistrationStatus::Cancelled || row.erased_at.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this registration was withdrawn or has expired",
        ));
    }
    let (status, action) = match decision {
        Decision::Approve => (RegistrationStatus::Approved, StaffAction::Approve),
        Decision::Reject => (RegistrationStatus::Rejected, StaffAction::Reject),
        Decision::Waitlist => (RegistrationStatus::Waitlisted, StaffAction::Waitlist),
    };
    if decision == Decision::Reject && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(super::refusals::Refusal::RejectWithoutReason.into());
    }
    let was_approved = row.status == RegistrationStatus::Approved;
    if decision == Decision::Approve
        && !was_approved
        && approved(txn, &row.event_id).await? >= capacity(txn, &row.event_id).await?
    {
        return Err(AppError::new(
            ErrorCode::CapacityReached,
            "every place is taken: waitlist instead",
        ));
    }
    let shown = if decision == Decision::Reject {
        reason.clone()
    } else {
        None
    };
    set_status(txn, &row.id, status, shown).await?;
    access::record(
        txn,
        StaffRecord {
            staff,
            subject: &row.user_id,
            action,
            target: ("event_registration", &row.id),
            purpose: "event_registration",
            items: Vec::new(),
            reason: reason.as_deref().unwrap_or(""),
            operation_id: "admin_decide_event_registration",
        },
    )
    .await?;
    let mut told = vec![(row.user_id.clone(), row.id.clone())];
    if was_approved && decision != Decision::Approve {
        told.extend(promote(txn, &row.event_id, Some(&row.id)).await?);
    }
    Ok(told)
}

/// Registrations of an event for staff, oldest first, optionally of one status.
pub async fn list(
    db: &impl ConnectionTrait,
    event: &EventId,
    status: Option<RegistrationStatus>,
    page: &PageParams,
) -> AppResult<Vec<regs::Model>> {
    let mut query = regs::Entity::find().filter(regs::Column::EventId.eq(event.as_str()));
    if let Some(status) = status {
        query = query.filter(regs::Column::Status.eq(status));
    }
    if let Some(after) = &page.after {
        query = query.filter(regs::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(regs::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// Masks a value for staff (identity's masks; gender and city, not
/// sensitive, as given).
pub fn mask(item: EventItem, value: &str) -> String {
    use crate::identity::masking;
    match item {
        EventItem::NationalIdNumber => masking::national_id(value),
        EventItem::RealName => masking::real_name(value),
        EventItem::ContactPhone => masking::phone(value),
        EventItem::ShippingAddress => masking::address(value),
        EventItem::Gender | EventItem::City => value.to_owned(),
    }
}

/// Writes the reveal to the audit trail and the registrant's processing
/// log, in the caller's transaction.
pub async fn record_reveal(
    txn: &DatabaseTransaction,
    staff: &str,
    row: &regs::Model,
    items: &[EventItem],
    reason: &str,
) -> AppResult<()> {
    access::record(
        txn,
        StaffRecord {
            staff,
            subject: &row.user_id,
            action: StaffAction::Reveal,
            target: ("event_registration", &row.id),
            purpose: "event_registration",
            items: items.iter().map(|i| i.key()).collect(),
            reason,
            operation_id: "admin_reveal_event_registration",
        },
    )
    .await
}

/// The shipping list of an event that ships: each approved registrant's
/// name, phone and address, for the courier. Every registrant on it gets
/// the disclosure in their processing log, with the reason.
pub async fn shipping_list(
    state: &crate::state::AppState,
    staff: &str,
    event: &EventId,
    reason: &str,
) -> AppResult<String> {
    use sea_orm::TransactionTrait;
    let ships = super::store::find(&state.db, event).await?.ships;
    if !ships {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this event ships nothing",
        ));
    }
    let rows = regs::Entity::find()
        .filter(regs::Column::EventId.eq(event.as_str()))
        .filter(regs::Column::Status.eq(RegistrationStatus::Approved))
        .filter(regs::Column::ErasedAt.is_null())
        .order_by_asc(regs::Column::Id)
        .all(&state.db)
        .await?;
    let mut csv = String::from("registration_id,real_name,contact_phone,shipping_address\r\n");
    let txn = state.db.begin().await?;
    for row in &rows {
        let d = super::registrations::open_details(state, row)?;
        let fields = [d.real_name, d.contact_phone, d.shipping_address];
        let line: Vec<String> = std::iter::once(row.id.clone())
            .chain(
                fields
                    .iter()
                    .map(|v| crate::api::csv::cell(v.as_deref().unwrap_or(""))),
            )
            .collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
        let items = [
            (EventItem::RealName, &fields[0]),
            (EventItem::ContactPhone, &fields[1]),
            (EventItem::ShippingAddress, &fields[2]),
        ];
        let shown = items
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| i.key())
            .collect();
        let record = StaffRecord {
            staff,
            subject: &row.user_id,
            action: StaffAction::ShippingList,
            target: ("event_registration", &row.id),
            purpose: "event_registration",
            items: shown,
            reason,
            operation_id: "admin_event_shipping_list",
        };
        access::record(&txn, record).await?;
    }
    txn.commit().await?;
    Ok(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_their_district_only() {
        let mask = |v| mask(EventItem::ShippingAddress, v);
        assert_eq!(
            mask("广东省深圳市南山区科技园一路8号"),
            "广东省深圳市南山区…"
        );
        assert_eq!(mask("广东省东莞市虎门镇金洲小区8栋"), "广东省东莞市…");
        assert_eq!(mask("12 Baker Street"), "12 Bak…");
    }
}
