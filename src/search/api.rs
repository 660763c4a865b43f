//! `/me/search-history`.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::history;
use crate::ids::SearchEntryId;
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    error::{AppError, AppResult, ErrorCode},
    identity::BearerAuth,
    ids::CircleId,
    platform::search_index::{DocKind, Hit, SearchQuery},
    state::AppState,
};

pub struct SearchHistoryApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
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
        let rows = history::list(&state.db, auth.0.id.as_str(), &page).await?;
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
        id: Path<SearchEntryId>,
    ) -> AppResult<Deleted> {
        history::delete_one(&state.db, &auth.0.id, &id.0).await?;
        Ok(Deleted::Done)
    }

    /// Delete my whole search history.
    #[oai(path = "/", method = "delete", operation_id = "search_clear_history")]
    async fn clear(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<Deleted> {
        history::delete_all(&state.db, auth.0.id.as_str()).await?;
        Ok(Deleted::Done)
    }
}

pub struct SearchApi;

/// What a hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum HitKind {
    Post,
    User,
    Circle,
    Comment,
}

crate::convert::mirror!(HitKind, DocKind, [Post, User, Circle, Comment]);

/// What to search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum SearchType {
    /// Posts, by title and text.
    Posts,
    /// Profiles, by nickname and signature.
    Users,
    /// Circles, by name and description.
    Circles,
    /// Comments, by their text; each hit names its post.
    Comments,
}

/// One search result.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct SearchHit {
    /// `post`, `user`, `circle` or `comment`.
    #[oai(rename = "type")]
    pub kind: HitKind,
    /// The post's, user's, circle's or comment's id.
    pub id: String,
    /// The post title, the nickname or the circle name; for a comment, the
    /// title of its post.
    pub title: String,
    /// A passage with the matched words in `<b>`; for a comment, from its
    /// text.
    pub snippet: String,
    /// The circle of a post, or of a comment's post; null for plaza posts,
    /// users and circles.
    pub circle_id: Option<String>,
    /// The post to open: for a comment its post, for a post the post
    /// itself; null for users and circles.
    pub post_id: Option<String>,
    /// When the post, comment, account or circle was created.
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for SearchHit {
    fn example() -> Self {
        Self {
            kind: HitKind::Post,
            id: crate::api::examples::id("PostId"),
            title: "小米14 Ultra 夜景样张".into(),
            snippet: "Shot handheld at the Shenzhen Bay bridge, 1/4 s, ISO 1600. <b>夜景</b> mode…"
                .into(),
            circle_id: Some(crate::api::examples::id("CircleId")),
            post_id: Some(crate::api::examples::id("PostId")),
            created_at: crate::api::examples::time(28, 21, 40),
        }
    }
}

#[derive(ApiResponse)]
pub enum SearchResponse {
    /// Hits, best first.
    #[oai(status = 200)]
    Ok(Json<Page<SearchHit>>),
}

fn offset_of(cursor: Option<String>) -> crate::error::AppResult<usize> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(0),
        Some(c) => crate::api::Cursor::decode(&c)?
            .strip_prefix("o:")
            .and_then(|n| n.parse().ok())
            .filter(|n| *n <= 10_000)
            .ok_or_else(|| {
                crate::error::AppError::invalid(
                    "cursor",
                    "invalid",
                    "is not a cursor from this search",
                )
            }),
    }
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Search posts, users, circles or comments (Chinese and English).
    ///
    /// Signed-in users who granted `search_history` find the query in
    /// their history afterwards; nobody else's query is kept.
    #[oai(path = "/search", method = "get", operation_id = "search_query")]
    #[allow(clippy::too_many_arguments)]
    async fn search(
        &self,
        state: Data<&AppState>,
        viewer: crate::identity::caller::Viewer,
        /// What to look for, up to 200 characters.
        /// privacy: search_query for browsing, required
        q: Query<crate::api::text::SearchText>,
        /// `posts` (default), `users`, `circles` or `comments`.
        /// privacy: not personal
        #[oai(name = "type")]
        kind: Query<Option<SearchType>>,
        /// Only posts, or comments on posts, of this circle.
        /// privacy: not personal
        circle_id: Query<Option<CircleId>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
        req: &poem::Request,
    ) -> AppResult<SearchResponse> {
        // HEAD (a client probing the route) records nothing.
        let probing = req.extensions().get::<crate::api::HeadRequest>().is_some();
        let kind = kind.0.unwrap_or(SearchType::Posts);
        let query = query_of(q.0.as_str(), kind, circle_id.0, cursor.0, limit.0)?;
        let text = q.0.as_str().trim().to_owned();
        let (hits, next_cursor) = run(&state, query).await?;
        if let Some(user) = viewer.id().filter(|_| !probing) {
            // Recorded only with the optional grant, checked on each search.
            let granted = crate::privacy::consents::granted(&state.db, user).await?;
            if granted.contains("search_history") {
                history::record(&state.db, user, &text).await?;
            }
        }
        let items = hits.into_iter().map(hit_view).collect();
        Ok(SearchResponse::Ok(Json(Page { items, next_cursor })))
    }
}

/// The engine's query for a request; an empty `q` is a 400 naming it.
fn query_of(
    q: &str,
    kind: SearchType,
    circle_id: Option<CircleId>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> AppResult<SearchQuery> {
    let text = q.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::invalid("q", "required", "must not be empty"));
    }
    let page = PageParams::parse(None, limit)?;
    let kind = match kind {
        SearchType::Posts => DocKind::Post,
        SearchType::Users => DocKind::User,
        SearchType::Circles => DocKind::Circle,
        SearchType::Comments => DocKind::Comment,
    };
    Ok(SearchQuery {
        text: words_of(&text),
        kind,
        circle_id: circle_id
            .filter(|_| matches!(kind, DocKind::Post | DocKind::Comment))
            .map(CircleId::into_inner),
        offset: offset_of(cursor)?,
        limit: page.limit as usize,
    })
}

/// What the engines search for: the query's words only. Punctuation and
/// symbols become spaces, so that neither engine reads its own syntax into
/// a user's text (tantivy's `*`, `field:`, `AND`; Meilisearch's `-word`
/// and quotes): the same query means the same on both.
fn words_of(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One page of hits and the cursor of the next; 503 when the engine fails.
/// A query with no letter or digit (`!!!`, `。。。`, `*`) has no word to
/// look for: an empty page, on every engine (Meilisearch would otherwise
/// take it as "everything").
async fn run(state: &AppState, query: SearchQuery) -> AppResult<(Vec<Hit>, Option<String>)> {
    if query.text.is_empty() {
        return Ok((Vec::new(), None));
    }
    let (offset, limit) = (query.offset, query.limit);
    let mut hits = state.search.search(query).await.map_err(|err| {
        tracing::warn!(error = %format!("{err:#}"), "search failed");
        AppError::new(ErrorCode::Unavailable, "search is unavailable right now")
    })?;
    let next_cursor = (hits.len() > limit).then(|| {
        hits.truncate(limit);
        crate::api::Cursor::encode(&format!("o:{}", offset + hits.len()))
    });
    Ok((hits, next_cursor))
}

fn hit_view(h: Hit) -> SearchHit {
    SearchHit {
        kind: h.kind.into(),
        post_id: match h.kind {
            DocKind::Post => Some(h.id.clone()),
            _ => h.post_id,
        },
        id: h.id,
        title: h.title,
        snippet: h.snippet,
        circle_id: h.circle_id,
        created_at: h.created_at,
    }
}

impl poem_openapi::types::Example for HistoryEntry {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("SearchEntryId"),
            query: "小米15 夜景".into(),
            created_at: crate::api::examples::time(30, 7, 45),
        }
    }
}
