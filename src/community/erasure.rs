//! Erasing a user's community content: the steps of
//! [`CommunityData::erase`](super::personal::CommunityData).
use chrono::Utc;
use entity::{
    circle_members, circles, comment_likes, comments,
    enums::{ReportStatus, TargetType},
    post_images, post_likes, post_revisions, posts, reports,
};
use sea_orm::{
    sea_query::{Expr, Query},
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::{
    error::AppResult,
    platform::outbox,
    platform::search_index::DocKind,
    privacy::registry::{delete_where, AfterCommit, Content, Erasure},
};

/// Likes, memberships and follows go, and the counts they fed follow.
pub async fn undo_social(txn: &DatabaseTransaction, user: &str) -> AppResult<()> {
    posts::Entity::update_many()
        .col_expr(
            posts::Column::LikeCount,
            Expr::col(posts::Column::LikeCount).sub(1),
        )
        .filter(
            posts::Column::Id.in_subquery(
                Query::select()
                    .column(post_likes::Column::PostId)
                    .from(post_likes::Entity)
                    .and_where(post_likes::Column::UserId.eq(user))
                    .to_owned(),
            ),
        )
        .exec(txn)
        .await?;
    delete_where::<post_likes::Entity>(txn, post_likes::Column::UserId, user).await?;
    comments::Entity::update_many()
        .col_expr(
            comments::Column::LikeCount,
            Expr::col(comments::Column::LikeCount).sub(1),
        )
        .filter(
            comments::Column::Id.in_subquery(
                Query::select()
                    .column(comment_likes::Column::CommentId)
                    .from(comment_likes::Entity)
                    .and_where(comment_likes::Column::UserId.eq(user))
                    .to_owned(),
            ),
        )
        .exec(txn)
        .await?;
    delete_where::<comment_likes::Entity>(txn, comment_likes::Column::UserId, user).await?;
    circles::Entity::update_many()
        .col_expr(
            circles::Column::MemberCount,
            Expr::col(circles::Column::MemberCount).sub(1),
        )
        .filter(
            circles::Column::Id.in_subquery(
                Query::select()
                    .column(circle_members::Column::CircleId)
                    .from(circle_members::Entity)
                    .and_where(circle_members::Column::UserId.eq(user))
                    .to_owned(),
            ),
        )
        .exec(txn)
        .await?;
    delete_where::<circle_members::Entity>(txn, circle_members::Column::UserId, user).await?;
    Ok(())
}

pub async fn erase_comments(txn: &DatabaseTransaction, erasure: &Erasure) -> AppResult<()> {
    let mine = comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(erasure.user.as_str()))
        .all(txn)
        .await?;
    for c in mine {
        if erasure.holds("comment", &c.id) {
            continue;
        }
        outbox::enqueue(txn, DocKind::Comment, &c.id).await?;
        if c.deleted_at.is_none() && erasure.content == Content::Anonymize {
            comments::Entity::update_many()
                .col_expr(
                    comments::Column::AuthorId,
                    Expr::value(Option::<String>::None),
                )
                .filter(comments::Column::Id.eq(c.id.as_str()))
                .exec(txn)
                .await?;
            continue;
        }
        if c.deleted_at.is_none() {
            posts::Entity::update_many()
                .col_expr(
                    posts::Column::CommentCount,
                    Expr::col(posts::Column::CommentCount).sub(1),
                )
                .filter(posts::Column::Id.eq(c.post_id.as_str()))
                .exec(txn)
                .await?;
        }
        let others_replied = comments::Entity::find()
            .filter(comments::Column::ParentId.eq(c.id.as_str()))
            .filter(
                Condition::any()
                    .add(comments::Column::AuthorId.ne(erasure.user.as_str()))
                    .add(comments::Column::AuthorId.is_null()),
            )
            .count(txn)
            .await?
            > 0;
        if others_replied {
            // Keep the place of a comment others replied to, not its words.
            comments::Entity::update_many()
                .col_expr(
                    comments::Column::AuthorId,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(comments::Column::Body, Expr::value(""))
                .col_expr(comments::Column::DeletedAt, Expr::value(Some(Utc::now())))
                .filter(comments::Column::Id.eq(c.id.as_str()))
                .exec(txn)
                .await?;
        } else {
            comments::Entity::delete_by_id(c.id.clone())
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

pub async fn erase_posts(
    txn: &DatabaseTransaction,
    erasure: &Erasure,
    after: &mut AfterCommit,
) -> AppResult<()> {
    let mine = posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(erasure.user.as_str()))
        .all(txn)
        .await?;
    for p in mine {
        if erasure.holds("post", &p.id) {
            continue;
        }
        after.feeds.push(p.circle_id.clone());
        after.posts.push(p.id.clone());
        super::posts::enqueue_post(txn, &p.id, true).await?;
        delete_where::<post_revisions::Entity>(txn, post_revisions::Column::PostId, p.id.as_str())
            .await?;
        delete_where::<post_images::Entity>(txn, post_images::Column::PostId, p.id.as_str())
            .await?;
        if p.deleted_at.is_none() && erasure.content == Content::Anonymize {
            posts::Entity::update_many()
                .col_expr(posts::Column::AuthorId, Expr::value(Option::<String>::None))
                .col_expr(
                    posts::Column::DeviceModel,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    posts::Column::LogUploadId,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(posts::Column::ClientId, Expr::value(Option::<String>::None))
                .filter(posts::Column::Id.eq(p.id.as_str()))
                .exec(txn)
                .await?;
            continue;
        }
        if p.deleted_at.is_none() {
            if let Some(circle) = &p.circle_id {
                circles::Entity::update_many()
                    .col_expr(
                        circles::Column::PostCount,
                        Expr::col(circles::Column::PostCount).sub(1),
                    )
                    .filter(circles::Column::Id.eq(circle.as_str()))
                    .exec(txn)
                    .await?;
            }
        }
        posts::Entity::delete_by_id(p.id.clone()).exec(txn).await?;
    }
    Ok(())
}

/// Posts and comments of `user` that an open report is about.
pub async fn reported_content(
    db: &impl ConnectionTrait,
    user: &str,
) -> AppResult<Vec<(String, String)>> {
    // Read as text: a report of a kind this code does not know cannot be
    // about this user's posts or comments, and must not stop the erasure.
    let open: Vec<(String, String)> = reports::Entity::find()
        .select_only()
        .column(reports::Column::TargetType)
        .column(reports::Column::TargetId)
        .filter(reports::Column::Status.eq(ReportStatus::Open))
        .into_tuple()
        .all(db)
        .await?;
    let (post, comment) = (TargetType::Post.to_value(), TargetType::Comment.to_value());
    let mut held = Vec::new();
    for (target_type, target_id) in open {
        let theirs = if target_type == post {
            posts::Entity::find_by_id(target_id.clone())
                .one(db)
                .await?
                .is_some_and(|p| p.author_id.as_deref() == Some(user))
        } else if target_type == comment {
            comments::Entity::find_by_id(target_id.clone())
                .one(db)
                .await?
                .is_some_and(|c| c.author_id.as_deref() == Some(user))
        } else {
            false
        };
        if theirs {
            held.push((target_type, target_id));
        }
    }
    // A held post keeps its images: the uploads owner reads them here.
    let held_posts: Vec<String> = held
        .iter()
        .filter(|(t, _)| *t == post)
        .map(|(_, id)| id.clone())
        .collect();
    if !held_posts.is_empty() {
        let images = post_images::Entity::find()
            .filter(post_images::Column::PostId.is_in(held_posts))
            .all(db)
            .await?;
        held.extend(
            images
                .into_iter()
                .map(|i| ("upload".to_owned(), i.upload_id)),
        );
    }
    Ok(held)
}

/// Community's part in an erasure: content under an open report is held;
/// feed pages that may show erased content are dropped.
pub struct CommunityHook;

#[async_trait::async_trait]
impl crate::privacy::registry::ErasureHook for CommunityHook {
    async fn held(
        &self,
        state: &crate::state::AppState,
        user: &str,
    ) -> AppResult<Vec<(String, String)>> {
        reported_content(&state.db, user).await
    }

    async fn erased(&self, state: &crate::state::AppState, after: &AfterCommit) {
        super::cached::erased(state, &after.posts).await;
    }
}
