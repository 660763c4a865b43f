//! The community's share of a user's personal data: circles joined, posts
//! with their history, comments, likes and reports (follows are identity's).
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{
    circle_members, circles, comment_likes, comments, moderation_log, post_images, post_likes,
    post_revisions, posts, reports,
};
use poem_openapi::Object;
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;

use super::{
    erasure::{erase_comments, erase_posts, undo_social},
    moderation::{ReportStatus, TargetType},
};
use crate::{
    error::AppResult,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// A circle I joined, in the export.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedMembership {
    pub circle_id: String,
    pub name: Option<String>,
    pub joined_at: DateTime<Utc>,
}

/// An earlier version of one of my posts, in the export (section `posts`):
/// what `GET /posts/{id}/revisions` shows as `Revision`, its time named
/// `created_at` as everywhere in the export.
#[derive(Debug, Object)]
pub struct ExportedRevision {
    pub title: String,
    pub body: String,
    /// When this version was written.
    pub created_at: DateTime<Utc>,
}

/// One of my posts, deleted ones included until they are purged.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ExportedPost {
    pub id: String,
    pub title: String,
    pub body: String,
    pub circle_id: Option<String>,
    pub device_model: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub revisions: Vec<ExportedRevision>,
    pub image_upload_ids: Vec<String>,
    pub diagnostic_log_upload_id: Option<String>,
}

/// A post edited once: its first version is the revision.
impl poem_openapi::types::Example for ExportedPost {
    fn example() -> Self {
        use crate::api::examples::{id, time};
        Self {
            id: id("PostId"),
            title: "小米14 Ultra 夜景样张".into(),
            body: "Shot handheld at the Shenzhen Bay bridge, 1/4 s, ISO 1600.".into(),
            circle_id: Some(id("CircleId")),
            device_model: Some("Xiaomi 14 Ultra".into()),
            created_at: time(28, 21, 40),
            edited_at: Some(time(28, 22, 5)),
            deleted_at: None,
            revisions: vec![ExportedRevision {
                title: "小米14 Ultra 夜景样张".into(),
                body: "Shot handheld at the Shenzhen Bay bridge.".into(),
                created_at: time(28, 21, 40),
            }],
            image_upload_ids: vec![id("UploadId")],
            diagnostic_log_upload_id: None,
        }
    }
}

/// One of my comments.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedComment {
    pub id: String,
    pub post_id: String,
    pub parent_id: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What I liked, by id.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedLikes {
    pub posts: Vec<String>,
    pub comments: Vec<String>,
}

impl poem_openapi::types::Example for ExportedLikes {
    fn example() -> Self {
        Self {
            posts: vec![crate::api::examples::id("LikedPostId")],
            comments: Vec::new(),
        }
    }
}

/// A report I made.
#[derive(Debug, Object)]
pub struct ExportedReport {
    pub target_type: TargetType,
    pub target_id: String,
    pub reason: String,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
}

pub struct CommunityData;

#[async_trait]
impl PersonalData for CommunityData {
    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<Vec<ExportedMembership>>("circles"),
            Section::of::<Vec<ExportedPost>>("posts"),
            Section::of::<Vec<ExportedComment>>("comments"),
            Section::of::<ExportedLikes>("likes"),
            Section::of::<Vec<ExportedReport>>("reports"),
        ]
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
        let circles: Vec<ExportedMembership> = joined
            .into_iter()
            .map(|(m, c)| ExportedMembership {
                circle_id: m.circle_id,
                name: c.map(|c| c.name),
                joined_at: m.joined_at,
            })
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
            posts_out.push(ExportedPost {
                id: p.id,
                title: p.title,
                body: p.body,
                circle_id: p.circle_id,
                device_model: p.device_model,
                created_at: p.created_at,
                edited_at: p.edited_at,
                deleted_at: p.deleted_at,
                revisions: revisions
                    .into_iter()
                    .map(|r| ExportedRevision {
                        title: r.title,
                        body: r.body,
                        created_at: r.created_at,
                    })
                    .collect(),
                image_upload_ids: images.into_iter().map(|i| i.upload_id).collect(),
                diagnostic_log_upload_id: p.log_upload_id,
            });
        }
        let comments_out: Vec<ExportedComment> = comments::Entity::find()
            .filter(comments::Column::AuthorId.eq(user))
            .order_by_asc(comments::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|c| ExportedComment {
                id: c.id,
                post_id: c.post_id,
                parent_id: c.parent_id,
                body: c.body,
                created_at: c.created_at,
                deleted_at: c.deleted_at,
            })
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
        let reports_out: Vec<ExportedReport> = reports::Entity::find()
            .filter(reports::Column::ReporterId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|r| ExportedReport {
                target_type: r.target_type.into(),
                target_id: r.target_id,
                reason: r.reason,
                status: r.status.into(),
                created_at: r.created_at,
            })
            .collect();
        let likes = ExportedLikes {
            posts: liked_posts,
            comments: liked_comments,
        };
        Ok(vec![
            Section::value("circles", &circles),
            Section::value("posts", &posts_out),
            Section::value("comments", &comments_out),
            Section::value("likes", &likes),
            Section::value("reports", &reports_out),
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
