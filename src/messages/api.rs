//! `/conversations`, their messages, read receipts and recall.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    conversations,
    dto::{message_view, message_views, ConversationView, MessageKind, MessageView},
    events,
    service::{self, NewMessage},
};
use crate::ids::{ConversationId, MessageId, UploadId, UserId};
use crate::{
    api::{check_limit, page::split_page, page::Page, ApiTags, JsonBody, PageParams},
    error::{AppError, AppResult, ErrorCode},
    identity::BearerAuth,
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct MessagesApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewConversation {
    /// The user to talk to.
    /// privacy: conversation_list for direct_messages, required
    #[oai(validator(max_length = 36))]
    pub peer_id: UserId,
}

impl poem_openapi::types::Example for NewConversation {
    fn example() -> Self {
        Self {
            peer_id: poem_openapi::types::Example::example(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewMessageBody {
    /// An idempotency key of the client's choosing: a resend with the
    /// same key returns the first message.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64))]
    pub client_id: String,
    /// privacy: not personal
    pub kind: MessageKind,
    /// The text of a `text` message, up to 5,000 characters.
    /// privacy: message_text for direct_messages, optional
    #[oai(validator(max_length = 5000, pattern = r"\S"))]
    pub text: Option<String>,
    /// For `image`, `video` and `file` messages: an upload of mine of that kind.
    /// privacy: message_media for direct_messages, optional
    #[oai(validator(max_length = 36))]
    pub upload_id: Option<UploadId>,
}

impl poem_openapi::types::Example for NewMessageBody {
    fn example() -> Self {
        Self {
            client_id: "c1d2e3f4-0001".into(),
            kind: MessageKind::Text,
            text: Some("Did you shoot that with the 5x lens?".into()),
            upload_id: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReadBody {
    /// The newest message I have read.
    /// privacy: message_timestamps for direct_messages, required
    #[oai(validator(max_length = 36))]
    pub up_to: MessageId,
}

impl poem_openapi::types::Example for ReadBody {
    fn example() -> Self {
        Self {
            up_to: poem_openapi::types::Example::example(),
        }
    }
}

#[derive(ApiResponse)]
pub enum ConversationResponse {
    /// The conversation already existed.
    #[oai(status = 200)]
    Existing(Json<ConversationView>),
    /// Started.
    #[oai(status = 201)]
    Created(Json<ConversationView>),
}

#[derive(ApiResponse)]
pub enum ConversationsResponse {
    /// My conversations, most recent activity first.
    #[oai(status = 200)]
    Ok(Json<Page<ConversationView>>),
}

#[derive(ApiResponse)]
pub enum MessagesResponse {
    /// Messages, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<MessageView>>),
}

#[derive(ApiResponse)]
pub enum SentResponse {
    /// Sent (or, for a repeated `client_id`, the message sent the first time).
    #[oai(status = 201)]
    Created(Json<MessageView>),
}

#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

async fn one_view(
    state: &AppState,
    me: &UserId,
    id: &ConversationId,
) -> AppResult<ConversationView> {
    let member = conversations::membership(&state.db, me, id).await?;
    conversations::views(state, vec![member])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("conversation"))
}

#[OpenApi(tag = "ApiTags::Messages")]
impl MessagesApi {
    /// My conversations.
    #[oai(
        path = "/conversations",
        method = "get",
        operation_id = "messages_list_conversations"
    )]
    async fn list_conversations(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ConversationsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let (rows, next_cursor) = conversations::list(&state.db, &auth.0.id, &page).await?;
        let items = conversations::views(&state, rows).await?;
        Ok(ConversationsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Get or start the conversation with a user.
    #[oai(
        path = "/conversations",
        method = "post",
        operation_id = "messages_create_conversation"
    )]
    async fn create_conversation(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewConversation>,
    ) -> AppResult<ConversationResponse> {
        let me = &auth.0.id;
        let peer = body.0.peer_id;
        conversations::check_peer(&state.db, me, &peer).await?;
        if let Some(found) = conversations::find_pair(&state.db, me, &peer).await? {
            return Ok(ConversationResponse::Existing(Json(
                one_view(&state, me, &ConversationId::from_stored(found.id)).await?,
            )));
        }
        check_limit(&state, ActionClass::ConversationCreate, me.as_str()).await?;
        let (conversation, created) = conversations::create(&state.db, me, &peer).await?;
        let view = Json(one_view(&state, me, &ConversationId::from_stored(conversation.id)).await?);
        Ok(if created {
            ConversationResponse::Created(view)
        } else {
            ConversationResponse::Existing(view)
        })
    }

    /// Remove a conversation from my list, clearing my view of its history
    /// (the other participant keeps theirs).
    #[oai(
        path = "/conversations/:id",
        method = "delete",
        operation_id = "messages_delete_conversation"
    )]
    async fn delete_conversation(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ConversationId>,
    ) -> AppResult<Done> {
        conversations::remove(&state.db, &auth.0.id, &id.0).await?;
        Ok(Done::Done)
    }

    /// A conversation's messages.
    #[oai(
        path = "/conversations/:id/messages",
        method = "get",
        operation_id = "messages_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ConversationId>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<MessagesResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let member = conversations::membership(&state.db, &auth.0.id, &id.0).await?;
        let rows = service::list(&state.db, &member, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |m| m.id.clone());
        let items = message_views(&state, rows).await?;
        Ok(MessagesResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Send a message: text, or an image, video or file I uploaded.
    #[oai(
        path = "/conversations/:id/messages",
        method = "post",
        operation_id = "messages_send"
    )]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ConversationId>,
        body: JsonBody<NewMessageBody>,
    ) -> AppResult<SentResponse> {
        let me = &auth.0.id;
        let body = body.0;
        let member = conversations::membership(&state.db, me, &id.0).await?;
        if let Some(first) = service::by_client_id(&state.db, me, &body.client_id).await? {
            if first.conversation_id != member.conversation_id {
                return Err(AppError::field(
                    ErrorCode::Conflict,
                    "client_id",
                    "reused",
                    "was already used for a message in another conversation",
                ));
            }
            return Ok(SentResponse::Created(Json(
                message_view(&state, first).await?,
            )));
        }
        let peer = member.peer_id.clone().ok_or_else(|| {
            AppError::new(ErrorCode::Conflict, "the other account no longer exists")
        })?;
        crate::identity::blocks::ensure_not_blocked(&state.db, me.as_str(), &peer).await?;
        let new = NewMessage {
            client_id: body.client_id,
            kind: body.kind,
            text: body.text,
            upload_id: body.upload_id,
        };
        let sealed = service::seal(&state, me, &new).await?;
        check_limit(&state, ActionClass::MessageSend, me.as_str()).await?;
        // Unknown presence counts as offline: a notification too many
        // rather than a message missed.
        let offline = match state.realtime.bus.online(&peer).await {
            Ok(online) => !online,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "presence lookup failed; notifying");
                true
            }
        };
        let (message, created) = service::store(&state, &member, &new, sealed, offline).await?;
        let view = message_view(&state, message).await?;
        if created {
            events::message_created(&state, &member, &view).await;
        }
        Ok(SentResponse::Created(Json(view)))
    }

    /// Mark messages read up to one of them; the sender's devices are told.
    #[oai(
        path = "/conversations/:id/read",
        method = "post",
        operation_id = "messages_mark_read"
    )]
    async fn read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ConversationId>,
        body: JsonBody<ReadBody>,
    ) -> AppResult<Done> {
        let member = conversations::membership(&state.db, &auth.0.id, &id.0).await?;
        service::read(&state.db, &member, &body.0.up_to).await?;
        events::message_read(&state, &member, body.0.up_to.as_str()).await;
        Ok(Done::Done)
    }

    /// Recall my own message, within two minutes of sending it: its content
    /// is erased for both of us.
    #[oai(
        path = "/messages/:id",
        method = "delete",
        operation_id = "messages_recall"
    )]
    async fn recall(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<MessageId>,
    ) -> AppResult<Done> {
        let (message, member) = service::recall(&state, &auth.0.id, &id.0).await?;
        events::message_recalled(&state, &member, &message.id).await;
        Ok(Done::Done)
    }
}
