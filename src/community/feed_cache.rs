//! The feeds' pages in the shared cache. Each feed (the plaza, a circle)
//! has a generation: a change to any post it may show (new, edited,
//! liked, commented, hidden, deleted, erased) starts a new one, and pages
//! are kept under the generation they were read in. A read that began
//! before a change therefore never serves after it, even if it stores its
//! page late. The first page is kept whole, as sent; any other page as the
//! ids it lists, its items assembled from the kept copy of each post.
use std::{collections::HashMap, time::Duration};

use bytes::Bytes;
use entity::posts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    cached::{keep, post_key, read},
    dto::post_views,
    feeds::Sort,
};
use crate::{api::stored::StoredJson, error::AppResult, platform::copies, state::AppState};

/// A generation outlives the pages kept under it by far.
const GENERATION_TTL: Duration = Duration::from_secs(24 * 3600);

/// A page as the cache gives it: the posts it lists (for the viewer's
/// overlay) and the bytes everyone is sent.
pub struct FeedPage {
    pub ids: Vec<String>,
    pub bytes: Bytes,
}

fn scope(circle: Option<&str>) -> String {
    match circle {
        Some(c) => format!("circle:{c}"),
        None => "plaza".to_owned(),
    }
}

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Hot => "hot",
        Sort::New => "new",
    }
}

/// Starts a new generation of the feed `circle` (or the plaza) and
/// answers it.
async fn start_generation(state: &AppState, circle: Option<&str>) -> String {
    let fresh = uuid::Uuid::now_v7().simple().to_string();
    let key = format!("feed:gen:{}", scope(circle));
    copies::keep(state.cache.as_ref(), &key, fresh.as_bytes(), GENERATION_TTL).await;
    fresh
}

/// The feed's current generation (a new one when none is kept).
pub async fn generation(state: &AppState, circle: Option<&str>) -> String {
    let key = format!("feed:gen:{}", scope(circle));
    if let Some(found) = read(state, &key).await {
        if let Ok(generation) = String::from_utf8(found.to_vec()) {
            return generation;
        }
    }
    start_generation(state, circle).await
}

/// Starts a new generation of the plaza and of each circle named: their
/// kept pages are not served again.
pub async fn renew(state: &AppState, circles: &[Option<&str>]) {
    start_generation(state, None).await;
    for circle in circles.iter().flatten() {
        start_generation(state, Some(circle)).await;
    }
}

/// Every page of every feed, of any generation, and the generations: for
/// an erasure, after which no copy of what it erased may stay.
pub async fn forget_all(state: &AppState) {
    copies::forget_prefix(state.cache.as_ref(), "feed:").await;
}

/// Where a page is kept: its feed, order and generation, and for any but
/// the first its size and cursor.
pub struct PageKey(String);

impl PageKey {
    pub fn new(
        circle: Option<&str>,
        sort: Sort,
        generation: &str,
        rest: Option<(u64, &str)>,
    ) -> Self {
        let base = format!("feed:{}:{}:{generation}", scope(circle), sort_name(sort));
        Self(match rest {
            None => base,
            Some((limit, cursor)) => format!("{base}:{limit}:{cursor}"),
        })
    }
}

/// Stored as `id,id,…\n{json}` (first pages) or `id,id,…\n{cursor}`
/// (others): ids never hold a comma or a newline.
fn split(stored: &Bytes) -> Option<(Vec<String>, Bytes)> {
    let at = stored.iter().position(|&b| b == b'\n')?;
    let ids = std::str::from_utf8(&stored[..at])
        .ok()?
        .split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    Some((ids, stored.slice(at + 1..)))
}

fn join(ids: &[String], rest: &[u8]) -> Vec<u8> {
    let mut stored = ids.join(",").into_bytes();
    stored.push(b'\n');
    stored.extend_from_slice(rest);
    stored
}

/// A first page kept whole.
pub async fn first_page(state: &AppState, key: &PageKey) -> Option<FeedPage> {
    let (ids, bytes) = split(&read(state, &key.0).await?)?;
    Some(FeedPage { ids, bytes })
}

pub async fn keep_first_page(state: &AppState, key: &PageKey, page: &FeedPage) {
    keep(state, &key.0, &join(&page.ids, &page.bytes)).await;
}

/// Any other page: its ids and the next cursor, assembled again from the
/// posts' copies.
pub async fn later_page(state: &AppState, key: &PageKey) -> AppResult<Option<FeedPage>> {
    let Some((ids, cursor)) = read(state, &key.0).await.as_ref().and_then(split) else {
        return Ok(None);
    };
    let cursor = String::from_utf8(cursor.to_vec())
        .ok()
        .filter(|c| !c.is_empty());
    let items = post_copies(state, &ids, Vec::new()).await?;
    let bytes = page_bytes(&items, cursor.as_deref());
    Ok(Some(FeedPage { ids, bytes }))
}

pub async fn keep_later_page(
    state: &AppState,
    key: &PageKey,
    ids: &[String],
    cursor: Option<&str>,
) {
    let stored = join(ids, cursor.unwrap_or_default().as_bytes());
    keep(state, &key.0, &stored).await;
}

/// The views of the posts `ids` as anonymous readers get them, in that
/// order: the kept copies, and those missing built in one batch (from
/// `rows`, or read) and kept, for posts anyone may read. A post gone
/// since is left out.
pub async fn post_copies(
    state: &AppState,
    ids: &[String],
    rows: Vec<posts::Model>,
) -> AppResult<Vec<Bytes>> {
    let keys: Vec<String> = ids.iter().map(|id| post_key(id)).collect();
    let mut found = copies::get_many(state.cache.as_ref(), &keys).await;
    let missing: Vec<&String> = ids
        .iter()
        .zip(&found)
        .filter(|(_, copy)| copy.is_none())
        .map(|(id, _)| id)
        .collect();
    if missing.is_empty() {
        return Ok(found.into_iter().flatten().collect());
    }
    let mut rows: HashMap<String, posts::Model> =
        rows.into_iter().map(|p| (p.id.clone(), p)).collect();
    let unread: Vec<String> = missing
        .iter()
        .filter(|id| !rows.contains_key(id.as_str()))
        .map(|id| id.to_string())
        .collect();
    if !unread.is_empty() {
        let read = posts::Entity::find()
            .filter(posts::Column::Id.is_in(unread))
            .filter(posts::Column::DeletedAt.is_null())
            .filter(posts::Column::Hidden.eq(false))
            .all(&state.read_db)
            .await?;
        rows.extend(read.into_iter().map(|p| (p.id.clone(), p)));
    }
    let missing: Vec<posts::Model> = missing.iter().filter_map(|id| rows.remove(*id)).collect();
    // Only a post anyone may read is kept (what `GET /posts/{id}` serves
    // from the copy without looking again).
    let open: HashMap<String, bool> = missing
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                p.gate.is_none() && !p.hidden && p.deleted_at.is_none(),
            )
        })
        .collect();
    let mut built: HashMap<String, Bytes> = HashMap::new();
    for view in post_views(state, missing, None).await? {
        let bytes = StoredJson::encode(&view).bytes().clone();
        if open.get(&view.id).copied().unwrap_or(false) {
            keep(state, &post_key(&view.id), &bytes).await;
        }
        built.insert(view.id, bytes);
    }
    for (id, slot) in ids.iter().zip(found.iter_mut()) {
        if slot.is_none() {
            *slot = built.remove(id);
        }
    }
    Ok(found.into_iter().flatten().collect())
}

/// A page's JSON from its items' JSON, as `StoredJson<Page<…>>` writes it.
pub fn page_bytes(items: &[Bytes], next_cursor: Option<&str>) -> Bytes {
    let size = items.iter().map(Bytes::len).sum::<usize>() + items.len() + 64;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"{\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.push(b']');
    if let Some(cursor) = next_cursor {
        out.extend_from_slice(b",\"next_cursor\":");
        out.extend_from_slice(serde_json::Value::from(cursor).to_string().as_bytes());
    }
    out.push(b'}');
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::Example;

    use super::*;
    use crate::{api::page::Page, community::dto::PostView};

    #[test]
    fn a_page_assembled_from_copies_is_the_page_serialised_whole() {
        let mut second = PostView::example();
        second.id = "0190a0b0-0000-7000-8000-00000000000b".into();
        second.title = "引号 \" 和反斜杠 \\ 也一样".into();
        second.author = None;
        for cursor in [None, Some("MXwxLjV8YWJj\"".to_owned())] {
            let page = Page {
                items: vec![PostView::example(), second.clone()],
                next_cursor: cursor.clone(),
            };
            let whole = StoredJson::encode(&page);
            let items: Vec<Bytes> = page
                .items
                .iter()
                .map(|p| StoredJson::encode(p).bytes().clone())
                .collect();
            assert_eq!(page_bytes(&items, cursor.as_deref()), whole.bytes());
        }
        let empty: Page<PostView> = Page {
            items: vec![],
            next_cursor: None,
        };
        assert_eq!(page_bytes(&[], None), StoredJson::encode(&empty).bytes());
    }

    #[test]
    fn a_kept_page_reads_back_as_kept() {
        let ids = vec!["a".to_owned(), "b".to_owned()];
        let stored = Bytes::from(join(&ids, b"{\"items\":[]}\n"));
        let (read, rest) = split(&stored).unwrap();
        assert_eq!(read, ids);
        assert_eq!(&rest[..], b"{\"items\":[]}\n");
        let (none, rest) = split(&Bytes::from(join(&[], b""))).unwrap();
        assert!(none.is_empty() && rest.is_empty());
    }
}
