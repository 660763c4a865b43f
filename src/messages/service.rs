//! Sending, listing, reading and recalling messages.
use chrono::Utc;
use entity::{
    conversation_members as members, conversations,
    enums::{NotificationKind, UploadPurpose},
    messages, notifications, uploads,
};
use sea_orm::{
    sea_query::Expr, ActiveEnum, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{conversations::membership, dto::MessageKind, refusals::Refusal};
use crate::ids::{ConversationId, MessageId, UploadId, UserId};
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppError, AppResult, ErrorCode},
    state::AppState,
};

pub const MAX_TEXT_CHARS: usize = 5000;

pub struct NewMessage {
    pub client_id: String,
    pub kind: MessageKind,
    pub text: Option<String>,
    pub upload_id: Option<UploadId>,
}

/// The message I sent earlier with this idempotency key, if any.
pub async fn by_client_id(
    db: &impl ConnectionTrait,
    me: &UserId,
    client_id: &str,
) -> AppResult<Option<messages::Model>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::SenderId.eq(me))
        .filter(messages::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

/// Checked content, encrypted for storage.
pub struct Sealed {
    pub text: Option<String>,
    pub attachment: Option<String>,
    /// The upload the attachment refers to, made private when sent.
    pub upload_id: Option<String>,
}

/// Checks the content and encrypts it.
pub async fn seal(state: &AppState, me: &UserId, new: &NewMessage) -> AppResult<Sealed> {
    if new.kind == MessageKind::Text {
        let text = new.text.as_deref().unwrap_or("");
        if text.trim().is_empty() {
            return Err(Refusal::EmptyText.into());
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(Refusal::TextTooLong(MAX_TEXT_CHARS).into());
        }
        return Ok(Sealed {
            text: Some(state.crypto.encrypt(text)),
            attachment: None,
            upload_id: None,
        });
    }
    if new.text.as_deref().is_some_and(|t| !t.is_empty()) {
        return Err(Refusal::TextNotAllowed.into());
    }
    let Some(upload_id) = new.upload_id.as_ref().map(UploadId::as_str) else {
        return Err(Refusal::UploadMissing(new.kind.as_str()).into());
    };
    let upload = uploads::Entity::find_by_id(upload_id.to_owned())
        .one(&state.db)
        .await?
        // Only what was uploaded to be sent (private from the start), never
        // a post's image or a diagnostic log.
        .filter(|u| u.owner_id == me.as_str() && u.purpose == UploadPurpose::Attachment)
        .ok_or_else(|| AppError::from(Refusal::NotYourUpload))?;
    if Some(upload.kind) != new.kind.upload_kind() {
        return Err(Refusal::WrongKind(upload.kind.to_value(), new.kind.as_str()).into());
    }
    Ok(Sealed {
        text: None,
        attachment: Some(state.crypto.encrypt(&upload.id)),
        upload_id: Some(upload.id),
    })
}

/// Stores a sealed message, moves the conversation to the top of both
/// lists and, for a recipient who is offline, leaves a notification.
/// `(message, created)`: a concurrent resend yields the first message.
pub async fn store(
    state: &AppState,
    member: &members::Model,
    new: &NewMessage,
    sealed: Sealed,
    recipient_offline: bool,
) -> AppResult<(messages::Model, bool)> {
    let me = member.user_id.as_str();
    let conversation = member.conversation_id.as_str();
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let txn = state.db.begin().await?;
    let inserted = messages::Entity::insert(messages::ActiveModel {
        id: Set(id.clone()),
        conversation_id: Set(conversation.to_owned()),
        sender_id: Set(Some(me.to_owned())),
        client_id: Set(new.client_id.clone()),
        kind: Set(new.kind.into()),
        text_ciphertext: Set(sealed.text),
        attachment_ciphertext: Set(sealed.attachment),
        created_at: Set(now),
        recalled_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await;
    let message = match inserted {
        Ok(m) => m,
        Err(err) if is_unique_violation(&err) => {
            drop(txn);
            return by_client_id(
                &state.db,
                &UserId::from_stored(me.to_owned()),
                &new.client_id,
            )
            .await?
            .map(|m| (m, false))
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("resent message vanished")));
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(upload) = &sealed.upload_id {
        uploads::Entity::update_many()
            .col_expr(uploads::Column::Private, Expr::value(true))
            .filter(uploads::Column::Id.eq(upload.as_str()))
            .exec(&txn)
            .await?;
    }
    conversations::Entity::update_many()
        .col_expr(
            conversations::Column::LastMessageId,
            Expr::value(id.clone()),
        )
        .filter(conversations::Column::Id.eq(conversation))
        .exec(&txn)
        .await?;
    members::Entity::update_many()
        .col_expr(members::Column::Listed, Expr::value(true))
        .col_expr(members::Column::ActivityAt, Expr::value(now))
        .filter(members::Column::ConversationId.eq(conversation))
        .exec(&txn)
        .await?;
    if let (true, Some(peer)) = (recipient_offline, &member.peer_id) {
        notifications::Entity::insert(notifications::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            user_id: Set(peer.clone()),
            kind: Set(NotificationKind::Message),
            actor_id: Set(Some(me.to_owned())),
            conversation_id: Set(Some(conversation.to_owned())),
            message_id: Set(Some(id)),
            registration_id: Set(None),
            application_id: Set(None),
            claim_id: Set(None),
            beta_application_id: Set(None),
            created_at: Set(now),
            read_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((message, true))
}

/// A conversation's messages in my view, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    member: &members::Model,
    page: &PageParams,
) -> AppResult<Vec<messages::Model>> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(member.conversation_id.as_str()))
        .order_by_desc(messages::Column::Id)
        .limit(page.limit + 1);
    if let Some(cleared) = &member.cleared_before {
        query = query.filter(messages::Column::Id.gt(cleared.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(messages::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

/// Moves my read position forward to `up_to` (never back) and marks the
/// notifications it covers read.
pub async fn read(
    db: &impl ConnectionTrait,
    member: &members::Model,
    up_to: &MessageId,
) -> AppResult<()> {
    let visible = messages::Entity::find_by_id(up_to.to_string())
        .one(db)
        .await?
        .filter(|m| m.conversation_id == member.conversation_id)
        .filter(|m| {
            member
                .cleared_before
                .as_deref()
                .is_none_or(|c| m.id.as_str() > c)
        });
    if visible.is_none() {
        return Err(Refusal::UnknownMessage.into());
    }
    members::Entity::update_many()
        .col_expr(members::Column::LastReadId, Expr::value(up_to))
        .filter(members::Column::ConversationId.eq(member.conversation_id.as_str()))
        .filter(members::Column::UserId.eq(member.user_id.as_str()))
        .filter(
            Condition::any()
                .add(members::Column::LastReadId.is_null())
                .add(members::Column::LastReadId.lt(up_to)),
        )
        .exec(db)
        .await?;
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notifications::Column::UserId.eq(member.user_id.as_str()))
        .filter(notifications::Column::ConversationId.eq(member.conversation_id.as_str()))
        .filter(notifications::Column::MessageId.lte(up_to))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Takes back my own message within the recall window: its text and
/// attachment reference are erased, not just hidden.
pub async fn recall(
    state: &AppState,
    me: &UserId,
    message_id: &MessageId,
) -> AppResult<(messages::Model, members::Model)> {
    let message = messages::Entity::find_by_id(message_id.to_string())
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("message"))?;
    let conversation = ConversationId::from_stored(message.conversation_id.clone());
    // Not a member: the message is not there for me. A database failure
    // stays a failure.
    let member = membership(&state.db, me, &conversation)
        .await
        .map_err(|err| match err.code {
            crate::error::ErrorCode::NotFound => AppError::not_found("message"),
            _ => err,
        })?;
    if message.sender_id.as_deref() != Some(me.as_str()) {
        return Err(AppError::forbidden("you can recall only your own messages"));
    }
    if message.recalled_at.is_some() {
        return Ok((message, member));
    }
    let window = chrono::Duration::from_std(state.config.message_recall_window)
        .unwrap_or(chrono::Duration::minutes(2));
    let now = Utc::now();
    if now - message.created_at > window {
        return Err(AppError::new(
            ErrorCode::RecallWindowPassed,
            "messages can be recalled only shortly after sending",
        ));
    }
    // What it carried goes with it (once nothing else shows that upload).
    let attachment = state
        .crypto
        .decrypt_opt(&message.attachment_ciphertext)
        .map_err(AppError::internal)?;
    let txn = state.db.begin().await?;
    messages::Entity::update_many()
        .col_expr(messages::Column::RecalledAt, Expr::value(now))
        .col_expr(
            messages::Column::TextCiphertext,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            messages::Column::AttachmentCiphertext,
            Expr::value(Option::<String>::None),
        )
        .filter(messages::Column::Id.eq(message_id))
        .exec(&txn)
        .await?;
    notifications::Entity::delete_many()
        .filter(notifications::Column::MessageId.eq(message_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    crate::uploads::lifecycle::release_now(state, attachment.into_iter().collect()).await;
    crate::platform::db::checkpoint_soon(&state.db);
    let message = messages::Model {
        recalled_at: Some(now),
        text_ciphertext: None,
        attachment_ciphertext: None,
        ..message
    };
    Ok((message, member))
}
