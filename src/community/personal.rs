//! The community's share of a user's personal data: circles joined, posts
//! with their history, comments, likes and reports (follows are identity's).
use async_trait::async_trait;
use entity::{
    circle_members, circles, comment_likes, comments, moderation_log, post_images, post_likes,
    post_revisions, posts, reports,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};

use super::erasure::{erase_comments, erase_posts, undo_social};
use crate::{
    error::AppResult,
    privacy::registry::{AfterCommit, Erasure, PersonalData},
    state::AppState,
};

pub struct CommunityData;

#[async_trait]
impl PersonalData for CommunityData {
    fn sections(&self) -> &'static [&'static str] {
        &["circles", "posts", "comments", "likes", "reports"]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "post_title",
            "post_body",
            "device_model",
            "comments",
            "likes",
            "circle_memberships",
            "report_reason",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "circle_members",
            "posts",
            "comments",
            "post_likes",
            "comment_likes",
            "reports",
            "moderation_log",
        ]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
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
                "diagnostic_log_upload_id": p.log_upload_id,
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
        // Reports about the erased user go with them: their subject is gone.
        reports::Entity::delete_many()
            .filter(reports::Column::TargetType.eq(entity::enums::TargetType::User))
            .filter(reports::Column::TargetId.eq(user))
            .exec(txn)
            .await?;
        // The audit log keeps what was done, not who did it nor to whom.
        moderation_log::Entity::update_many()
            .col_expr(
                moderation_log::Column::ModeratorId,
                Expr::value(Option::<String>::None),
            )
            .filter(moderation_log::Column::ModeratorId.eq(user))
            .exec(txn)
            .await?;
        moderation_log::Entity::update_many()
            .col_expr(moderation_log::Column::TargetId, Expr::value(""))
            .filter(moderation_log::Column::TargetType.eq(entity::enums::TargetType::User))
            .filter(moderation_log::Column::TargetId.eq(user))
            .exec(txn)
            .await?;
        Ok(after)
    }
}
