//! The user's own deregistration requests as personal data: exported (a
//! pending request, and any the user cancelled), and cut loose from the
//! account when the account itself is erased — the request stays as the
//! record that an erasure was asked for and carried out, naming no one.
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::deregistrations;
use poem_openapi::Object;
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;

use super::api::{ContentChoice, ScopeChoice};
use crate::{
    error::AppResult,
    ids::UserId,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Registries, Scope, Section, Stage},
    state::AppState,
};

/// One of my deregistration requests, in the export.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedDeregistration {
    pub id: String,
    pub scope: ScopeChoice,
    pub content: ContentChoice,
    pub requested_at: DateTime<Utc>,
    pub effective_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

pub struct DeregistrationData;

/// Rights' own records, registered like every area's.
pub fn register(r: &mut Registries) {
    r.personal_data(Arc::new(DeregistrationData));
}

#[async_trait]
impl PersonalData for DeregistrationData {
    fn stage(&self) -> Stage {
        Stage::Records
    }

    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedDeregistration>>(
            "deregistrations",
        )]
    }

    fn items(&self) -> &'static [&'static str] {
        &[]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["deregistrations"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows: Vec<ExportedDeregistration> = deregistrations::Entity::find()
            .filter(deregistrations::Column::UserId.eq(user))
            .order_by_asc(deregistrations::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|d| ExportedDeregistration {
                id: d.id,
                scope: d.scope.into(),
                content: d.content.into(),
                requested_at: d.requested_at,
                effective_at: d.effective_at,
                cancelled_at: d.cancelled_at,
                completed_at: d.completed_at,
            })
            .collect();
        Ok(vec![Section::value("deregistrations", &rows)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        // Closing the service alone keeps the account, and its record of
        // having closed it; while content is held the request must still
        // find its user, to finish the erasure later.
        if erasure.scope == Scope::Service || !erasure.held.is_empty() {
            return Ok(AfterCommit::default());
        }
        let cut = deregistrations::Entity::update_many()
            .col_expr(
                deregistrations::Column::UserId,
                Expr::value(Option::<String>::None),
            )
            .filter(deregistrations::Column::UserId.eq(erasure.user.as_str()))
            .exec(txn)
            .await?;
        Ok(AfterCommit::rows(cut.rows_affected))
    }
}
