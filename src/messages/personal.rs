//! Private messages as personal data: my conversations with every message
//! in them (sent and received), and my notifications (blocks are identity's). Erasing
//! takes what I sent; what the peer sent stays in the peer's history.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{conversation_members as members, conversations, messages, notifications};
use poem_openapi::Object;
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;

use super::{dto::MessageKind, notifications::NotificationKind};
use crate::{
    error::AppResult,
    privacy::registry::{delete_where, AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// A message in one of my conversations, sent or received.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedMessage {
    pub id: String,
    /// Absent when the sender's account is gone.
    pub sender_id: Option<String>,
    pub kind: MessageKind,
    pub text: Option<String>,
    pub attachment_upload_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub recalled: bool,
}

/// One of my conversations with its messages.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedConversation {
    pub id: String,
    pub peer_id: Option<String>,
    /// Whether it shows in my conversation list.
    pub listed: bool,
    pub last_read_id: Option<String>,
    pub messages: Vec<ExportedMessage>,
}

/// One of my notifications (references only, never message content).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedNotification {
    pub id: String,
    pub kind: NotificationKind,
    pub actor_id: Option<String>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub struct MessagesData;

#[async_trait]
impl PersonalData for MessagesData {
    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<Vec<ExportedConversation>>("conversations"),
            Section::of::<Vec<ExportedNotification>>("notifications"),
        ]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "conversation_list",
            "message_text",
            "message_media",
            "message_timestamps",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "conversations",
            "conversation_members",
            "messages",
            "notifications",
        ]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let db = &state.db;
        let decrypt = |c: &Option<String>| {
            state
                .crypto
                .decrypt_opt(c)
                .map_err(crate::error::AppError::internal)
        };
        let mut conversations_out = Vec::new();
        for m in members::Entity::find()
            .filter(members::Column::UserId.eq(user))
            .all(db)
            .await?
        {
            let msgs: Vec<ExportedMessage> = messages::Entity::find()
                .filter(messages::Column::ConversationId.eq(m.conversation_id.as_str()))
                .order_by_asc(messages::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|x| {
                    Ok(ExportedMessage {
                        text: decrypt(&x.text_ciphertext)?,
                        attachment_upload_id: decrypt(&x.attachment_ciphertext)?,
                        id: x.id,
                        sender_id: x.sender_id,
                        kind: x.kind.into(),
                        created_at: x.created_at,
                        recalled: x.recalled_at.is_some(),
                    })
                })
                .collect::<AppResult<_>>()?;
            conversations_out.push(ExportedConversation {
                id: m.conversation_id,
                peer_id: m.peer_id,
                listed: m.listed,
                last_read_id: m.last_read_id,
                messages: msgs,
            });
        }
        let notes: Vec<ExportedNotification> = notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user))
            .order_by_asc(notifications::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|n| ExportedNotification {
                id: n.id,
                kind: n.kind.into(),
                actor_id: n.actor_id,
                conversation_id: n.conversation_id,
                message_id: n.message_id,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect();
        Ok(vec![
            Section::value("conversations", &conversations_out),
            Section::value("notifications", &notes),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let touched: Vec<String> = members::Entity::find()
            .filter(members::Column::UserId.eq(user))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| m.conversation_id)
            .collect();
        // What I sent goes, and with it the notifications it caused.
        delete_where::<messages::Entity>(txn, messages::Column::SenderId, user).await?;
        notifications::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(notifications::Column::UserId.eq(user))
                    .add(notifications::Column::ActorId.eq(user)),
            )
            .exec(txn)
            .await?;
        delete_where::<members::Entity>(txn, members::Column::UserId, user).await?;
        members::Entity::update_many()
            .col_expr(members::Column::PeerId, Expr::value(Option::<String>::None))
            .filter(members::Column::PeerId.eq(user))
            .exec(txn)
            .await?;
        for (col, id) in [
            (conversations::Column::UserLow, user),
            (conversations::Column::UserHigh, user),
        ] {
            conversations::Entity::update_many()
                .col_expr(col, Expr::value(Option::<String>::None))
                .filter(col.eq(id))
                .exec(txn)
                .await?;
        }
        for conversation in touched {
            let last = messages::Entity::find()
                .filter(messages::Column::ConversationId.eq(conversation.as_str()))
                .order_by_desc(messages::Column::Id)
                .limit(1)
                .one(txn)
                .await?
                .map(|m| m.id);
            conversations::Entity::update_many()
                .col_expr(conversations::Column::LastMessageId, Expr::value(last))
                .filter(conversations::Column::Id.eq(conversation.as_str()))
                .exec(txn)
                .await?;
        }
        // A conversation nobody is left in goes entirely.
        conversations::Entity::delete_many()
            .filter(conversations::Column::UserLow.is_null())
            .filter(conversations::Column::UserHigh.is_null())
            .exec(txn)
            .await?;
        Ok(AfterCommit::default())
    }
}
