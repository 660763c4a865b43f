//! Likes: idempotent, with counts that stay exact under concurrency — the
//! count moves in the same transaction as the like row, and only when the
//! row was really inserted or deleted.
use chrono::Utc;
use entity::{comment_likes, comments, post_likes, posts};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, ExprTrait, QueryFilter, TransactionTrait, TryInsertResult,
};

use super::posts::hot_rank;
use crate::error::{AppError, AppResult};
use crate::ids::{CommentId, UserId};

fn inserted(result: TryInsertResult<u64>) -> bool {
    matches!(result, TryInsertResult::Inserted(n) if n > 0)
}

/// Likes (`on`) or unlikes a post; returns the new count.
pub async fn like_post(
    db: &DatabaseConnection,
    user_id: &UserId,
    post: &posts::Model,
    on: bool,
) -> AppResult<i64> {
    // Between two people of whom one blocked the other, no new likes
    // (taking one back is always allowed).
    if let (true, Some(author)) = (on, &post.author_id) {
        crate::identity::blocks::ensure_not_blocked(db, user_id.as_str(), author).await?;
    }
    let txn = db.begin().await?;
    let changed = if on {
        inserted(
            post_likes::Entity::insert(post_likes::ActiveModel {
                post_id: Set(post.id.clone()),
                user_id: Set(user_id.to_string()),
                created_at: Set(Utc::now()),
            })
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?,
        )
    } else {
        post_likes::Entity::delete_many()
            .filter(post_likes::Column::PostId.eq(post.id.as_str()))
            .filter(post_likes::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?
            .rows_affected
            > 0
    };
    if changed {
        let by = if on { 1 } else { -1 };
        posts::Entity::update_many()
            .col_expr(
                posts::Column::LikeCount,
                Expr::col(posts::Column::LikeCount).add(by),
            )
            .filter(posts::Column::Id.eq(post.id.as_str()))
            .exec(&txn)
            .await?;
    }
    let count = rerank(&txn, &post.id).await?;
    txn.commit().await?;
    Ok(count)
}

/// Recomputes the stored hot rank from the count, under the row's lock.
async fn rerank(txn: &DatabaseTransaction, id: &str) -> AppResult<i64> {
    let post = posts::Entity::find_by_id(id.to_owned())
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("post"))?;
    posts::Entity::update_many()
        .col_expr(
            posts::Column::HotRank,
            Expr::value(hot_rank(post.like_count, post.created_at)),
        )
        .filter(posts::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(post.like_count)
}

pub async fn like_comment(
    db: &DatabaseConnection,
    user_id: &UserId,
    comment_id: &CommentId,
    on: bool,
) -> AppResult<i64> {
    if on {
        let author = comments::Entity::find_by_id(comment_id.as_str())
            .one(db)
            .await?
            .and_then(|c| c.author_id);
        if let Some(author) = author {
            crate::identity::blocks::ensure_not_blocked(db, user_id.as_str(), &author).await?;
        }
    }
    let txn = db.begin().await?;
    let changed = if on {
        inserted(
            comment_likes::Entity::insert(comment_likes::ActiveModel {
                comment_id: Set(comment_id.to_string()),
                user_id: Set(user_id.to_string()),
                created_at: Set(Utc::now()),
            })
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?,
        )
    } else {
        comment_likes::Entity::delete_many()
            .filter(comment_likes::Column::CommentId.eq(comment_id))
            .filter(comment_likes::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?
            .rows_affected
            > 0
    };
    if changed {
        let by = if on { 1 } else { -1 };
        comments::Entity::update_many()
            .col_expr(
                comments::Column::LikeCount,
                Expr::col(comments::Column::LikeCount).add(by),
            )
            .filter(comments::Column::Id.eq(comment_id))
            .exec(&txn)
            .await?;
    }
    let count = comments::Entity::find_by_id(comment_id.to_string())
        .one(&txn)
        .await?
        .map_or(0, |c| c.like_count);
    txn.commit().await?;
    Ok(count)
}
