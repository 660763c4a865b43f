//! Comment rules: one level of replies, locked posts take none, authors
//! and moderators delete.
use std::collections::HashSet;

use chrono::Utc;
use entity::{comment_likes, comments, posts};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::refusals::Refusal;
use crate::ids::{CommentId, PostId, UserId};
use crate::{
    api::PageParams,
    error::{AppError, AppResult, ErrorCode},
    identity::{AuthUser, Role},
    platform::outbox,
    platform::search_index::DocKind,
};

pub async fn create(
    db: &DatabaseConnection,
    author: &UserId,
    post: &posts::Model,
    parent_id: Option<CommentId>,
    body: &str,
) -> AppResult<comments::Model> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Refusal::EmptyBody.into());
    }
    if post.locked {
        return Err(AppError::new(
            ErrorCode::Locked,
            "comments on this post are locked",
        ));
    }
    // Between two people of whom one blocked the other, no comments on
    // each other's posts and no replies to each other's comments.
    if let Some(post_author) = &post.author_id {
        crate::identity::blocks::ensure_not_blocked(db, author.as_str(), post_author).await?;
    }
    if let Some(parent) = &parent_id {
        let found = comments::Entity::find_by_id(parent.to_string())
            .one(db)
            .await?;
        if let Some(parent_author) = found.as_ref().and_then(|p| p.author_id.as_ref()) {
            crate::identity::blocks::ensure_not_blocked(db, author.as_str(), parent_author).await?;
        }
        match found {
            Some(p) if p.post_id == post.id && p.deleted_at.is_none() && p.parent_id.is_none() => {}
            Some(p) if p.post_id == post.id && p.parent_id.is_some() => {
                return Err(Refusal::ReplyTooDeep.into())
            }
            _ => return Err(Refusal::UnknownParent.into()),
        }
    }
    let txn = db.begin().await?;
    let comment = comments::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        post_id: Set(post.id.clone()),
        parent_id: Set(parent_id.map(CommentId::into_inner)),
        author_id: Set(Some(author.to_string())),
        body: Set(body.to_owned()),
        like_count: Set(0),
        hidden: Set(false),
        deleted_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    bump_comments(&txn, &post.id, 1).await?;
    outbox::enqueue(&txn, DocKind::Comment, &comment.id).await?;
    txn.commit().await?;
    Ok(comment)
}

async fn bump_comments(db: &impl ConnectionTrait, post_id: &str, by: i64) -> AppResult<()> {
    posts::Entity::update_many()
        .col_expr(
            posts::Column::CommentCount,
            Expr::col(posts::Column::CommentCount).add(by),
        )
        .filter(posts::Column::Id.eq(post_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Oldest first, replies among them (each names its parent).
pub async fn list(
    db: &impl ConnectionTrait,
    post_id: &PostId,
    page: &PageParams,
) -> AppResult<Vec<comments::Model>> {
    let mut query = comments::Entity::find()
        .filter(comments::Column::PostId.eq(post_id))
        .filter(comments::Column::DeletedAt.is_null())
        .filter(comments::Column::Hidden.eq(false))
        .order_by_asc(comments::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(comments::Column::Id.gt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

pub async fn liked(
    db: &impl ConnectionTrait,
    user: Option<&str>,
    ids: Vec<String>,
) -> AppResult<HashSet<String>> {
    let Some(user) = user else {
        return Ok(HashSet::new());
    };
    Ok(comment_likes::Entity::find()
        .filter(comment_likes::Column::UserId.eq(user))
        .filter(comment_likes::Column::CommentId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.comment_id)
        .collect())
}

/// A comment the viewer may see: [`present`], on a post the viewer may
/// see (a closed circle's only to whom its gate admits).
pub async fn visible(
    state: &crate::state::AppState,
    id: &CommentId,
    viewer: &AuthUser,
) -> AppResult<comments::Model> {
    let comment = present(&state.db, id).await?;
    let post = crate::ids::PostId::from_stored(comment.post_id.clone());
    match super::posts::visible(state, &post, Some(viewer)).await {
        Err(err) if err.code == crate::error::ErrorCode::NotFound => {
            Err(AppError::not_found("comment"))
        }
        Err(err) => Err(err),
        Ok(_) => Ok(comment),
    }
}

/// A comment that is there: not deleted or hidden.
async fn present(db: &impl ConnectionTrait, id: &CommentId) -> AppResult<comments::Model> {
    comments::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .filter(|c| c.deleted_at.is_none() && !c.hidden)
        .ok_or_else(|| AppError::not_found("comment"))
}

/// Returns the id of the post the comment was on.
pub async fn delete(db: &DatabaseConnection, user: &AuthUser, id: &CommentId) -> AppResult<String> {
    let comment = present(db, id).await?;
    if comment.author_id.as_deref() != Some(user.id.as_str()) && user.role < Role::Moderator {
        // On a closed circle's post, an outsider learns nothing exists.
        let closed = posts::Entity::find_by_id(comment.post_id.as_str())
            .one(db)
            .await?
            .is_some_and(|p| p.gate.is_some());
        if closed {
            return Err(AppError::not_found("comment"));
        }
        return Err(AppError::forbidden(
            "only the author or a moderator can delete a comment",
        ));
    }
    let txn = db.begin().await?;
    comments::Entity::update_many()
        .col_expr(comments::Column::DeletedAt, Expr::value(Utc::now()))
        .filter(comments::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    bump_comments(&txn, &comment.post_id, -1).await?;
    outbox::enqueue(&txn, DocKind::Comment, id.as_str()).await?;
    txn.commit().await?;
    Ok(comment.post_id)
}
