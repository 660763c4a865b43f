//! Staff acting on people's data: revealing a masked value, deciding on a
//! registration, drawing a shipping list. Each action is written to the
//! staff audit trail (`staff_actions`: who, whose, what items, why) and,
//! when it shows the person's data to staff, to that person's own
//! processing log with the staff member and the reason — so the user sees
//! who looked at what and why. Item keys only, never values.
use chrono::Utc;
use entity::{enums::StaffAction, staff_actions};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::log;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
};

/// One staff action on one person's data.
pub struct StaffRecord<'a> {
    pub staff: &'a str,
    pub subject: &'a str,
    pub action: StaffAction,
    /// What it was about (`event_registration`) and its id.
    pub target: (&'static str, &'a str),
    pub purpose: &'static str,
    pub items: Vec<&'static str>,
    pub reason: &'a str,
    /// The operation, for the subject's processing log.
    pub operation_id: &'static str,
}

/// Whether the action shows the person's data to staff.
fn discloses(action: StaffAction) -> bool {
    matches!(action, StaffAction::Reveal | StaffAction::ShippingList)
}

/// Writes the audit entry (and, for a disclosure, the subject's processing
/// log entry) in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, r: StaffRecord<'_>) -> AppResult<()> {
    let items = serde_json::to_string(&r.items).map_err(AppError::internal)?;
    staff_actions::Entity::insert(staff_actions::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        staff_id: Set(Some(r.staff.to_owned())),
        subject_id: Set(Some(r.subject.to_owned())),
        action: Set(r.action),
        target_type: Set(r.target.0.to_owned()),
        target_id: Set(r.target.1.to_owned()),
        purpose: Set(r.purpose.to_owned()),
        items: Set(items),
        reason: Set(r.reason.to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    if discloses(r.action) {
        let entries = [(r.purpose, r.items)];
        log::append_by(
            db,
            r.subject,
            r.operation_id,
            &entries,
            Some((r.staff, r.reason)),
        )
        .await?;
    }
    Ok(())
}

/// Writes the audit entry of an admin changing what the service offers
/// (a task, a prize, a partner): nobody's data, so no subject and no
/// items; `what` says what changed (field names, never values).
pub async fn record_change(
    db: &impl ConnectionTrait,
    staff: &str,
    action: StaffAction,
    target: (&'static str, &str),
    what: &str,
) -> AppResult<()> {
    staff_actions::Entity::insert(staff_actions::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        staff_id: Set(Some(staff.to_owned())),
        subject_id: Set(None),
        action: Set(action),
        target_type: Set(target.0.to_owned()),
        target_id: Set(target.1.to_owned()),
        purpose: Set(String::new()),
        items: Set("[]".into()),
        reason: Set(what.to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The audit trail, newest first (keyset by id, time-ordered).
pub async fn entries(
    db: &impl ConnectionTrait,
    page: &PageParams,
) -> AppResult<Vec<staff_actions::Model>> {
    let mut query = staff_actions::Entity::find();
    if let Some(after) = &page.after {
        query = query.filter(staff_actions::Column::Id.lt(after.as_str()));
    }
    Ok(query
        .order_by_desc(staff_actions::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}
