//! Prize claims as personal data: exported with the details in full,
//! cancelled (units back to stock) and deleted with the account; when
//! `prize_delivery` is withdrawn, the details of claims not yet shipped
//! are erased (they wait for details again); the catalog's tax period
//! after delivery, every claim's details are erased.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{enums::ClaimStatus, reward_claims as claims};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::{
    claims::{erase_details, open},
    views::{ClaimStatus as Status, DeliveryDetails},
};
use crate::{
    error::AppResult,
    identity::guardian,
    ids::UserId,
    privacy::{
        consents::WithdrawalEraser,
        registry::{AfterCommit, Erasure, PersonalData, Section},
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// One claim of mine in the export.
#[derive(Debug, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedClaim {
    pub id: String,
    pub prize_id: String,
    pub status: Status,
    pub price: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub details_erased_at: Option<DateTime<Utc>>,
    /// What I gave, in full.
    pub delivery: Option<DeliveryDetails>,
}

pub struct ClaimData;

#[async_trait]
impl PersonalData for ClaimData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedClaim>>("prize_claims")]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "real_name",
            "national_id_number",
            "contact_phone",
            "shipping_address",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["reward_claims"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows = claims::Entity::find()
            .filter(claims::Column::UserId.eq(user.as_str()))
            .order_by_asc(claims::Column::Id)
            .all(&state.db)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for c in rows {
            items.push(ExportedClaim {
                delivery: open(&state.crypto, &c)?,
                id: c.id,
                prize_id: c.prize_id,
                status: c.status.into(),
                price: c.price,
                carrier: c.carrier,
                tracking_number: c.tracking_number,
                created_at: c.created_at,
                submitted_at: c.submitted_at,
                shipped_at: c.shipped_at,
                delivered_at: c.delivered_at,
                cancelled_at: c.cancelled_at,
                details_erased_at: c.details_erased_at,
            });
        }
        Ok(vec![Section::value("prize_claims", &items)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        // Units not yet shipped go back to their prizes.
        super::redemption::cancel_pending(txn, user).await?;
        let rows = claims::Entity::delete_many()
            .filter(claims::Column::UserId.eq(user))
            .exec(txn)
            .await?
            .rows_affected;
        guardian::forget(txn, "prize_claim", None, Some(user)).await?;
        Ok(AfterCommit::rows(rows))
    }
}

/// Withdrawing `prize_delivery`: what I gave for claims not yet shipped is
/// erased, and they wait for details again; shipped ones keep theirs for
/// the tax period (the notice says so).
pub struct ClaimEraser;

#[async_trait]
impl WithdrawalEraser for ClaimEraser {
    fn purpose(&self) -> &'static str {
        "prize_delivery"
    }
    async fn erase(&self, txn: &DatabaseTransaction, user_id: &str) -> AppResult<AfterCommit> {
        let filter = claims::Column::UserId.eq(user_id).and(
            claims::Column::Status.is_in([ClaimStatus::AwaitingDetails, ClaimStatus::Submitted]),
        );
        Ok(AfterCommit::rows(erase_details(txn, filter).await?))
    }
}

/// The catalog's promise for `prize_delivery`: the tax period after
/// delivery (or after the claim's last step, for one never delivered),
/// the details go; the claim, its price and dates stay.
pub struct AfterTheTaxPeriod;

#[async_trait]
impl RetentionRule for AfterTheTaxPeriod {
    fn name(&self) -> &'static str {
        "prize_claim_details"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let configured = chrono::Duration::from_std(state.config.prize_delivery_retention)
            .map_err(crate::error::AppError::internal)?;
        let cutoff = Utc::now() - configured.min(period("prize_delivery")?);
        use sea_orm::sea_query::{Expr, Func};
        let last_step = Func::coalesce([
            Expr::col(claims::Column::DeliveredAt),
            Expr::col(claims::Column::ShippedAt),
            Expr::col(claims::Column::SubmittedAt),
        ]);
        let rows = erase_details(&state.db, Expr::expr(last_step).lt(cutoff)).await?;
        Ok(AfterCommit::rows(rows))
    }
}
