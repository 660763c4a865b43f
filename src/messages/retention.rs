//! Messages' retention rule: messages nobody can see any more.
use async_trait::async_trait;
use entity::{conversation_members, messages};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    privacy::{registry::AfterCommit, retention::RetentionRule},
    state::AppState,
};

/// `direct_messages`: a message both participants removed from their view
/// (or the only one left did) is nobody's any more, and goes.
pub struct UnreachableMessages;

#[async_trait]
impl RetentionRule for UnreachableMessages {
    fn name(&self) -> &'static str {
        "unreachable_messages"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
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
        Ok(AfterCommit::rows(removed))
    }
}
