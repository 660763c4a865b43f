//! What the API shows of conversations, messages and notifications.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{enums::UploadKind, messages, uploads};
use poem_openapi::{Enum, Object};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::uploads::media::MediaKind;
use crate::{
    error::AppResult,
    identity::views::{authors, AuthorView},
    state::AppState,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum MessageKind {
    Text,
    Image,
    Video,
    File,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Video => "video",
            Self::File => "file",
        }
    }

    /// The kind of upload a message of this kind carries (none for text).
    pub fn upload_kind(self) -> Option<UploadKind> {
        match self {
            Self::Text => None,
            Self::Image => Some(UploadKind::Image),
            Self::Video => Some(UploadKind::Video),
            Self::File => Some(UploadKind::File),
        }
    }
}

/// The image, video or file a message carries.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AttachmentView {
    pub upload_id: String,
    pub url: String,
    pub kind: MediaKind,
    pub content_type: String,
    pub bytes: i64,
}

/// A private message.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MessageView {
    pub id: String,
    pub conversation_id: String,
    /// Absent when the sender's account is gone.
    pub sender_id: Option<String>,
    /// The sender's idempotency key.
    pub client_id: String,
    pub kind: MessageKind,
    /// The text of a `text` message; null once recalled.
    pub text: Option<String>,
    /// The media of an `image`, `video` or `file` message; null once recalled.
    pub attachment: Option<AttachmentView>,
    pub created_at: DateTime<Utc>,
    /// The sender took it back.
    pub recalled: bool,
}

impl poem_openapi::types::Example for MessageView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("MessageId"),
            conversation_id: crate::api::examples::id("ConversationId"),
            sender_id: Some(crate::api::examples::id("UserId")),
            client_id: "c1d2e3f4-0001".into(),
            kind: MessageKind::Text,
            text: Some("Did you shoot that with the 5x lens?".into()),
            attachment: None,
            created_at: crate::api::examples::time(29, 10, 2),
            recalled: false,
        }
    }
}

/// One conversation as one participant sees it.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ConversationView {
    pub id: String,
    /// The other participant; absent when their account is gone.
    pub peer: Option<AuthorView>,
    pub last_message: Option<MessageView>,
    /// Messages from the peer after my read position.
    pub unread_count: i64,
    pub updated_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for ConversationView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("ConversationId"),
            peer: Some(poem_openapi::types::Example::example()),
            last_message: Some(poem_openapi::types::Example::example()),
            unread_count: 1,
            updated_at: crate::api::examples::time(29, 10, 2),
        }
    }
}

/// Decrypted message bodies, attachments looked up in one query.
pub async fn message_views(
    state: &AppState,
    rows: Vec<messages::Model>,
) -> AppResult<Vec<MessageView>> {
    // Text and attachment of each message; one that does not decrypt is
    // an error (a wrong key, a corrupt row), never shown as "no text".
    let opened: Vec<(Option<String>, Option<String>)> = rows
        .iter()
        .map(|m| {
            let text = state.crypto.decrypt_opt(&m.text_ciphertext)?;
            Ok((text, state.crypto.decrypt_opt(&m.attachment_ciphertext)?))
        })
        .collect::<Result<_, crate::platform::crypto::CryptoError>>()
        .map_err(crate::error::AppError::internal)?;
    let upload_ids: HashSet<String> = opened.iter().filter_map(|(_, a)| a.clone()).collect();
    let uploads: HashMap<String, uploads::Model> = if upload_ids.is_empty() {
        HashMap::new()
    } else {
        uploads::Entity::find()
            .filter(uploads::Column::Id.is_in(upload_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect()
    };
    Ok(rows
        .into_iter()
        .zip(opened)
        .map(|(m, (text, attachment))| {
            let attachment = attachment
                .and_then(|id| uploads.get(&id))
                .map(|u| AttachmentView {
                    upload_id: u.id.clone(),
                    url: crate::uploads::media::upload_url(state, u),
                    kind: u.kind.into(),
                    content_type: u.content_type.clone(),
                    bytes: u.bytes,
                });
            MessageView {
                text,
                attachment,
                kind: m.kind.into(),
                recalled: m.recalled_at.is_some(),
                id: m.id,
                conversation_id: m.conversation_id,
                sender_id: m.sender_id,
                client_id: m.client_id,
                created_at: m.created_at,
            }
        })
        .collect())
}

pub async fn message_view(state: &AppState, row: messages::Model) -> AppResult<MessageView> {
    let mut views = message_views(state, vec![row]).await?;
    views
        .pop()
        .ok_or_else(|| crate::error::AppError::internal(anyhow::anyhow!("no message view")))
}

/// Profiles of a batch of users, for peers and notification actors.
pub async fn people(
    state: &AppState,
    ids: impl IntoIterator<Item = Option<String>>,
) -> AppResult<HashMap<String, AuthorView>> {
    authors(state, ids.into_iter().flatten().collect()).await
}

crate::convert::mirror!(
    MessageKind,
    entity::enums::MessageKind,
    [Text, Image, Video, File]
);
