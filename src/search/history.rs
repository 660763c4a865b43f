//! Search history: the last 100 queries, newest first, deduplicated.
use async_trait::async_trait;
use chrono::Utc;
use entity::search_history;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::ids::{SearchEntryId, UserId};
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    privacy::consents::WithdrawalEraser,
};

pub const KEEP: u64 = 100;

/// Records a query: a repeat moves to the top; only the last 100 stay.
/// Callers check the `search_history` grant first.
pub async fn record(db: &impl ConnectionTrait, user_id: &str, query: &str) -> AppResult<()> {
    search_history::Entity::delete_many()
        .filter(search_history::Column::UserId.eq(user_id))
        .filter(search_history::Column::Query.eq(query))
        .exec(db)
        .await?;
    search_history::Entity::insert(search_history::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(user_id.to_owned()),
        query: Set(query.to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await?;
    let stale: Vec<String> = search_history::Entity::find()
        .filter(search_history::Column::UserId.eq(user_id))
        .order_by_desc(search_history::Column::Id)
        .offset(KEEP)
        .limit(1000)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if !stale.is_empty() {
        search_history::Entity::delete_many()
            .filter(search_history::Column::Id.is_in(stale))
            .exec(db)
            .await?;
    }
    Ok(())
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: &str,
    page: &PageParams,
) -> AppResult<Vec<search_history::Model>> {
    let mut query = search_history::Entity::find()
        .filter(search_history::Column::UserId.eq(user_id))
        .order_by_desc(search_history::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(search_history::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

pub async fn delete_one(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    id: &SearchEntryId,
) -> AppResult<()> {
    let res = search_history::Entity::delete_many()
        .filter(search_history::Column::UserId.eq(user_id))
        .filter(search_history::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::not_found("search history entry"));
    }
    Ok(())
}

pub async fn delete_all(db: &impl ConnectionTrait, user_id: &str) -> AppResult<u64> {
    Ok(search_history::Entity::delete_many()
        .filter(search_history::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Withdrawing `search_history` deletes the whole history.
pub struct HistoryEraser;

#[async_trait]
impl WithdrawalEraser for HistoryEraser {
    fn purpose(&self) -> &'static str {
        "search_history"
    }
    async fn erase(
        &self,
        txn: &DatabaseTransaction,
        user_id: &str,
    ) -> AppResult<crate::privacy::registry::AfterCommit> {
        Ok(crate::privacy::registry::AfterCommit::rows(
            delete_all(txn, user_id).await?,
        ))
    }
}

/// Search history as personal data: exported, and erased with the service.
pub struct HistoryData;

/// One query of mine, in the export's `search_history` section.
#[derive(Debug, poem_openapi::Object)]
pub struct ExportedSearch {
    pub query: String,
    pub created_at: chrono::DateTime<Utc>,
}

#[async_trait::async_trait]
impl crate::privacy::registry::PersonalData for HistoryData {
    fn sections(&self) -> Vec<crate::privacy::registry::Section> {
        vec![crate::privacy::registry::Section::of::<Vec<ExportedSearch>>("search_history")]
    }

    fn items(&self) -> &'static [&'static str] {
        &["search_query"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["search_history"]
    }

    async fn export(
        &self,
        state: &crate::state::AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, serde_json::Value)>> {
        let rows = search_history::Entity::find()
            .filter(search_history::Column::UserId.eq(user))
            .order_by_desc(search_history::Column::Id)
            .all(&state.db)
            .await?;
        let items: Vec<ExportedSearch> = rows
            .into_iter()
            .map(|r| ExportedSearch {
                query: r.query,
                created_at: r.created_at,
            })
            .collect();
        Ok(vec![crate::privacy::registry::Section::value(
            "search_history",
            &items,
        )])
    }

    async fn erase(
        &self,
        _state: &crate::state::AppState,
        txn: &DatabaseTransaction,
        erasure: &crate::privacy::registry::Erasure,
    ) -> AppResult<crate::privacy::registry::AfterCommit> {
        delete_all(txn, &erasure.user).await?;
        Ok(Default::default())
    }
}
