//! The community's share of a user's personal data: circles joined, posts
//! with their history, comments, likes, follows and reports.
use async_trait::async_trait;
use chrono::Utc;
use entity::{
    circle_members, circles, comment_likes, comments, follows, moderation_log, post_images,
    post_likes, post_revisions, posts, reports,
};
use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};

use crate::{
    error::AppResult,
    platform::search_index::DocKind,
    privacy::registry::{delete_where, AfterCommit, Content, Erasure, PersonalData},
    search::outbox,
    state::AppState,
};

pub struct CommunityData;

#[async_trait]
impl PersonalData for CommunityData {
    fn sections(&self) -> &'static [&'static str] {
        &[
            "circles", "posts", "comments", "likes", "follows", "reports",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "circle_members",
            "posts",
            "comments",
            "post_likes",
            "comment_likes",
            "follows",
            "reports",
            "moderation_log",
        ]
    }

    async fn export(&self, state: &AppState, user: &str) -> AppResult<Vec<(&'static str, Value)>> {
        let db = &state.db;
        let joined = circle_members::Entity::find()
            .filter(circle_members::Column::UserId.eq(user))
            .find_also_related(circles::Entity)
            .all(db)
            .await?;
        let circles: Vec<Value> = joined
            .into_iter()
            .map(|(m, c)| json!({ "circle_id": m.circle_id, "name": c.map(|c| c.name), "joined_at": m.joined_at }))
            .collect();
        let mut posts_out = Vec::new();
        for p in posts::Entity::find()
            .filter(posts::Column::AuthorId.eq(user))
            .order_by_asc(posts::Column::Id)
            .all(db)
            .await?
        {
            let revisions = post_revisions::Entity::find()
                .filter(post_revisions::Column::PostId.eq(p.id.as_str()))
                .order_by_asc(post_revisions::Column::Id)
                .all(db)
                .await?;
            let images = post_images::Entity::find()
                .filter(post_images::Column::PostId.eq(p.id.as_str()))
                .order_by_asc(post_images::Column::Position)
                .all(db)
                .await?;
            posts_out.push(json!({
                "id": p.id, "title": p.title, "body": p.body, "circle_id": p.circle_id,
                "device_model": p.device_model, "created_at": p.created_at,
                "edited_at": p.edited_at, "deleted_at": p.deleted_at,
                "revisions": revisions.into_iter().map(|r| json!({
                    "title": r.title, "body": r.body, "created_at": r.created_at,
                })).collect::<Vec<_>>(),
                "image_upload_ids": images.into_iter().map(|i| i.upload_id).collect::<Vec<_>>(),
            }));
        }
        let comments_out: Vec<Value> = comments::Entity::find()
            .filter(comments::Column::AuthorId.eq(user))
            .order_by_asc(comments::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|c| json!({ "id": c.id, "post_id": c.post_id, "parent_id": c.parent_id, "body": c.body, "created_at": c.created_at, "deleted_at": c.deleted_at }))
            .collect();
        let liked_posts: Vec<String> = post_likes::Entity::find()
            .filter(post_likes::Column::UserId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.post_id)
            .collect();
        let liked_comments: Vec<String> = comment_likes::Entity::find()
            .filter(comment_likes::Column::UserId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.comment_id)
            .collect();
        let following: Vec<String> = follows::Entity::find()
            .filter(follows::Column::FollowerId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|f| f.followee_id)
            .collect();
        let followers: Vec<String> = follows::Entity::find()
            .filter(follows::Column::FolloweeId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|f| f.follower_id)
            .collect();
        let reports_out: Vec<Value> = reports::Entity::find()
            .filter(reports::Column::ReporterId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|r| json!({ "target_type": r.target_type, "target_id": r.target_id, "reason": r.reason, "status": r.status, "created_at": r.created_at }))
            .collect();
        Ok(vec![
            ("circles", Value::from(circles)),
            ("posts", Value::from(posts_out)),
            ("comments", Value::from(comments_out)),
            (
                "likes",
                json!({ "posts": liked_posts, "comments": liked_comments }),
            ),
            (
                "follows",
                json!({ "following": following, "followers": followers }),
            ),
            ("reports", Value::from(reports_out)),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let mut after = AfterCommit::default();
        undo_social(txn, user).await?;
        erase_comments(txn, erasure).await?;
        erase_posts(txn, erasure, &mut after).await?;
        reports::Entity::update_many()
            .col_expr(
                reports::Column::ReporterId,
                Expr::value(Option::<String>::None),
            )
            .col_expr(reports::Column::Reason, Expr::value(""))
            .filter(reports::Column::ReporterId.eq(user))
            .exec(txn)
            .await?;
        // The audit log keeps what was done, not who did it.
        moderation_log::Entity::update_many()
            .col_expr(
                moderation_log::Column::ModeratorId,
                Expr::value(Option::<String>::None),
            )
            .filter(moderation_log::Column::ModeratorId.eq(user))
            .exec(txn)
            .await?;
        Ok(after)
    }
}

/// Likes, memberships and follows go, and the counts they fed follow.
async fn undo_social(txn: &DatabaseTransaction, user: &str) -> AppResult<()> {
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
    follows::Entity::delete_many()
        .filter(
            Condition::any()
                .add(follows::Column::FollowerId.eq(user))
                .add(follows::Column::FolloweeId.eq(user)),
        )
        .exec(txn)
        .await?;
    Ok(())
}

async fn erase_comments(txn: &DatabaseTransaction, erasure: &Erasure) -> AppResult<()> {
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

async fn erase_posts(
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
        outbox::enqueue_post(txn, &p.id, true).await?;
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
    let open = reports::Entity::find()
        .filter(reports::Column::Status.eq("open"))
        .all(db)
        .await?;
    let mut held = Vec::new();
    for r in open {
        let theirs = match r.target_type.as_str() {
            "post" => posts::Entity::find_by_id(r.target_id.clone())
                .one(db)
                .await?
                .is_some_and(|p| p.author_id.as_deref() == Some(user)),
            "comment" => comments::Entity::find_by_id(r.target_id.clone())
                .one(db)
                .await?
                .is_some_and(|c| c.author_id.as_deref() == Some(user)),
            _ => false,
        };
        if theirs {
            held.push((r.target_type, r.target_id));
        }
    }
    Ok(held)
}
