//! What community keeps in the shared cache, as the very bytes it sends:
//! the first page of each feed, a post as an anonymous reader sees it and
//! the first page of the circle list. Each copy goes as soon as a write
//! that changes what it shows has committed, so the next read is fresh.
//! The time to live bounds what no invalidation covers: a read that began
//! before a write and stores its older copy after it, and counts moved by
//! someone else's erasure or a level that grew.
use std::time::Duration;

use bytes::Bytes;
use entity::posts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{
    dto::{post_views, CircleKind},
    feeds::Sort,
};
use crate::{
    api::stored::StoredJson,
    error::AppResult,
    platform::{
        cache::copies,
        facts::{Fact, Subscriber},
    },
    state::AppState,
};

const TTL: Duration = Duration::from_secs(30);

fn feed_key(circle: Option<&str>, sort: Sort) -> String {
    let sort = match sort {
        Sort::Hot => "hot",
        Sort::New => "new",
    };
    match circle {
        Some(c) => format!("feed:circle:{c}:{sort}"),
        None => format!("feed:plaza:{sort}"),
    }
}

fn post_key(id: &str) -> String {
    format!("view:post:{id}")
}

fn circles_key(kind: Option<CircleKind>) -> String {
    format!("view:circles:{}", kind.map_or("all", CircleKind::as_str))
}

async fn read(state: &AppState, key: &str) -> Option<Bytes> {
    copies::get(state.cache.as_ref(), key).await
}

async fn keep(state: &AppState, key: &str, bytes: &[u8]) {
    copies::keep(state.cache.as_ref(), key, bytes, TTL).await;
}

async fn drop_keys(state: &AppState, keys: &[String]) {
    copies::forget(state.cache.as_ref(), keys).await;
}

// ---- feed pages -------------------------------------------------------------

/// A cached first page: the posts it lists (for the viewer's overlay) and
/// the bytes everyone is sent.
pub struct FeedPage {
    pub ids: Vec<String>,
    pub bytes: Bytes,
}

/// Stored as `id,id,…\n{json}`: ids never hold a comma or a newline.
pub async fn feed_page(state: &AppState, circle: Option<&str>, sort: Sort) -> Option<FeedPage> {
    let stored = read(state, &feed_key(circle, sort)).await?;
    let Some(split) = stored.iter().position(|&b| b == b'\n') else {
        tracing::warn!("a cached feed page is malformed; rebuilt from the database");
        return None;
    };
    let ids = std::str::from_utf8(&stored[..split])
        .ok()?
        .split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    Some(FeedPage {
        ids,
        bytes: stored.slice(split + 1..),
    })
}

pub async fn keep_feed_page(
    state: &AppState,
    circle: Option<&str>,
    sort: Sort,
    ids: &[String],
    bytes: &[u8],
) {
    let mut stored = ids.join(",").into_bytes();
    stored.push(b'\n');
    stored.extend_from_slice(bytes);
    keep(state, &feed_key(circle, sort), &stored).await;
}

// ---- single posts and the circle list ----------------------------------------

/// A post as an anonymous reader sees it. Only a post anyone may read is
/// kept, and any change to it (hidden, deleted, edited) drops the copy.
pub async fn post_view(state: &AppState, id: &str) -> Option<Bytes> {
    read(state, &post_key(id)).await
}

pub async fn keep_post_view(state: &AppState, id: &str, bytes: &[u8]) {
    keep(state, &post_key(id), bytes).await;
}

/// The views of `rows` as anonymous readers get them, in their order: the
/// kept copies, and those missing built in one batch (and kept, for posts
/// anyone may read). A feed is assembled from these.
pub async fn post_copies(state: &AppState, rows: Vec<posts::Model>) -> AppResult<Vec<Bytes>> {
    let keys: Vec<String> = rows.iter().map(|p| post_key(&p.id)).collect();
    let mut found = copies::get_many(state.cache.as_ref(), &keys).await;
    let missing: Vec<posts::Model> = rows
        .iter()
        .zip(&found)
        .filter(|(_, copy)| copy.is_none())
        .map(|(post, _)| post.clone())
        .collect();
    if missing.is_empty() {
        return Ok(found.into_iter().flatten().collect());
    }
    let open: Vec<bool> = missing.iter().map(|p| p.gate.is_none()).collect();
    let mut built = post_views(state, missing, None)
        .await?
        .into_iter()
        .zip(open);
    for slot in found.iter_mut().filter(|copy| copy.is_none()) {
        let Some((view, open)) = built.next() else {
            break;
        };
        let bytes = StoredJson::encode(&view).bytes().clone();
        if open {
            keep(state, &post_key(&view.id), &bytes).await;
        }
        *slot = Some(bytes);
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

/// The first page of the circle list, for an anonymous reader.
pub async fn circle_list(state: &AppState, kind: Option<CircleKind>) -> Option<Bytes> {
    read(state, &circles_key(kind)).await
}

pub async fn keep_circle_list(state: &AppState, kind: Option<CircleKind>, bytes: &[u8]) {
    keep(state, &circles_key(kind), bytes).await;
}

// ---- what drops them ----------------------------------------------------------

fn feed_keys(circle: Option<&str>) -> Vec<String> {
    let mut keys = Vec::with_capacity(4);
    for sort in [Sort::Hot, Sort::New] {
        keys.push(feed_key(None, sort));
        if let Some(c) = circle {
            keys.push(feed_key(Some(c), sort));
        }
    }
    keys
}

fn circle_list_keys() -> Vec<String> {
    [
        None,
        Some(CircleKind::Product),
        Some(CircleKind::City),
        Some(CircleKind::Club),
    ]
    .into_iter()
    .map(circles_key)
    .collect()
}

/// After `post` (in `circle`, or the plaza) or something on it changed:
/// its view, the feed pages that may show it and the circle list (whose
/// post counts move) go.
pub async fn post_changed(state: &AppState, post: &str, circle: Option<&str>) {
    let mut keys = feed_keys(circle);
    keys.push(post_key(post));
    keys.extend(circle_list_keys());
    drop_keys(state, &keys).await;
}

/// [`post_changed`] when only the post's id is at hand.
pub async fn post_id_changed(state: &AppState, post: &str) {
    let circle = match posts::Entity::find_by_id(post.to_owned())
        .one(&state.db)
        .await
    {
        Ok(found) => found.and_then(|p| p.circle_id),
        Err(err) => {
            // The plaza's pages and the post still go; the circle's expire.
            tracing::warn!(error = %format!("{err:#}"), "cache invalidation could not read the post's circle");
            None
        }
    };
    post_changed(state, post, circle.as_deref()).await;
}

/// After a circle, or its membership, changed: the circle lists go (the
/// circle's own reads are not cached).
pub async fn circles_changed(state: &AppState) {
    drop_keys(state, &circle_list_keys()).await;
}

/// After an erasure: the erased posts' views, and the pages of the plaza
/// and of every circle they were in.
pub async fn erased(state: &AppState, posts: &[String], circles: &[Option<String>]) {
    let mut keys = feed_keys(None);
    for circle in circles.iter().flatten() {
        keys.extend(feed_keys(Some(circle)));
    }
    keys.extend(posts.iter().map(|p| post_key(p)));
    keys.extend(circle_list_keys());
    keys.sort_unstable();
    keys.dedup();
    drop_keys(state, &keys).await;
}

/// What an author's posts show of them changed (a nickname, an avatar, a
/// closed profile): every copy that shows it goes.
async fn author_changed(state: &AppState, user: &str) -> AppResult<()> {
    let theirs: Vec<(String, Option<String>)> = posts::Entity::find()
        .select_only()
        .column(posts::Column::Id)
        .column(posts::Column::CircleId)
        .filter(posts::Column::AuthorId.eq(user))
        .into_tuple()
        .all(&state.db)
        .await?;
    let (posts, circles): (Vec<String>, Vec<Option<String>>) = theirs.into_iter().unzip();
    erased(state, &posts, &circles).await;
    Ok(())
}

/// Hears identity's [`Fact::AuthorChanged`].
pub struct AuthorCopies;

#[async_trait::async_trait]
impl Subscriber for AuthorCopies {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()> {
        match fact {
            Fact::AuthorChanged { user } => author_changed(state, user).await,
            _ => Ok(()),
        }
    }
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
}
