//! Blocks, presence and notifications.
use entity::users;
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};
use sea_orm::EntityTrait;

use super::{
    dto::people,
    events::presence_visible,
    notifications::{self, NotificationView},
};
use crate::ids::UserId;
use crate::{
    api::{page::split_page, page::Page, ApiTags, JsonBody, PageParams},
    error::{AppError, AppResult, ErrorCode},
    identity::views::AuthorView,
    identity::{blocks, BearerAuth},
    state::AppState,
};

pub struct PeopleApi;

#[derive(ApiResponse)]
pub enum Done {
    /// Done (idempotent).
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum BlocksResponse {
    /// The users I blocked.
    #[oai(status = 200)]
    Ok(Json<Page<AuthorView>>),
}

/// Whether a user is online.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Presence {
    /// False also when the user hides it, or when either of us blocked the other.
    pub online: bool,
}

#[derive(ApiResponse)]
pub enum PresenceResponse {
    /// Their status, as far as I may see it.
    #[oai(status = 200)]
    Ok(Json<Presence>),
}

/// A page of notifications with the count of unread ones.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NotificationsPage {
    pub items: Vec<NotificationView>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
    pub unread_count: i64,
}

/// A decision on my registration, unread, above a message read since.
impl poem_openapi::types::Example for NotificationsPage {
    fn example() -> Self {
        use crate::api::examples::{id, time};
        use notifications::NotificationKind;
        let decision = NotificationView {
            id: id("NotificationId"),
            kind: NotificationKind::EventDecision,
            actor: None,
            conversation_id: None,
            message_id: None,
            registration_id: Some(id("RegistrationId")),
            application_id: None,
            claim_id: None,
            beta_application_id: None,
            created_at: time(21, 9, 30),
            read: false,
        };
        let message = NotificationView {
            id: id("EarlierNotificationId"),
            kind: NotificationKind::Message,
            actor: Some(poem_openapi::types::Example::example()),
            conversation_id: Some(id("ConversationId")),
            message_id: Some(id("MessageId")),
            registration_id: None,
            application_id: None,
            claim_id: None,
            beta_application_id: None,
            created_at: time(20, 23, 12),
            read: true,
        };
        Self {
            items: vec![decision, message],
            next_cursor: Some(crate::api::page::Cursor::encode(&id("Cursor"))),
            unread_count: 1,
        }
    }
}

#[derive(ApiResponse)]
pub enum NotificationsResponse {
    /// Newest first.
    #[oai(status = 200)]
    Ok(Json<NotificationsPage>),
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct MarkRead {
    /// Mark read up to this notification; leave out to mark all.
    /// privacy: not personal
    pub up_to: Option<crate::ids::NotificationId>,
}

impl poem_openapi::types::Example for MarkRead {
    fn example() -> Self {
        Self { up_to: None }
    }
}

#[OpenApi(tag = "ApiTags::Messages")]
impl PeopleApi {
    /// Block a user: no conversation, message or presence between us; follows end.
    #[oai(
        path = "/users/:id/block",
        method = "put",
        operation_id = "users_block"
    )]
    async fn block(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The user to block.
        /// privacy: blocks for social, required
        id: Path<UserId>,
    ) -> AppResult<Done> {
        if auth.0.id == id.0 {
            return Err(AppError::invalid("id", "self", "you cannot block yourself"));
        }
        blocks::block(&state.db, &auth.0.id, &id.0).await?;
        super::events::blocked(&state, auth.0.id.as_str(), id.0.as_str()).await;
        Ok(Done::Done)
    }

    /// Unblock a user.
    #[oai(
        path = "/users/:id/block",
        method = "delete",
        operation_id = "users_unblock"
    )]
    async fn unblock(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The user to unblock.
        /// privacy: blocks for social, required
        id: Path<UserId>,
    ) -> AppResult<Done> {
        blocks::unblock(&state.db, &auth.0.id, &id.0).await?;
        Ok(Done::Done)
    }

    /// The users I blocked.
    #[oai(path = "/me/blocks", method = "get", operation_id = "me_list_blocks")]
    async fn list_blocks(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<BlocksResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let ids = blocks::list(&state.db, auth.0.id.as_str(), &page).await?;
        let (ids, next_cursor) = split_page(ids, page.limit, Clone::clone);
        let found = people(&state, ids.iter().cloned().map(Some)).await?;
        let items = ids.iter().filter_map(|id| found.get(id).cloned()).collect();
        Ok(BlocksResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Whether a user is online, if they show it and neither of us blocked the other.
    #[oai(
        path = "/users/:id/presence",
        method = "get",
        operation_id = "users_get_presence"
    )]
    async fn presence(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<UserId>,
    ) -> AppResult<PresenceResponse> {
        let target = users::Entity::find_by_id(id.0.to_string())
            .one(&state.db)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let online = presence_visible(&state, Some(auth.0.id.as_str()), &target).await?
            && state.realtime.bus.online(&target.id).await.map_err(|err| {
                tracing::warn!(error = %format!("{err:#}"), "presence lookup failed");
                AppError::new(ErrorCode::Unavailable, "presence is unavailable right now")
            })?;
        Ok(PresenceResponse::Ok(Json(Presence { online })))
    }

    /// My notifications: messages that arrived while I was offline.
    #[oai(
        path = "/me/notifications",
        method = "get",
        operation_id = "me_list_notifications"
    )]
    async fn notifications(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<NotificationsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = notifications::list(&state.db, auth.0.id.as_str(), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |n| n.id.clone());
        Ok(NotificationsResponse::Ok(Json(NotificationsPage {
            items: notifications::views(&state, rows).await?,
            next_cursor,
            unread_count: notifications::unread_count(&state.db, auth.0.id.as_str()).await?,
        })))
    }

    /// Mark my notifications read.
    #[oai(
        path = "/me/notifications/read",
        method = "post",
        operation_id = "me_mark_notifications_read"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<MarkRead>,
    ) -> AppResult<Done> {
        notifications::mark_read(
            &state.db,
            auth.0.id.as_str(),
            body.0.up_to.as_ref().map(|id| id.as_str()),
        )
        .await?;
        Ok(Done::Done)
    }
}

impl poem_openapi::types::Example for Presence {
    fn example() -> Self {
        Self { online: true }
    }
}
