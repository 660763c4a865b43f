//! Applications as personal data: exported with their full values, deleted
//! with the account, deleted when `help_group_application` is withdrawn,
//! and deleted the catalog's period (90 days) after a rejection, or after
//! the member left or was removed. The groups one manages go with the
//! account too.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{
    enums::ApplicationStatus, help_group_applications as apps, help_group_managers as managers,
    help_groups as groups,
};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::{applications, views::ApplicationStatus as Status};
use crate::{
    error::{AppError, AppResult},
    ids::UserId,
    privacy::{
        consents::WithdrawalEraser,
        registry::{AfterCommit, Erasure, PersonalData, Section},
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// One application of mine, with what I gave, in the export.
#[derive(Debug, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedApplication {
    pub id: String,
    pub group_id: String,
    pub group_name: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub contact_phone: String,
    pub qq_number: String,
    pub wechat_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
}

/// A group I manage, in the export.
#[derive(Debug, poem_openapi::Object)]
pub struct ExportedManagedGroup {
    pub group_id: String,
    pub group_name: Option<String>,
    pub since: DateTime<Utc>,
}

async fn names(
    db: &impl sea_orm::ConnectionTrait,
    ids: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(groups::Entity::find()
        .filter(groups::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect())
}

pub struct ApplicationData;

#[async_trait]
impl PersonalData for ApplicationData {
    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<Vec<ExportedApplication>>("help_group_applications"),
            Section::of::<Vec<ExportedManagedGroup>>("help_groups_managed"),
        ]
    }

    fn items(&self) -> &'static [&'static str] {
        &["contact_phone", "qq_number", "wechat_id"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["help_group_applications", "help_group_managers"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows = apps::Entity::find()
            .filter(apps::Column::UserId.eq(user.as_str()))
            .order_by_asc(apps::Column::Id)
            .all(&state.db)
            .await?;
        let managed = managers::Entity::find()
            .filter(managers::Column::UserId.eq(user.as_str()))
            .order_by_asc(managers::Column::GroupId)
            .all(&state.db)
            .await?;
        let ids = rows
            .iter()
            .map(|r| r.group_id.clone())
            .chain(managed.iter().map(|m| m.group_id.clone()))
            .collect();
        let names = names(&state.db, ids).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let d = applications::open_details(&state.crypto, &r)?;
            items.push(ExportedApplication {
                group_name: names.get(&r.group_id).cloned(),
                contact_phone: d.contact_phone.unwrap_or_default(),
                qq_number: d.qq_number.unwrap_or_default(),
                wechat_id: d.wechat_id,
                id: r.id,
                group_id: r.group_id,
                status: r.status.into(),
                reason: r.reason,
                created_at: r.created_at,
                decided_at: r.decided_at,
                left_at: r.left_at,
            });
        }
        let managed: Vec<ExportedManagedGroup> = managed
            .into_iter()
            .map(|m| ExportedManagedGroup {
                group_name: names.get(&m.group_id).cloned(),
                group_id: m.group_id,
                since: m.created_at,
            })
            .collect();
        Ok(vec![
            Section::value("help_group_applications", &items),
            Section::value("help_groups_managed", &managed),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let mut rows = applications::delete_all(txn, user).await?;
        rows += managers::Entity::delete_many()
            .filter(managers::Column::UserId.eq(user))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(AfterCommit::rows(rows))
    }
}

/// Withdrawing `help_group_application`: every application and membership
/// of mine is deleted at once.
pub struct ApplicationEraser;

#[async_trait]
impl WithdrawalEraser for ApplicationEraser {
    fn purpose(&self) -> &'static str {
        "help_group_application"
    }
    async fn erase(&self, txn: &DatabaseTransaction, user_id: &str) -> AppResult<AfterCommit> {
        Ok(AfterCommit::rows(
            applications::delete_all(txn, user_id).await?,
        ))
    }
}

/// The catalog's promise for `help_group_application`: a rejected
/// application goes 90 days after the decision; a membership 90 days after
/// its member left or was removed; and an application nobody decided on,
/// 90 days after it was sent.
pub struct AfterRejectionOrLeaving;

#[async_trait]
impl RetentionRule for AfterRejectionOrLeaving {
    fn name(&self) -> &'static str {
        "help_group_applications"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let cutoff = Utc::now() - period("help_group_application")?;
        let rejected = Condition::all()
            .add(apps::Column::Status.eq(ApplicationStatus::Rejected))
            .add(apps::Column::DecidedAt.lt(cutoff));
        let left = Condition::all()
            .add(apps::Column::Status.is_in([ApplicationStatus::Left, ApplicationStatus::Removed]))
            .add(apps::Column::LeftAt.lt(cutoff));
        let undecided = Condition::all()
            .add(apps::Column::Status.eq(ApplicationStatus::Pending))
            .add(apps::Column::CreatedAt.lt(cutoff));
        let done = apps::Entity::delete_many()
            .filter(Condition::any().add(rejected).add(left).add(undecided))
            .exec(&state.db)
            .await
            .map_err(AppError::from)?;
        Ok(AfterCommit::rows(done.rows_affected))
    }
}
