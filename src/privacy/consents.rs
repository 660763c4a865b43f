//! Grants, refusals and withdrawals, each with an immutable receipt; a
//! withdrawal erases at once what was held only for the purpose.
use std::{collections::HashSet, sync::Arc};

use async_trait::async_trait;
use chrono::Utc;
use entity::{consent_receipts, consents};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{json, Value};

use super::{
    catalog::{self, Purpose, Withdrawal},
    notice,
    registry::AfterCommit,
};
use crate::{
    api::PageParams,
    error::{AppError, AppResult, ErrorCode},
};

/// What a purpose's owner erases when the purpose is withdrawn.
#[async_trait]
pub trait WithdrawalEraser: Send + Sync + 'static {
    fn purpose(&self) -> &'static str;
    /// Deletes what is held only for the purpose, inside the withdrawal's
    /// transaction; files and derived pages go once it committed.
    async fn erase(&self, txn: &DatabaseTransaction, user_id: &str) -> AppResult<AfterCommit>;
}

#[derive(Clone, Default)]
pub struct Erasers(Vec<Arc<dyn WithdrawalEraser>>);

impl Erasers {
    pub fn register(&mut self, eraser: Arc<dyn WithdrawalEraser>) {
        self.0.push(eraser);
    }

    /// The purposes some area erases on withdrawal.
    pub fn purposes(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.purpose()).collect()
    }

    fn for_purpose<'a>(
        &'a self,
        purpose: &'a str,
    ) -> impl Iterator<Item = &'a Arc<dyn WithdrawalEraser>> + 'a {
        self.0.iter().filter(move |e| e.purpose() == purpose)
    }
}

/// What a consent change was: the receipt's `action`.
pub use entity::enums::ConsentAction as Action;

/// What a user chose, purpose by purpose, read in one query.
#[derive(Debug, Default)]
pub struct Choices {
    /// Purposes explicitly granted.
    pub granted: HashSet<String>,
    /// Purposes explicitly refused or withdrawn.
    pub refused: HashSet<String>,
}

pub async fn choices(db: &impl ConnectionTrait, user_id: &str) -> AppResult<Choices> {
    let mut out = Choices::default();
    for c in consents::Entity::find()
        .filter(consents::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        if c.granted {
            out.granted.insert(c.purpose);
        } else {
            out.refused.insert(c.purpose);
        }
    }
    Ok(out)
}

/// Purposes the user has explicitly granted.
pub async fn granted(db: &impl ConnectionTrait, user_id: &str) -> AppResult<HashSet<String>> {
    Ok(choices(db, user_id).await?.granted)
}

pub async fn all(db: &impl ConnectionTrait, user_id: &str) -> AppResult<Vec<consents::Model>> {
    Ok(consents::Entity::find()
        .filter(consents::Column::UserId.eq(user_id))
        .all(db)
        .await?)
}

/// What every receipt says of itself: its format, how and in which
/// language consent was collected, and what kind of consent it is.
pub const RECEIPT_VERSION: &str = "KI-CR-v1.1.0";
pub const COLLECTION_METHOD: &str = "api";
pub const RECEIPT_LANGUAGE: &str = "en";
pub const CONSENT_TYPE: &str = "explicit";
/// Where a receipt points for the notice it was given under.
pub const POLICY_URL: &str = "/api/v1/privacy/notice";

/// The Kantara v1.1 / ISO/IEC TS 27560 consent receipt.
pub fn receipt(
    id: &str,
    user_id: &str,
    purpose: &Purpose,
    action: Action,
    at: chrono::DateTime<Utc>,
) -> Value {
    let items: Vec<Value> = purpose
        .item_defs()
        .map(|i| json!({ "item": i.key, "category": i.category, "dpv": i.dpv, "sensitivity": i.sensitivity }))
        .collect();
    json!({
        "receipt_version": RECEIPT_VERSION,
        "receipt_id": id,
        "timestamp": at.to_rfc3339(),
        "jurisdiction": catalog::JURISDICTION,
        "collection_method": COLLECTION_METHOD,
        "language": RECEIPT_LANGUAGE,
        "controller": { "name": catalog::CONTROLLER, "contact": catalog::CONTROLLER_CONTACT },
        "pii_principal_id": user_id,
        "notice_version": notice::version(),
        "policy_url": POLICY_URL,
        "purpose": purpose.key,
        "purpose_description": purpose.description_en,
        "action": action,
        "granted": action == Action::Grant,
        "consent_type": CONSENT_TYPE,
        "legal_basis": purpose.legal_basis.dpv(),
        "necessity": purpose.necessity,
        "items": items,
        "sensitive": !purpose.sensitive_items().is_empty(),
        "retention": purpose.retention.rule(),
        "termination": purpose.end_action,
        "third_parties": [],
        "third_party_disclosure": false,
    })
}

/// Writes the grant state and its receipt, inside `txn`.
pub async fn record(
    txn: &DatabaseTransaction,
    user_id: &str,
    purpose: &Purpose,
    action: Action,
) -> AppResult<Value> {
    let now = Utc::now();
    let row = consents::ActiveModel {
        user_id: Set(user_id.to_owned()),
        purpose: Set(purpose.key.to_owned()),
        granted: Set(action == Action::Grant),
        updated_at: Set(now),
    };
    consents::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([consents::Column::UserId, consents::Column::Purpose])
                .update_columns([consents::Column::Granted, consents::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(txn)
        .await?;
    let id = uuid::Uuid::now_v7().to_string();
    let document = receipt(&id, user_id, purpose, action, now);
    consent_receipts::Entity::insert(consent_receipts::ActiveModel {
        id: Set(id),
        user_id: Set(user_id.to_owned()),
        purpose: Set(purpose.key.to_owned()),
        action: Set(action),
        document: Set(document.to_string()),
        created_at: Set(now),
    })
    .exec(txn)
    .await?;
    Ok(document)
}

/// `PUT /me/consents/{purpose}`: one call, effective at once. A withdrawal
/// (or a refusal: an essential purpose may have collected without a grant)
/// erases what is held only for the purpose; the caller deletes the files
/// and drops the pages in the returned [`AfterCommit`].
pub async fn set(
    db: &sea_orm::DatabaseConnection,
    erasers: &Erasers,
    user_id: &str,
    purpose: &'static Purpose,
    grant: bool,
) -> AppResult<(Value, AfterCommit)> {
    let txn = db.begin().await?;
    let was_granted = consents::Entity::find_by_id((user_id.to_owned(), purpose.key.to_owned()))
        .lock_exclusive()
        .one(&txn)
        .await?
        .is_some_and(|c| c.granted);
    let action = match (grant, was_granted) {
        (true, _) => Action::Grant,
        (false, true) => Action::Withdrawal,
        (false, false) => Action::Refusal,
    };
    if !grant && purpose.withdrawal == Withdrawal::ByDeregistration {
        return Err(AppError::new(
            ErrorCode::ConsentNotWithdrawable,
            format!(
                "`{}` is essential to the account: deregister (POST /me/deregistration) to end it",
                purpose.key
            ),
        ));
    }
    let mut erased = AfterCommit::default();
    if !grant {
        for eraser in erasers.for_purpose(purpose.key) {
            erased.extend(eraser.erase(&txn, user_id).await?);
        }
        tracing::info!(
            purpose = purpose.key,
            rows = erased.rows,
            files = erased.media_keys.len(),
            "consent withdrawn"
        );
    }
    let document = record(&txn, user_id, purpose, action).await?;
    txn.commit().await?;
    Ok((document, erased))
}

pub async fn receipts(
    db: &impl ConnectionTrait,
    user_id: &str,
    page: &PageParams,
) -> AppResult<Vec<consent_receipts::Model>> {
    let mut query = consent_receipts::Entity::find()
        .filter(consent_receipts::Column::UserId.eq(user_id))
        .order_by_desc(consent_receipts::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(consent_receipts::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}
