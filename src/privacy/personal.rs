//! The consent layer's own records as personal data: consent states, the
//! receipts, and the processing log. They belong to the account: erased
//! with it, kept when only the community service closes.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{consent_receipts, consents, processing_log, staff_actions};
use poem_openapi::Object;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::{
    receipts::{self, ConsentReceipt},
    registry::{delete_where, AfterCommit, Erasure, PersonalData, Scope, Section, Stage},
};
use crate::{error::AppResult, state::AppState};

/// Where one optional purpose stands for me.
#[derive(Debug, Object)]
pub struct ExportedConsentState {
    pub purpose: String,
    pub granted: bool,
    pub updated_at: DateTime<Utc>,
}

/// The export's `consents` section: where each purpose stands, and every
/// receipt a grant, refusal or withdrawal wrote.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedConsents {
    pub states: Vec<ExportedConsentState>,
    pub receipts: Vec<ConsentReceipt>,
}

/// `location` granted, with the receipt of the grant.
impl poem_openapi::types::Example for ExportedConsents {
    fn example() -> Self {
        let receipt = ConsentReceipt::example();
        Self {
            states: vec![ExportedConsentState {
                purpose: receipt.purpose.clone(),
                granted: receipt.granted,
                updated_at: receipt.timestamp,
            }],
            receipts: vec![receipt],
        }
    }
}

/// One entry of my processing log: which operation used which items.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedProcessing {
    pub operation_id: String,
    pub purpose: String,
    pub items: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The staff member who looked at my data, when it was staff.
    pub actor_id: Option<String>,
    /// Why, as they stated it.
    pub reason: Option<String>,
}

pub struct ConsentData;

#[async_trait]
impl PersonalData for ConsentData {
    fn stage(&self) -> Stage {
        Stage::Records
    }

    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<ExportedConsents>("consents"),
            Section::of::<Vec<ExportedProcessing>>("processing_log"),
        ]
    }

    fn items(&self) -> &'static [&'static str] {
        &[]
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "consents",
            "consent_receipts",
            "processing_log",
            "staff_actions",
        ]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let db = &state.db;
        let states: Vec<ExportedConsentState> = super::consents::all(db, user.as_str())
            .await?
            .into_iter()
            .map(|c| ExportedConsentState {
                purpose: c.purpose,
                granted: c.granted,
                updated_at: c.updated_at,
            })
            .collect();
        let receipts: Vec<ConsentReceipt> = consent_receipts::Entity::find()
            .filter(consent_receipts::Column::UserId.eq(user))
            .order_by_asc(consent_receipts::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|r| {
                let document = serde_json::from_str(&r.document)
                    .map_err(|e| crate::error::AppError::internal(anyhow::Error::new(e)))?;
                receipts::typed(document)
            })
            .collect::<AppResult<_>>()?;
        let log: Vec<ExportedProcessing> = processing_log::Entity::find()
            .filter(processing_log::Column::UserId.eq(user))
            .order_by_asc(processing_log::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|l| {
                let items = serde_json::from_str(&l.items)
                    .map_err(|e| crate::error::AppError::internal(anyhow::Error::new(e)))?;
                Ok(ExportedProcessing {
                    operation_id: l.operation_id,
                    purpose: l.purpose,
                    items,
                    created_at: l.created_at,
                    actor_id: l.actor_id,
                    reason: l.reason,
                })
            })
            .collect::<AppResult<_>>()?;
        let consents = ExportedConsents { states, receipts };
        Ok(vec![
            Section::value("consents", &consents),
            Section::value("processing_log", &log),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        // The audit trail stays (staff are accountable for what they did)
        // but no longer says whose data it was, nor which staff member
        // a departed one was.
        processing_log::Entity::update_many()
            .col_expr(
                processing_log::Column::ActorId,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(processing_log::Column::ActorId.eq(user))
            .exec(txn)
            .await?;
        for column in [
            staff_actions::Column::SubjectId,
            staff_actions::Column::StaffId,
        ] {
            staff_actions::Entity::update_many()
                .col_expr(
                    column,
                    sea_orm::sea_query::Expr::value(Option::<String>::None),
                )
                .filter(column.eq(user))
                .exec(txn)
                .await?;
        }
        if erasure.scope != Scope::Account {
            return Ok(AfterCommit::default());
        }
        delete_where::<consents::Entity>(txn, consents::Column::UserId, user).await?;
        delete_where::<consent_receipts::Entity>(txn, consent_receipts::Column::UserId, user)
            .await?;
        delete_where::<processing_log::Entity>(txn, processing_log::Column::UserId, user).await?;
        Ok(AfterCommit::default())
    }
}
