//! The consent layer's own records as personal data: consent states, the
//! receipts, and the processing log. They belong to the account: erased
//! with it, kept when only the community service closes.
use async_trait::async_trait;
use entity::{consent_receipts, consents, processing_log};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

use super::registry::{delete_where, AfterCommit, Erasure, PersonalData, Scope, Stage};
use crate::{error::AppResult, state::AppState};

pub struct ConsentData;

#[async_trait]
impl PersonalData for ConsentData {
    fn stage(&self) -> Stage {
        Stage::Records
    }

    fn sections(&self) -> &'static [&'static str] {
        &["consents", "processing_log"]
    }

    fn items(&self) -> &'static [&'static str] {
        &[]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["consents", "consent_receipts", "processing_log"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let db = &state.db;
        let states: Vec<Value> = super::consents::all(db, user.as_str())
            .await?
            .into_iter()
            .map(|c| json!({ "purpose": c.purpose, "granted": c.granted, "updated_at": c.updated_at }))
            .collect();
        let receipts: Vec<Value> = consent_receipts::Entity::find()
            .filter(consent_receipts::Column::UserId.eq(user))
            .order_by_asc(consent_receipts::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|r| serde_json::from_str(&r.document).unwrap_or(Value::String(r.document)))
            .collect();
        let log: Vec<Value> = processing_log::Entity::find()
            .filter(processing_log::Column::UserId.eq(user))
            .order_by_asc(processing_log::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|l| {
                let items: Value = serde_json::from_str(&l.items).unwrap_or(Value::String(l.items));
                json!({ "operation_id": l.operation_id, "purpose": l.purpose, "items": items, "created_at": l.created_at })
            })
            .collect();
        Ok(vec![
            (
                "consents",
                json!({ "states": states, "receipts": receipts }),
            ),
            ("processing_log", log.into()),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        if erasure.scope != Scope::Account {
            return Ok(AfterCommit::default());
        }
        let user = erasure.user.as_str();
        delete_where::<consents::Entity>(txn, consents::Column::UserId, user).await?;
        delete_where::<consent_receipts::Entity>(txn, consent_receipts::Column::UserId, user)
            .await?;
        delete_where::<processing_log::Entity>(txn, processing_log::Column::UserId, user).await?;
        Ok(AfterCommit::default())
    }
}
