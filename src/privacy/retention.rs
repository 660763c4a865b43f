//! Retention rules: each enforces one line of the catalog's retention
//! column, run by the purge. Later areas register their own (for example
//! event registrations, deleted three months after the event).
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use entity::{comments, conversation_members, messages, posts, sessions, sms_codes, uploads};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

use crate::{error::AppResult, state::AppState};

#[async_trait]
pub trait RetentionRule: Send + Sync + 'static {
    /// A short name for the log.
    fn name(&self) -> &'static str;
    /// Removes what is past its time; returns how many rows went.
    async fn run(&self, state: &AppState) -> AppResult<u64>;
}

#[derive(Clone, Default)]
pub struct Retention(Vec<Arc<dyn RetentionRule>>);

impl Retention {
    pub fn register(&mut self, rule: Arc<dyn RetentionRule>) {
        self.0.push(rule);
    }

    pub fn rules(&self) -> impl Iterator<Item = &Arc<dyn RetentionRule>> {
        self.0.iter()
    }

    /// The rules of the areas built so far.
    pub fn standard() -> Self {
        let mut r = Self::default();
        r.register(Arc::new(EndedSessions));
        r.register(Arc::new(SmsCodes));
        r.register(Arc::new(DeletedContent));
        r.register(Arc::new(DiagnosticLogs));
        r.register(Arc::new(UnreachableMessages));
        r
    }
}

/// `browsing`: a session's device details are kept 90 days after it ended.
pub struct EndedSessions;

#[async_trait]
impl RetentionRule for EndedSessions {
    fn name(&self) -> &'static str {
        "ended_sessions"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        let cutoff = Utc::now() - Duration::days(90);
        Ok(sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lt(cutoff))
            .exec(&state.db)
            .await?
            .rows_affected)
    }
}

/// `account`: SMS codes are ephemeral; an expired one is gone.
pub struct SmsCodes;

#[async_trait]
impl RetentionRule for SmsCodes {
    fn name(&self) -> &'static str {
        "sms_codes"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        Ok(sms_codes::Entity::delete_many()
            .filter(sms_codes::Column::ExpiresAt.lt(Utc::now()))
            .exec(&state.db)
            .await?
            .rows_affected)
    }
}

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
        .filter(entity::reports::Column::Status.eq("open"))
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
        let cutoff = Utc::now() - Duration::days(180);
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
                    tracing::warn!(error = %err, "expired log's file not deleted");
                }
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// `direct_messages`: a message both participants removed from their view
/// (or the only one left did) is nobody's any more, and goes.
pub struct UnreachableMessages;

#[async_trait]
impl RetentionRule for UnreachableMessages {
    fn name(&self) -> &'static str {
        "unreachable_messages"
    }
    async fn run(&self, state: &AppState) -> AppResult<u64> {
        use std::collections::HashMap;
        let members = conversation_members::Entity::find().all(&state.db).await?;
        let mut views: HashMap<String, Vec<Option<String>>> = HashMap::new();
        for m in members {
            views
                .entry(m.conversation_id)
                .or_default()
                .push(m.cleared_before);
        }
        let mut removed = 0;
        for (conversation, cleared) in views {
            // Everyone still in it cleared up to here (none: nothing to do).
            let Some(Some(upto)) = cleared.iter().min().cloned() else {
                continue;
            };
            removed += messages::Entity::delete_many()
                .filter(messages::Column::ConversationId.eq(conversation.as_str()))
                .filter(messages::Column::Id.lte(upto.as_str()))
                .exec(&state.db)
                .await?
                .rows_affected;
        }
        Ok(removed)
    }
}
