//! `/plaza` and `/circles/{id}/posts`: the feeds, the first page of each
//! shared through the cache, with what is the viewer's overlaid.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    ApiResponse, OpenApi,
};

use super::{
    circles,
    dto::{liked_posts, PostView},
    feed_cache::{self, FeedPage, PageKey},
    feeds::{self, FeedKey, Sort},
};
use crate::ids::{CircleId, UserId};
use crate::{
    api::{
        page::{split_page, Page},
        stored::StoredJson,
        ApiTags, PageParams,
    },
    error::{AppError, AppResult},
    identity::caller::Viewer,
    privacy::consents,
    state::AppState,
};

pub struct FeedsApi;

#[derive(ApiResponse)]
pub enum FeedResponse {
    /// A page of posts: pinned first, then by the chosen order.
    #[oai(status = 200)]
    Ok(StoredJson<Page<PostView>>),
}

async fn feed(
    state: &AppState,
    viewer: Option<&UserId>,
    circle_id: Option<&CircleId>,
    sort: Option<Sort>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> AppResult<FeedResponse> {
    let page = PageParams::parse(None, limit)?;
    let sort = sort.unwrap_or(Sort::Hot);
    let cursor_text = cursor.filter(|c| !c.is_empty());
    let after = cursor_text.as_deref().map(FeedKey::parse).transpose()?;
    if let (Some(user), None, Sort::Hot) = (viewer, circle_id, sort) {
        if let Some(own) = personalized(state, user, after.clone(), page.limit).await? {
            return Ok(FeedResponse::Ok(overlay(state, viewer, own).await?));
        }
    }
    // Pages are kept under the feed's generation: the first whole, any
    // other as its ids.
    let circle = circle_id.map(CircleId::as_str);
    let generation = feed_cache::generation(state, circle).await;
    let first = after.is_none() && limit.is_none();
    let rest = (!first).then(|| (page.limit, cursor_text.as_deref().unwrap_or_default()));
    let key = PageKey::new(circle, sort, &generation, rest);
    let hit = match first {
        true => feed_cache::first_page(state, &key).await,
        false => feed_cache::later_page(state, &key).await?,
    };
    let shared = match hit {
        Some(hit) => hit,
        None => {
            let rows = feeds::page(&state.read_db, circle, sort, after, page.limit).await?;
            let (rows, next_cursor) = split_page(rows, page.limit, FeedKey::of);
            let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
            let items = feed_cache::post_copies(state, &ids, rows).await?;
            let bytes = feed_cache::page_bytes(&items, next_cursor.as_deref());
            let fresh = FeedPage { ids, bytes };
            match first {
                true => feed_cache::keep_first_page(state, &key, &fresh).await,
                false => {
                    let next = next_cursor.as_deref();
                    feed_cache::keep_later_page(state, &key, &fresh.ids, next).await;
                }
            }
            fresh
        }
    };
    Ok(FeedResponse::Ok(overlay(state, viewer, shared).await?))
}

/// The shared page as this viewer sees it: sent as stored unless they
/// liked something on it, then with their `liked_by_me` set.
async fn overlay(
    state: &AppState,
    viewer: Option<&UserId>,
    shared: FeedPage,
) -> AppResult<StoredJson<Page<PostView>>> {
    let liked = liked_posts(&state.read_db, viewer.map(UserId::as_str), shared.ids).await?;
    if liked.is_empty() {
        return Ok(StoredJson::from_stored(shared.bytes));
    }
    let mut page: serde_json::Value = serde_json::from_slice(&shared.bytes)
        .map_err(|err| AppError::internal(anyhow::anyhow!("a cached feed page: {err}")))?;
    let items = page.get_mut("items").and_then(|v| v.as_array_mut());
    for item in items.into_iter().flatten() {
        let mine = item
            .get("id")
            .and_then(|id| id.as_str())
            .is_some_and(|id| liked.contains(id));
        if mine {
            item["liked_by_me"] = serde_json::Value::Bool(true);
        }
    }
    Ok(StoredJson::from_stored(page.to_string()))
}

/// The hot plaza boosted by the viewer's circles, when they granted
/// personalized recommendations (checked on every request, so that a
/// withdrawal applies at once) and joined any.
async fn personalized(
    state: &AppState,
    user: &UserId,
    after: Option<FeedKey>,
    limit: u64,
) -> AppResult<Option<FeedPage>> {
    let granted = consents::granted(&state.read_db, user.as_str()).await?;
    if !granted.contains("personalized_recommendations") {
        return Ok(None);
    }
    let joined = circles::joined_all(&state.read_db, user).await?;
    if joined.is_empty() {
        return Ok(None);
    }
    let rows = feeds::boosted_page(&state.read_db, &joined, after, limit).await?;
    let (rows, next_cursor) = split_page(rows, limit, |(p, score)| FeedKey::with_score(p, *score));
    let rows: Vec<_> = rows.into_iter().map(|(p, _)| p).collect();
    let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
    let items = feed_cache::post_copies(state, &ids, rows).await?;
    let bytes = feed_cache::page_bytes(&items, next_cursor.as_deref());
    Ok(Some(FeedPage { ids, bytes }))
}

#[OpenApi(tag = "ApiTags::Community")]
impl FeedsApi {
    /// The public feed: every circle and the plaza.
    #[oai(path = "/plaza", method = "get", operation_id = "feeds_plaza")]
    async fn plaza(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// `hot` (default) or `new`.
        /// privacy: not personal
        sort: Query<Option<Sort>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<FeedResponse> {
        feed(&state, viewer.user_id(), None, sort.0, cursor.0, limit.0).await
    }

    /// A circle's feed.
    #[oai(
        path = "/circles/:id/posts",
        method = "get",
        operation_id = "feeds_circle"
    )]
    async fn circle_feed(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// privacy: not personal
        id: Path<CircleId>,
        /// `hot` (default) or `new`.
        /// privacy: not personal
        sort: Query<Option<Sort>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<FeedResponse> {
        super::closed::circle_for(&state, &id.0, viewer.0.as_ref()).await?;
        feed(
            &state,
            viewer.user_id(),
            Some(&id.0),
            sort.0,
            cursor.0,
            limit.0,
        )
        .await
    }
}
