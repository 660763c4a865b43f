//! Registrations as personal data: exported with their full values,
//! erased with the account, erased when `event_registration` is withdrawn,
//! and deleted three months (or the configured period) after the event
//! ends, leaving on the event only how many ended in each status.
use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{event_registrations, events};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;

use super::{registrations, store, views::RegistrationStatus};
use crate::{
    error::AppResult,
    identity::views::Gender,
    ids::UserId,
    platform::{facts::Fact, references::UploadReferences},
    privacy::{
        consents::WithdrawalEraser,
        registry::{AfterCommit, Erasure, PersonalData, Section},
        retention::RetentionRule,
    },
    state::AppState,
};

/// One registration of mine, with what I gave, in the export.
#[derive(Debug, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedRegistration {
    pub id: String,
    pub event_id: String,
    pub event_title: Option<String>,
    pub status: RegistrationStatus,
    pub reason: Option<String>,
    pub real_name: Option<String>,
    pub gender: Option<Gender>,
    pub contact_phone: Option<String>,
    pub national_id_number: Option<String>,
    pub shipping_address: Option<String>,
    pub city: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// When what I gave was erased (withdrawn, or past retention).
    pub erased_at: Option<DateTime<Utc>>,
}

pub struct RegistrationData;

#[async_trait]
impl PersonalData for RegistrationData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedRegistration>>(
            "event_registrations",
        )]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "real_name",
            "gender",
            "contact_phone",
            "national_id_number",
            "shipping_address",
            "city",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["event_registrations"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows = event_registrations::Entity::find()
            .filter(event_registrations::Column::UserId.eq(user.as_str()))
            .order_by_asc(event_registrations::Column::Id)
            .all(&state.db)
            .await?;
        let titles = registrations::titles(&state.db, &rows).await?;
        let open = |v: &Option<String>| state.crypto.decrypt_opt(v);
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(ExportedRegistration {
                event_title: titles.get(&r.event_id).cloned(),
                real_name: open(&r.real_name).map_err(crate::error::AppError::internal)?,
                contact_phone: open(&r.contact_phone).map_err(crate::error::AppError::internal)?,
                national_id_number: open(&r.national_id)
                    .map_err(crate::error::AppError::internal)?,
                shipping_address: open(&r.shipping_address)
                    .map_err(crate::error::AppError::internal)?,
                id: r.id,
                event_id: r.event_id,
                status: r.status.into(),
                reason: r.reason,
                gender: r.gender.map(Into::into),
                city: r.city,
                created_at: r.created_at,
                decided_at: r.decided_at,
                erased_at: r.erased_at,
            });
        }
        Ok(vec![Section::value("event_registrations", &items)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let left = registrations::leave_all(txn, &erasure.user, true).await?;
        Ok(told(left))
    }
}

/// The rows a leaving registrant's registrations took, and a decision to
/// tell each registrant the waiting list moved up into their places.
fn told((rows, promoted): (u64, Vec<(String, String)>)) -> AfterCommit {
    let mut after = AfterCommit::rows(rows);
    after.facts = promoted
        .into_iter()
        .map(|(user, registration)| Fact::RegistrationDecided { user, registration })
        .collect();
    after
}

/// Withdrawing `event_registration`: every registration of mine is
/// cancelled and what I gave erased.
pub struct RegistrationEraser;

#[async_trait]
impl WithdrawalEraser for RegistrationEraser {
    fn purpose(&self) -> &'static str {
        "event_registration"
    }
    async fn erase(&self, txn: &DatabaseTransaction, user_id: &str) -> AppResult<AfterCommit> {
        Ok(told(registrations::leave_all(txn, user_id, false).await?))
    }
}

/// The catalog's promise for `event_registration`: what registrants gave
/// goes within three months after the event ended (sooner when
/// configured), and who registered with it; the event keeps the counts.
pub struct AfterTheEvent;

#[async_trait]
impl RetentionRule for AfterTheEvent {
    fn name(&self) -> &'static str {
        "event_registrations"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let cutoff = Utc::now() - state.config.event_registration_retention;
        let ended: Vec<String> = events::Entity::find()
            .select_only()
            .column(events::Column::Id)
            .filter(events::Column::EndsAt.lt(cutoff))
            .into_tuple()
            .all(&state.db)
            .await?;
        if ended.is_empty() {
            return Ok(AfterCommit::default());
        }
        let rows = close_out(&state.db, &ended).await?;
        // Guardians' consents for those events served them only.
        crate::identity::guardian::forget(&state.db, "event", Some(ended), None).await?;
        Ok(AfterCommit::rows(rows))
    }
}

/// Deletes the registrations of each of `events` (ended past retention),
/// first adding how many ended in each status to the event's counts; one
/// transaction per event, the event held as for a decision.
async fn close_out(db: &sea_orm::DatabaseConnection, events: &[String]) -> AppResult<u64> {
    use entity::enums::RegistrationStatus;
    use sea_orm::{sea_query::Expr, TransactionTrait};
    // Only the ended events that still hold registrations, in one query:
    // every event that ever ended is past the cutoff, run after run.
    let holding: Vec<String> = event_registrations::Entity::find()
        .select_only()
        .column(event_registrations::Column::EventId)
        .distinct()
        .filter(event_registrations::Column::EventId.is_in(events.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let mut deleted = 0;
    for event in &holding {
        let filter = event_registrations::Column::EventId.eq(event.as_str());
        let txn = db.begin().await?;
        super::review::hold(&txn, &crate::ids::EventId::from_stored(event.clone())).await?;
        let by_status: Vec<(RegistrationStatus, i64)> = event_registrations::Entity::find()
            .select_only()
            .column(event_registrations::Column::Status)
            .column_as(event_registrations::Column::Id.count(), "n")
            .filter(filter.clone())
            .group_by(event_registrations::Column::Status)
            .into_tuple()
            .all(&txn)
            .await?;
        let row = store::find(&txn, &crate::ids::EventId::from_stored(event.clone())).await?;
        let mut counts: super::views::RegistrationCounts = match &row.registration_counts {
            Some(json) => serde_json::from_str(json).map_err(crate::error::AppError::internal)?,
            None => Default::default(),
        };
        for (status, n) in by_status {
            counts.add(status, u64::try_from(n).unwrap_or(0));
        }
        let json = serde_json::to_string(&counts).map_err(crate::error::AppError::internal)?;
        events::Entity::update_many()
            .col_expr(events::Column::RegistrationCounts, Expr::value(json))
            .filter(events::Column::Id.eq(event.as_str()))
            .exec(&txn)
            .await?;
        deleted += event_registrations::Entity::delete_many()
            .filter(filter)
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
    }
    Ok(deleted)
}

/// Event covers are uploads the events show.
pub struct EventUploads;

#[async_trait]
impl UploadReferences for EventUploads {
    async fn in_use(
        &self,
        db: &DatabaseConnection,
        _owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>> {
        Ok(store::covers_among(db, ids).await?.into_iter().collect())
    }
}
