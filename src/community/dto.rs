//! What the community API shows, and how rows become it in batches.
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{circles, comments, post_images, post_likes, posts};
use poem_openapi::{Enum, Object};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    error::AppResult,
    identity::views::{authors, AuthorView},
    platform::storage::upload_keys,
    state::AppState,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CircleKind {
    /// A product circle.
    Product,
    /// A city group (同城会).
    City,
    /// A club (俱乐部).
    Club,
}

impl CircleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::City => "city",
            Self::Club => "club",
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CircleView {
    pub id: String,
    pub name: String,
    pub kind: CircleKind,
    pub description: String,
    pub icon_url: Option<String>,
    pub member_count: i64,
    pub post_count: i64,
    /// Whether I joined it (false when not signed in).
    pub joined: bool,
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for CircleView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("CircleId"),
            name: "小米14 Ultra 摄影圈".into(),
            kind: CircleKind::Product,
            description: "Night shots, portraits and raw files from the 14 Ultra.".into(),
            icon_url: Some(crate::api::examples::media_url("c3/77aa10.png")),
            member_count: 5321,
            post_count: 1204,
            joined: true,
            created_at: crate::api::examples::time(1, 8, 0),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ImageView {
    pub id: String,
    pub url: String,
}

/// A diagnostic log attached to a post.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LogView {
    pub id: String,
    /// A signed link, valid for a day or a little more.
    pub url: String,
}

/// The link to a post's log, for the author or a moderator only.
pub async fn log_view(state: &AppState, upload_id: &str) -> AppResult<Option<LogView>> {
    Ok(entity::uploads::Entity::find_by_id(upload_id)
        .one(&state.read_db)
        .await?
        .map(|u| LogView {
            url: crate::uploads::media::upload_url(state, &u),
            id: u.id,
        }))
}

/// A page of posts, as cached and served.
pub type FeedPage = crate::api::page::Page<PostView>;

#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PostView {
    pub id: String,
    /// Absent when the author deregistered ("deleted user").
    pub author: Option<AuthorView>,
    /// Absent for plaza posts.
    pub circle_id: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub images: Vec<ImageView>,
    pub device_model: Option<String>,
    pub like_count: i64,
    pub comment_count: i64,
    pub liked_by_me: bool,
    pub pinned: bool,
    pub locked: bool,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The diagnostic log of a feedback post: shown to its author and to
    /// moderators only, never in feeds.
    pub diagnostic_log: Option<LogView>,
}

impl poem_openapi::types::Example for PostView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("PostId"),
            author: Some(poem_openapi::types::Example::example()),
            circle_id: Some(crate::api::examples::id("CircleId")),
            title: "小米14 Ultra 夜景样张".into(),
            body: "Shot handheld at the Shenzhen Bay bridge, 1/4 s, ISO 1600.".into(),
            images: vec![ImageView {
                id: crate::api::examples::id("UploadId"),
                url: crate::api::examples::media_url("p7/41d0e8.jpg"),
            }],
            device_model: Some("Xiaomi 14 Ultra".into()),
            like_count: 128,
            comment_count: 17,
            liked_by_me: false,
            pinned: false,
            locked: false,
            created_at: crate::api::examples::time(28, 21, 40),
            edited_at: None,
            diagnostic_log: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CommentView {
    pub id: String,
    pub post_id: String,
    /// The comment this one replies to.
    pub parent_id: Option<String>,
    pub author: Option<AuthorView>,
    pub body: String,
    pub like_count: i64,
    pub liked_by_me: bool,
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for CommentView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("CommentId"),
            post_id: crate::api::examples::id("PostId"),
            parent_id: None,
            author: Some(poem_openapi::types::Example::example()),
            body: "Great shot! Which night mode setting did you use?".into(),
            like_count: 3,
            liked_by_me: true,
            created_at: crate::api::examples::time(28, 22, 5),
        }
    }
}

pub fn circle_view(
    state: &AppState,
    c: circles::Model,
    icon_key: Option<&str>,
    joined: bool,
) -> CircleView {
    CircleView {
        icon_url: icon_key.map(|k| state.config.media_url(k)),
        kind: c.kind.into(),
        id: c.id,
        name: c.name,
        description: c.description,
        member_count: c.member_count,
        post_count: c.post_count,
        joined,
        created_at: c.created_at,
    }
}

/// Which of `ids` the viewer liked.
pub async fn liked_posts(
    db: &impl ConnectionTrait,
    viewer: Option<&str>,
    ids: Vec<String>,
) -> AppResult<HashSet<String>> {
    Ok(match viewer {
        Some(user) if !ids.is_empty() => post_likes::Entity::find()
            .filter(post_likes::Column::UserId.eq(user))
            .filter(post_likes::Column::PostId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.post_id)
            .collect(),
        _ => HashSet::new(),
    })
}

/// Rows → views, with authors, images and `liked_by_me` loaded in batches.
pub async fn post_views(
    state: &AppState,
    rows: Vec<posts::Model>,
    viewer: Option<&str>,
) -> AppResult<Vec<PostView>> {
    let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
    let authors = authors(
        state,
        rows.iter().filter_map(|p| p.author_id.clone()).collect(),
    )
    .await?;
    let images = post_images::Entity::find()
        .filter(post_images::Column::PostId.is_in(ids.clone()))
        .order_by_asc(post_images::Column::Position)
        .all(&state.read_db)
        .await?;
    let keys = upload_keys(
        &state.read_db,
        images.iter().map(|i| i.upload_id.clone()).collect(),
    )
    .await?;
    let liked = liked_posts(&state.read_db, viewer, ids).await?;
    Ok(rows
        .into_iter()
        .map(|p| PostView {
            author: p.author_id.as_ref().and_then(|a| authors.get(a).cloned()),
            images: images
                .iter()
                .filter(|i| i.post_id == p.id)
                .filter_map(|i| {
                    keys.get(&i.upload_id).map(|k| ImageView {
                        id: i.upload_id.clone(),
                        url: state.config.media_url(k),
                    })
                })
                .collect(),
            liked_by_me: liked.contains(&p.id),
            id: p.id,
            circle_id: p.circle_id,
            title: p.title,
            body: p.body,
            device_model: p.device_model,
            like_count: p.like_count,
            comment_count: p.comment_count,
            pinned: p.pinned,
            locked: p.locked,
            created_at: p.created_at,
            edited_at: p.edited_at,
            diagnostic_log: None,
        })
        .collect())
}

pub async fn comment_views(
    state: &AppState,
    rows: Vec<comments::Model>,
    liked: HashSet<String>,
) -> AppResult<Vec<CommentView>> {
    let authors = authors(
        state,
        rows.iter().filter_map(|c| c.author_id.clone()).collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| CommentView {
            author: c.author_id.as_ref().and_then(|a| authors.get(a).cloned()),
            liked_by_me: liked.contains(&c.id),
            id: c.id,
            post_id: c.post_id,
            parent_id: c.parent_id,
            body: c.body,
            like_count: c.like_count,
            created_at: c.created_at,
        })
        .collect())
}

crate::convert::mirror!(CircleKind, entity::enums::CircleKind, [Product, City, Club]);
