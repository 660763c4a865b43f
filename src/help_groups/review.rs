//! Managers review applications: masked by default, approve or reject (a
//! rejection says why), remove members, and see a full value only through
//! a reveal with a reason, written to the audit log and the applicant's
//! processing log.
use chrono::Utc;
use entity::{
    enums::{ApplicationStatus, StaffAction},
    help_group_applications as apps,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{refusals::Refusal, views::ApplicationItem};
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    ids::{ApplicationId, HelpGroupId},
    privacy::access::{self, StaffRecord},
};

/// What a manager decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    /// Takes a member out of the group.
    Remove,
}

/// An application to `group`, for its managers.
pub async fn find(
    db: &impl ConnectionTrait,
    group: &HelpGroupId,
    id: &ApplicationId,
) -> AppResult<apps::Model> {
    apps::Entity::find_by_id(id.as_str())
        .filter(apps::Column::GroupId.eq(group.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("application"))
}

/// Applications to a group, oldest first, optionally of one status
/// (`approved`: the members).
pub async fn list(
    db: &impl ConnectionTrait,
    group: &HelpGroupId,
    status: Option<ApplicationStatus>,
    page: &PageParams,
) -> AppResult<Vec<apps::Model>> {
    let mut query = apps::Entity::find().filter(apps::Column::GroupId.eq(group.as_str()));
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

/// Decides on an application, from the one status the decision applies to
/// (a pending application is approved or rejected; a member removed), so
/// that two managers deciding at once cannot both win. The change is the
/// transaction's first statement (SQLite takes its write lock there, not
/// after a read another writer could overtake). Answers the row.
pub async fn decide(
    db: &impl ConnectionTrait,
    manager: &str,
    group: &HelpGroupId,
    id: &ApplicationId,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<apps::Model> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let (from, to, action) = match decision {
        Decision::Approve => (
            ApplicationStatus::Pending,
            ApplicationStatus::Approved,
            StaffAction::Approve,
        ),
        Decision::Reject => (
            ApplicationStatus::Pending,
            ApplicationStatus::Rejected,
            StaffAction::Reject,
        ),
        Decision::Remove => (
            ApplicationStatus::Approved,
            ApplicationStatus::Removed,
            StaffAction::Remove,
        ),
    };
    if decision != Decision::Approve && reason.is_none() {
        return Err(Refusal::NoReason.into());
    }
    let now = Utc::now();
    let mut update = apps::Entity::update_many()
        .col_expr(apps::Column::Status, Expr::value(to))
        .col_expr(apps::Column::Reason, Expr::value(reason.clone()))
        .filter(apps::Column::Id.eq(id.as_str()))
        .filter(apps::Column::GroupId.eq(group.as_str()))
        .filter(apps::Column::Status.eq(from));
    update = match decision {
        Decision::Remove => update.col_expr(apps::Column::LeftAt, Expr::value(now)),
        _ => update.col_expr(apps::Column::DecidedAt, Expr::value(now)),
    };
    if update.exec(db).await?.rows_affected == 0 {
        find(db, group, id).await?;
        return Err(Refusal::WrongState(match decision {
            Decision::Remove => "only a member can be removed",
            _ => "only a pending application can be decided",
        })
        .into());
    }
    let row = find(db, group, id).await?;
    access::record(
        db,
        StaffRecord {
            staff: manager,
            subject: &row.user_id,
            action,
            target: ("help_group_application", &row.id),
            purpose: "help_group_application",
            items: Vec::new(),
            reason: reason.as_deref().unwrap_or(""),
            operation_id: "admin_decide_help_group_application",
        },
    )
    .await?;
    Ok(row)
}

/// Masks a value for managers: the phone to its last four, a QQ number or
/// WeChat ID to its last quarter (enough to tell two apart, too little to
/// guess the rest: a five-digit QQ number keeps one digit).
pub fn mask(item: ApplicationItem, value: &str) -> String {
    match item {
        ApplicationItem::ContactPhone => match crate::identity::phone::Phone::parse(value) {
            Ok(phone) => phone.masked(),
            Err(_) => "****".into(),
        },
        ApplicationItem::QqNumber | ApplicationItem::WechatId => {
            let chars: Vec<char> = value.chars().collect();
            let kept = if chars.len() < 4 { 0 } else { chars.len() / 4 };
            let tail: String = chars[chars.len() - kept..].iter().collect();
            format!("{}{tail}", "*".repeat(chars.len() - kept))
        }
    }
}

/// Writes a reveal to the audit trail and the applicant's processing log,
/// in the caller's transaction.
pub async fn record_reveal(
    db: &impl ConnectionTrait,
    manager: &str,
    row: &apps::Model,
    items: &[ApplicationItem],
    reason: &str,
) -> AppResult<()> {
    access::record(
        db,
        StaffRecord {
            staff: manager,
            subject: &row.user_id,
            action: StaffAction::Reveal,
            target: ("help_group_application", &row.id),
            purpose: "help_group_application",
            items: items.iter().map(|i| i.key()).collect(),
            reason,
            operation_id: "admin_reveal_help_group_application",
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qq_numbers_and_wechat_ids_keep_their_ends_only() {
        assert_eq!(mask(ApplicationItem::QqNumber, "123456789"), "*******89");
        assert_eq!(mask(ApplicationItem::QqNumber, "12345"), "****5");
        assert_eq!(
            mask(ApplicationItem::WechatId, "mi_fan_2024"),
            "*********24"
        );
        assert_eq!(mask(ApplicationItem::QqNumber, "123"), "***");
        assert_eq!(
            mask(ApplicationItem::ContactPhone, "+8613912345678"),
            "+86139****5678"
        );
    }
}
