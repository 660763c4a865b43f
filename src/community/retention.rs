//! Community's retention rules: content its author deleted, and the
//! diagnostic logs attached to posts.
use async_trait::async_trait;
use chrono::{Duration, Utc};
use entity::{comments, posts, uploads};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    privacy::{
        registry::AfterCommit,
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// `posting`, `social`: what an author deleted stays 30 days for moderation
/// (and mistakes), then goes for good — unless a report is still open.
pub struct DeletedContent;

const DELETED_GRACE_DAYS: i64 = 30;

#[async_trait]
impl RetentionRule for DeletedContent {
    fn name(&self) -> &'static str {
        "deleted_content"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        let cutoff = Utc::now() - Duration::days(DELETED_GRACE_DAYS);
        let open = open_report_targets(state).await?;
        let mut removed = 0;
        let old_posts = posts::Entity::find()
            .filter(posts::Column::DeletedAt.lt(cutoff))
            .all(&state.db)
            .await?;
        for p in old_posts.into_iter().filter(|p| !open.contains(&p.id)) {
            removed += posts::Entity::delete_by_id(p.id)
                .exec(&state.db)
                .await?
                .rows_affected;
        }
        let old_comments = comments::Entity::find()
            .filter(comments::Column::DeletedAt.lt(cutoff))
            .all(&state.db)
            .await?;
        for c in old_comments.into_iter().filter(|c| !open.contains(&c.id)) {
            // A comment others replied to keeps its place, not its words.
            removed += comments::Entity::update_many()
                .col_expr(comments::Column::Body, Expr::value(""))
                .col_expr(
                    comments::Column::AuthorId,
                    Expr::value(Option::<String>::None),
                )
                .filter(comments::Column::Id.eq(c.id))
                .filter(comments::Column::Body.ne(""))
                .exec(&state.db)
                .await?
                .rows_affected;
        }
        Ok(removed)
    }
}

async fn open_report_targets(state: &AppState) -> AppResult<Vec<String>> {
    Ok(entity::reports::Entity::find()
        .filter(entity::reports::Column::Status.eq(entity::enums::ReportStatus::Open))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| r.target_id)
        .collect())
}

/// `diagnostic_logs`: a log attached to a post is kept 180 days.
pub struct DiagnosticLogs;

#[async_trait]
impl RetentionRule for DiagnosticLogs {
    fn name(&self) -> &'static str {
        "diagnostic_logs"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        let cutoff = Utc::now() - period("diagnostic_logs")?;
        let old = posts::Entity::find()
            .filter(posts::Column::LogUploadId.is_not_null())
            .filter(posts::Column::CreatedAt.lt(cutoff))
            .all(&state.db)
            .await?;
        let mut removed = 0;
        for p in old {
            posts::Entity::update_many()
                .col_expr(
                    posts::Column::LogUploadId,
                    Expr::value(Option::<String>::None),
                )
                .filter(posts::Column::Id.eq(p.id.as_str()))
                .exec(&state.db)
                .await?;
            let Some(upload_id) = p.log_upload_id else {
                continue;
            };
            if let Some(u) = uploads::Entity::find_by_id(upload_id)
                .one(&state.db)
                .await?
            {
                uploads::Entity::delete_by_id(u.id).exec(&state.db).await?;
                if let Err(err) = state.media.delete(&u.storage_key).await {
                    tracing::warn!(error = %format!("{err:#}"), "expired log's file not deleted");
                }
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// `diagnostic_logs` withdrawn: every log I attached leaves its post, and
/// the upload and its file go.
pub struct LogEraser;

#[async_trait]
impl crate::privacy::consents::WithdrawalEraser for LogEraser {
    fn purpose(&self) -> &'static str {
        "diagnostic_logs"
    }

    async fn erase(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        user_id: &str,
    ) -> AppResult<AfterCommit> {
        let mine = posts::Entity::find()
            .filter(posts::Column::AuthorId.eq(user_id))
            .filter(posts::Column::LogUploadId.is_not_null())
            .all(txn)
            .await?;
        let mut after = AfterCommit::default();
        for p in mine {
            posts::Entity::update_many()
                .col_expr(
                    posts::Column::LogUploadId,
                    Expr::value(Option::<String>::None),
                )
                .filter(posts::Column::Id.eq(p.id.as_str()))
                .exec(txn)
                .await?;
            after.feeds.push(p.circle_id.clone());
            let Some(upload_id) = p.log_upload_id else {
                continue;
            };
            if let Some(u) = uploads::Entity::find_by_id(upload_id).one(txn).await? {
                uploads::Entity::delete_by_id(u.id).exec(txn).await?;
                after.media_keys.push(u.storage_key);
                after.rows += 1;
            }
        }
        Ok(after)
    }
}

/// `security`: what a reporter wrote is kept for the catalog's period. An
/// older resolved report goes; an older open one keeps its place in the
/// queue, not its words.
pub struct ReportReasons;

#[async_trait]
impl RetentionRule for ReportReasons {
    fn name(&self) -> &'static str {
        "report_reasons"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        use entity::{enums::ReportStatus, reports};
        let cutoff = Utc::now() - period("security")?;
        let deleted = reports::Entity::delete_many()
            .filter(reports::Column::CreatedAt.lt(cutoff))
            .filter(reports::Column::Status.eq(ReportStatus::Resolved))
            .exec(&state.db)
            .await?
            .rows_affected;
        let blanked = reports::Entity::update_many()
            .col_expr(reports::Column::Reason, Expr::value(""))
            .filter(reports::Column::CreatedAt.lt(cutoff))
            .filter(reports::Column::Reason.ne(""))
            .exec(&state.db)
            .await?
            .rows_affected;
        Ok(deleted + blanked)
    }
}
