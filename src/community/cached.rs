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
        cache::copies,
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

/// After `post` (in `circle`, or the plaza) or something on it changed:
/// its view, the feed pages that may show it and the circle list (whose
/// post counts move) go.
pub async fn post_changed(state: &AppState, post: &str, circle: Option<&str>) {
    feed_cache::renew(state, &[circle]).await;
    let mut keys = vec![post_key(post)];
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
pub async fn erased(state: &AppState, posts: &[String]) {
    // Every feed's pages go, whatever generation they were kept under: a
    // page of an older one is never served, but would still hold what was
    // erased until it expired.
    feed_cache::forget_all(state).await;
    let mut keys: Vec<String> = posts.iter().map(|p| post_key(p)).collect();
    keys.extend(circle_list_keys());
    drop_keys(state, &keys).await;
}

/// What an author's posts show of them changed (a nickname, an avatar, a
/// closed profile): every copy that shows it goes.
async fn author_changed(state: &AppState, user: &str) -> AppResult<()> {
    let posts: Vec<String> = posts::Entity::find()
        .select_only()
        .column(posts::Column::Id)
        .filter(posts::Column::AuthorId.eq(user))
        .into_tuple()
        .all(&state.db)
        .await?;
    erased(state, &posts).await;
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
