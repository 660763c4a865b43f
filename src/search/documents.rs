//! What the index holds: a document per visible post, visible comment on a
//! visible post, profile and circle, made from the database as it is now.
//! Comments carry their own text only; the author is not in the document.
use std::collections::HashMap;

use entity::{circles, comments, posts, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    platform::search_index::{Doc, DocKind, IndexOp},
};

fn post_doc(p: posts::Model) -> Doc {
    Doc {
        kind: DocKind::Post,
        id: p.id,
        title: p.title,
        body: p.body,
        circle_id: p.circle_id,
        post_id: None,
        created_at: p.created_at,
    }
}

/// A comment shows its post's title and belongs to its post's circle.
fn comment_doc(c: comments::Model, post: &posts::Model) -> Doc {
    Doc {
        kind: DocKind::Comment,
        id: c.id,
        title: post.title.clone(),
        body: c.body,
        circle_id: post.circle_id.clone(),
        post_id: Some(c.post_id),
        created_at: c.created_at,
    }
}

fn user_doc(u: users::Model) -> Doc {
    Doc {
        kind: DocKind::User,
        id: u.id,
        title: u.nickname,
        body: u.signature.unwrap_or_default(),
        circle_id: None,
        post_id: None,
        created_at: u.created_at,
    }
}

fn circle_doc(c: circles::Model) -> Doc {
    Doc {
        kind: DocKind::Circle,
        id: c.id,
        title: c.name,
        body: c.description,
        circle_id: None,
        post_id: None,
        created_at: c.created_at,
    }
}

fn post_is_visible(p: &posts::Model) -> bool {
    !p.hidden && p.deleted_at.is_none()
}

fn comment_is_visible(c: &comments::Model) -> bool {
    !c.hidden && c.deleted_at.is_none()
}

/// A comment is searchable while it and its post are both visible.
async fn comment(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<Doc>> {
    let Some(comment) = comments::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(comment_is_visible)
    else {
        return Ok(None);
    };
    Ok(posts::Entity::find_by_id(comment.post_id.clone())
        .one(db)
        .await?
        .filter(post_is_visible)
        .map(|post| comment_doc(comment, &post)))
}

/// What the index should hold for a document now: it, or nothing.
pub async fn current(db: &impl ConnectionTrait, kind: DocKind, id: &str) -> AppResult<IndexOp> {
    let doc = match kind {
        DocKind::Post => posts::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(post_is_visible)
            .map(post_doc),
        DocKind::Comment => comment(db, id).await?,
        // A user who closed their community presence is not searchable.
        DocKind::User => users::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(|u| u.community_closed_at.is_none())
            .map(user_doc),
        DocKind::Circle => circles::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .map(circle_doc),
    };
    Ok(match doc {
        Some(doc) => IndexOp::Upsert(doc),
        None => IndexOp::Delete(kind, id.to_owned()),
    })
}

/// Every document the index should hold.
pub async fn all(db: &impl ConnectionTrait) -> AppResult<Vec<Doc>> {
    let mut docs: Vec<Doc> = circles::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(circle_doc)
        .collect();
    docs.extend(
        users::Entity::find()
            .filter(users::Column::CommunityClosedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(user_doc),
    );
    let posts: HashMap<String, posts::Model> = posts::Entity::find()
        .filter(posts::Column::Hidden.eq(false))
        .filter(posts::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let comments = comments::Entity::find()
        .filter(comments::Column::Hidden.eq(false))
        .filter(comments::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    for c in comments {
        if let Some(post) = posts.get(&c.post_id) {
            docs.push(comment_doc(c, post));
        }
    }
    docs.extend(posts.into_values().map(post_doc));
    Ok(docs)
}
