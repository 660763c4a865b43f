//! `/auth/logout` and `/auth/sessions`: my signed-in devices.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{sessions, BearerAuth};
use crate::ids::SessionId;
use crate::platform::realtime::Control;
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    error::AppResult,
    state::AppState,
};

pub struct SessionsApi;

/// A signed-in device.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct SessionView {
    pub id: String,
    /// The device model given at login (`X-Device-Model`).
    pub device_model: Option<String>,
    pub os_version: Option<String>,
    pub app_version: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum SessionsResponse {
    /// My active sessions, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<SessionView>>),
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl SessionsApi {
    /// Log out: revoke the token of this request.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<NoContent> {
        sessions::revoke(&state.db, &auth.0.id, &auth.0.session_id).await?;
        let ended = Control::SessionsEnded(vec![auth.0.session_id.to_string()]);
        sessions::announce_ended(&state, &auth.0.id, ended).await;
        Ok(NoContent::Done)
    }

    /// List my active sessions, with device and last use.
    #[oai(
        path = "/sessions",
        method = "get",
        operation_id = "auth_list_sessions"
    )]
    async fn list_sessions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<SessionsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = sessions::list(&state.db, auth.0.id.as_str(), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |s| s.id.clone());
        let items = rows
            .into_iter()
            .map(|s| SessionView {
                current: s.id == auth.0.session_id.as_str(),
                id: s.id,
                device_model: s.device_model,
                os_version: s.os_version,
                app_version: s.app_version,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
            .collect();
        Ok(SessionsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Revoke one of my sessions (sign that device out).
    #[oai(
        path = "/sessions/:id",
        method = "delete",
        operation_id = "auth_revoke_session"
    )]
    async fn revoke_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The session id.
        /// privacy: not personal
        id: Path<SessionId>,
    ) -> AppResult<NoContent> {
        sessions::revoke(&state.db, &auth.0.id, &id.0).await?;
        let ended = Control::SessionsEnded(vec![id.0.to_string()]);
        sessions::announce_ended(&state, &auth.0.id, ended).await;
        Ok(NoContent::Done)
    }
}

impl poem_openapi::types::Example for SessionView {
    fn example() -> Self {
        let at = crate::api::examples::time;
        Self {
            id: crate::api::examples::id("SessionId"),
            device_model: Some("Xiaomi 15".into()),
            os_version: Some("HyperOS 2.0".into()),
            app_version: Some("5.2.1".into()),
            created_at: at(2, 8, 0),
            last_seen_at: at(30, 9, 12),
            expires_at: at(30, 9, 42),
            current: true,
        }
    }
}
