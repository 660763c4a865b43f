//! What community keeps in the shared cache, as the very bytes it sends:
//! a post as an anonymous reader sees it and the first page of the circle
//! list (the feeds' pages are in `feed_cache`). Each copy goes as soon as a write
//! that changes what it shows has committed, so the next read is fresh.
//! The time to live bounds what no invalidation covers: a read that began
//! before a write and stores its older copy after it, and counts moved by
//! someone else's erasure or a level that grew.
use std::time::Duration;

use bytes::Bytes;
use entity::posts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{dto::CircleKind, feed_cache};
use crate::{
    error::AppResult,
    platform::{
        copies,
        facts::{Fact, Subscriber},
    },
    state::AppState,
};

const TTL: Duration = Duration::from_secs(30);

pub(super) fn post_key(id: &str) -> String {
    format!("view:post:{id}")
}

fn circles_key(kind: Option<CircleKind>) -> String {
    format!("view:circles:{}", kind.map_or("all", CircleKind::as_str))
}

pub(super) async fn read(state: &AppState, key: &str) -> Option<Bytes> {
    copies::get(state.cache.as_ref(), key).await
}

pub(super) async fn keep(state: &AppState, key: &str, bytes: &[u8]) {
    copies::keep(state.cache.as_ref(), key, bytes, TTL).await;
}

async fn drop_keys(state: &AppState, keys: &[String]) {
    copies::forget(state.cache.as_ref(), keys).await;
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

/// The first page of the circle list, for an anonymous reader.
pub async fn circle_list(state: &AppState, kind: Option<CircleKind>) -> Option<Bytes> {
    read(state, &circles_key(kind)).await
}

pub async fn keep_circle_list(state: &AppState, kind: Option<CircleKind>, bytes: &[u8]) {
    keep(state, &circles_key(kind), bytes).await;
}

// ---- what drops them ----------------------------------------------------------

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

/// A read that began before a change may keep its older copy after the
/// change dropped it; copies are dropped once more when such a read is over.
const SETTLE: Duration = Duration::from_secs(2);

/// What a change makes go.
enum Forget {
    /// These posts' copies (each with its circle) and the circle list,
    /// then the plaza and those circles start new generations: no page of
    /// a new generation is assembled from a copy that was dropped.
    Posts(Vec<(String, Option<String>)>),
    /// These posts' copies, the circle list, and every feed's pages of
    /// every generation: a page of an older one is never served, but would
    /// hold what was erased until it expired.
    Erased(Vec<String>),
}

impl Forget {
    async fn apply(&self, state: &AppState) {
        let posts: Vec<&str> = match self {
            Self::Posts(posts) => posts.iter().map(|(p, _)| p.as_str()).collect(),
            Self::Erased(posts) => posts.iter().map(String::as_str).collect(),
        };
        let mut keys: Vec<String> = posts.into_iter().map(post_key).collect();
        keys.extend(circle_list_keys());
        drop_keys(state, &keys).await;
        match self {
            Self::Posts(posts) => {
                let mut circles: Vec<Option<&str>> =
                    posts.iter().map(|(_, c)| c.as_deref()).collect();
                circles.sort_unstable();
                circles.dedup();
                feed_cache::renew(state, &circles).await;
            }
            Self::Erased(_) => feed_cache::forget_all(state).await,
        }
    }

    /// Now, and again after [`SETTLE`].
    async fn now_and_later(self, state: &AppState) {
        self.apply(state).await;
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            self.apply(&state).await;
        });
    }
}

/// After `post` (in `circle`, or the plaza) or something on it changed:
/// its view and the circle list (whose post counts move) go, and the
/// feeds that may show it start a new generation.
pub async fn post_changed(state: &AppState, post: &str, circle: Option<&str>) {
    let posts = vec![(post.to_owned(), circle.map(str::to_owned))];
    Forget::Posts(posts).now_and_later(state).await;
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

/// After an erasure that removed `posts`: their views and every feed page.
pub async fn erased(state: &AppState, posts: &[String]) {
    if !posts.is_empty() {
        Forget::Erased(posts.to_vec()).now_and_later(state).await;
    }
}

/// What an author's posts show of them changed (a nickname, an avatar, a
/// closed profile): the copies that show it go. After an erasure every
/// feed page goes too (their posts may be on any page, of any
/// generation); after an edit the feeds start new generations.
async fn author_changed(state: &AppState, user: &str, erasure: bool) -> AppResult<()> {
    let theirs: Vec<(String, Option<String>)> = posts::Entity::find()
        .select_only()
        .column(posts::Column::Id)
        .column(posts::Column::CircleId)
        .filter(posts::Column::AuthorId.eq(user))
        .into_tuple()
        .all(&state.db)
        .await?;
    let forget = match erasure {
        true => Forget::Erased(theirs.into_iter().map(|(id, _)| id).collect()),
        false => Forget::Posts(theirs),
    };
    forget.now_and_later(state).await;
    Ok(())
}

/// Hears identity's [`Fact::AuthorChanged`].
pub struct AuthorCopies;

#[async_trait::async_trait]
impl Subscriber for AuthorCopies {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()> {
        match fact {
            Fact::AuthorChanged { user, erased } => author_changed(state, user, *erased).await,
            _ => Ok(()),
        }
    }
}
