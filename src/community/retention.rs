//! Community's retention rules: content its author deleted, diagnostic
//! logs (attached to posts or not) and report reasons.
use async_trait::async_trait;
use chrono::Utc;
use entity::{comments, enums::UploadPurpose, post_images, posts, uploads};
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use crate::{
    error::AppResult,
    privacy::{
        registry::AfterCommit,
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// `posting`, `social`: what an author deleted stays for the catalog's
/// period (30 days) for moderation and mistakes, then goes for good —
/// unless a report is still open.
pub struct DeletedContent;

#[async_trait]
impl RetentionRule for DeletedContent {
    fn name(&self) -> &'static str {
        "deleted_content"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        // Posts are `posting`'s, comments `social`'s; each by its own period.
        let now = Utc::now();
        let (post_cutoff, comment_cutoff) = (now - period("posting")?, now - period("social")?);
        let open = open_report_targets(state).await?;
        let mut removed = 0;
        let old_posts = posts::Entity::find()
            .filter(posts::Column::DeletedAt.lt(post_cutoff))
            .all(&state.db)
            .await?;
        // Their images and logs go with them (once nothing else shows them).
        let mut uploads = Vec::new();
        let mut gone = Vec::new();
        for p in old_posts.into_iter().filter(|p| !open.contains(&p.id)) {
            let images: Vec<String> = post_images::Entity::find()
                .select_only()
                .column(post_images::Column::UploadId)
                .filter(post_images::Column::PostId.eq(p.id.as_str()))
                .into_tuple()
                .all(&state.db)
                .await?;
            uploads.extend(images.into_iter().chain(p.log_upload_id.clone()));
            gone.push(p.id.clone());
            removed += posts::Entity::delete_by_id(p.id)
                .exec(&state.db)
                .await?
                .rows_affected;
        }
        let old_comments = comments::Entity::find()
            .filter(comments::Column::DeletedAt.lt(comment_cutoff))
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
        let mut after = crate::uploads::lifecycle::release(state, uploads).await?;
        after.rows += removed;
        // No cached page of any generation may still hold them.
        after.posts.extend(gone);
        Ok(after)
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

/// Deletes these diagnostic logs: off their posts, their rows, and (by the
/// caller, once committed) their files.
async fn drop_logs(
    db: &impl sea_orm::ConnectionTrait,
    logs: Vec<uploads::Model>,
) -> AppResult<AfterCommit> {
    let mut after = AfterCommit::default();
    if logs.is_empty() {
        return Ok(after);
    }
    let ids: Vec<String> = logs.iter().map(|u| u.id.clone()).collect();
    let posts_with = posts::Entity::find()
        .filter(posts::Column::LogUploadId.is_in(ids.clone()))
        .all(db)
        .await?;
    after.feeds = posts_with.iter().map(|p| p.circle_id.clone()).collect();
    posts::Entity::update_many()
        .col_expr(
            posts::Column::LogUploadId,
            Expr::value(Option::<String>::None),
        )
        .filter(posts::Column::LogUploadId.is_in(ids.clone()))
        .exec(db)
        .await?;
    after.rows = uploads::Entity::delete_many()
        .filter(uploads::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected;
    after.media_keys = logs.into_iter().map(|u| u.storage_key).collect();
    Ok(after)
}

/// `diagnostic_logs`: a log is kept for the catalog's period (180 days)
/// from its upload, attached to a post or not.
pub struct DiagnosticLogs;

#[async_trait]
impl RetentionRule for DiagnosticLogs {
    fn name(&self) -> &'static str {
        "diagnostic_logs"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let cutoff = Utc::now() - period("diagnostic_logs")?;
        let old = uploads::Entity::find()
            .filter(uploads::Column::Purpose.eq(UploadPurpose::Diagnostic))
            .filter(uploads::Column::CreatedAt.lt(cutoff))
            .all(&state.db)
            .await?;
        let txn = state.db.begin().await?;
        let after = drop_logs(&txn, old).await?;
        txn.commit().await?;
        // The files go once this committed, by the purge.
        Ok(after)
    }
}

/// `diagnostic_logs` withdrawn: every log I uploaded goes — off its post,
/// the row, and the file once the withdrawal committed.
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
        let mine = uploads::Entity::find()
            .filter(uploads::Column::OwnerId.eq(user_id))
            .filter(uploads::Column::Purpose.eq(UploadPurpose::Diagnostic))
            .all(txn)
            .await?;
        drop_logs(txn, mine).await
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
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
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
        Ok(AfterCommit::rows(deleted + blanked))
    }
}
