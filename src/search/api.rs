//! `/me/search-history`.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::history;
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    auth::BearerAuth,
    error::AppResult,
    state::AppState,
};

pub struct SearchHistoryApi;

#[derive(Debug, Object)]
pub struct HistoryEntry {
    pub id: String,
    pub query: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum HistoryResponse {
    /// My recent searches, newest first (at most 100 are kept).
    #[oai(status = 200)]
    Ok(Json<Page<HistoryEntry>>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/me/search-history", tag = "ApiTags::Search")]
impl SearchHistoryApi {
    /// My recent searches.
    #[oai(path = "/", method = "get", operation_id = "search_list_history")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<HistoryResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = history::list(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| HistoryEntry {
                id: r.id,
                query: r.query,
                created_at: r.created_at,
            })
            .collect();
        Ok(HistoryResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Delete one search from my history.
    #[oai(
        path = "/:id",
        method = "delete",
        operation_id = "search_delete_history_entry"
    )]
    async fn delete_one(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The entry id.
        /// privacy: not personal
        id: Path<String>,
    ) -> AppResult<Deleted> {
        history::delete_one(&state.db, &auth.0.id, &id.0).await?;
        Ok(Deleted::Done)
    }

    /// Delete my whole search history.
    #[oai(path = "/", method = "delete", operation_id = "search_clear_history")]
    async fn clear(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<Deleted> {
        history::delete_all(&state.db, &auth.0.id).await?;
        Ok(Deleted::Done)
    }
}
