//! Identity's retention rules: ended sessions and expired SMS codes.
use async_trait::async_trait;
use chrono::Utc;
use entity::{sessions, sms_codes};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    privacy::{
        registry::AfterCommit,
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// `browsing`: a session's device details are kept for the catalog's
/// period after it ended.
pub struct EndedSessions;

#[async_trait]
impl RetentionRule for EndedSessions {
    fn name(&self) -> &'static str {
        "ended_sessions"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let cutoff = Utc::now() - period("browsing")?;
        let deleted = sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lt(cutoff))
            .exec(&state.db)
            .await?;
        Ok(AfterCommit::rows(deleted.rows_affected))
    }
}

/// `account`: SMS codes are ephemeral; an expired one is gone.
pub struct SmsCodes;

#[async_trait]
impl RetentionRule for SmsCodes {
    fn name(&self) -> &'static str {
        "sms_codes"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let deleted = sms_codes::Entity::delete_many()
            .filter(sms_codes::Column::ExpiresAt.lt(Utc::now()))
            .exec(&state.db)
            .await?;
        Ok(AfterCommit::rows(deleted.rows_affected))
    }
}
