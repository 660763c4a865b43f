//! Messages' retention rule: messages nobody can see any more.
use async_trait::async_trait;
use entity::{conversation_members, messages};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    error::{AppError, AppResult},
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
        let mut attachments = Vec::new();
        for (conversation, cleared) in views {
            // Everyone still in it cleared up to here (none: nothing to do).
            let Some(Some(upto)) = cleared.iter().min().cloned() else {
                continue;
            };
            // What they carried, released once they are gone.
            let sealed: Vec<Option<String>> = messages::Entity::find()
                .filter(messages::Column::ConversationId.eq(conversation.as_str()))
                .filter(messages::Column::Id.lte(upto.as_str()))
                .select_only()
                .column(messages::Column::AttachmentCiphertext)
                .filter(messages::Column::AttachmentCiphertext.is_not_null())
                .into_tuple()
                .all(&state.db)
                .await?;
            for sealed in sealed {
                let opened = state
                    .crypto
                    .decrypt_opt(&sealed)
                    .map_err(AppError::internal)?;
                attachments.extend(opened);
            }
            removed += messages::Entity::delete_many()
                .filter(messages::Column::ConversationId.eq(conversation.as_str()))
                .filter(messages::Column::Id.lte(upto.as_str()))
                .exec(&state.db)
                .await?
                .rows_affected;
        }
        let mut after = crate::uploads::lifecycle::release(state, attachments).await?;
        after.rows += removed;
        Ok(after)
    }
}
