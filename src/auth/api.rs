//! `/auth`: SMS codes, registration, login, logout and sessions.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    password::Password,
    phone::Phone,
    service::{self, Credential, Registration},
    sessions,
    sms_codes::{self, SmsPurpose, CODE_TTL_MINUTES},
    BearerAuth,
};
use crate::{
    api::{
        check_limit,
        page::{split_page, Page},
        ApiTags, ClientInfo, JsonBody, PageParams,
    },
    error::{AppError, AppResult},
    platform::ratelimit::ActionClass,
    state::AppState,
    users::{dto::Me, service::Nickname},
};

pub struct AuthApi;

#[derive(Debug, Object)]
pub struct SendSmsCodeRequest {
    /// The phone number, E.164 (`+8613800138000`) or a bare 11-digit mainland number.
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// What the code is for; it works only for that.
    pub purpose: SmsPurpose,
}

#[derive(Debug, Object)]
pub struct SmsCodeSent {
    /// How long the code stays valid.
    pub expires_in_seconds: i64,
}

#[derive(Debug, Object)]
pub struct RegisterRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// The 6-digit code sent with purpose `register`.
    #[oai(validator(max_length = 6))]
    pub sms_code: String,
    /// At least 8 characters.
    #[oai(validator(max_length = 128))]
    pub password: String,
    /// 1 to 32 characters.
    #[oai(validator(max_length = 32))]
    pub nickname: String,
    /// The version of the privacy notice the user accepted.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub accepted_notice_version: String,
}

#[derive(Debug, Object)]
pub struct LoginRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// The password; give this or `sms_code`.
    #[oai(validator(max_length = 128))]
    pub password: Option<String>,
    /// A 6-digit code sent with purpose `login`; give this or `password`.
    #[oai(validator(max_length = 6))]
    pub sms_code: Option<String>,
}

/// A new session.
#[derive(Debug, Object)]
pub struct AuthSession {
    pub user: Me,
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the token lapses unless used; every use pushes this forward.
    pub expires_at: DateTime<Utc>,
}

/// A signed-in device.
#[derive(Debug, Object)]
pub struct SessionView {
    pub id: String,
    /// The device model or user agent given at login.
    pub device: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

#[derive(ApiResponse)]
pub enum SmsCodeResponse {
    /// The code is on its way.
    #[oai(status = 202)]
    Accepted(Json<SmsCodeSent>),
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// The account was created and signed in.
    #[oai(status = 201)]
    Created(Json<AuthSession>),
}

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Signed in.
    #[oai(status = 200)]
    Ok(Json<AuthSession>),
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

fn auth_session(
    state: &AppState,
    user: entity::users::Model,
    issued: sessions::Issued,
) -> AuthSession {
    AuthSession {
        user: Me::build(state, user, None),
        token: issued.token,
        expires_at: issued.session.expires_at,
    }
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Send a 6-digit SMS code.
    ///
    /// Codes expire after 5 minutes and allow 5 attempts. One code per
    /// phone per 60 s, and 10 per hour from one IP address.
    #[oai(
        path = "/sms-codes",
        method = "post",
        operation_id = "auth_send_sms_code"
    )]
    async fn send_sms_code(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        body: JsonBody<SendSmsCodeRequest>,
    ) -> AppResult<SmsCodeResponse> {
        let phone = Phone::parse(&body.phone, "phone")?;
        check_limit(&state, ActionClass::SmsIp, &client.ip.to_string()).await?;
        let registered = service::find_by_phone(&state, &phone).await?.is_some();
        let deliver = match body.purpose {
            SmsPurpose::Register if registered => {
                return Err(AppError::field(
                    crate::error::ErrorCode::PhoneTaken,
                    "phone",
                    "taken",
                    "is already registered; log in instead",
                ))
            }
            SmsPurpose::Register | SmsPurpose::Guardian => true,
            // No SMS to unknown numbers: the answer is the same either way.
            SmsPurpose::Login | SmsPurpose::Deregister => registered,
        };
        let index = sms_codes::phone_index(&state, &phone);
        check_limit(&state, ActionClass::SmsPhone, &index).await?;
        sms_codes::issue(&state, &phone, body.purpose, deliver).await?;
        Ok(SmsCodeResponse::Accepted(Json(SmsCodeSent {
            expires_in_seconds: CODE_TTL_MINUTES * 60,
        })))
    }

    /// Register a new account and sign in.
    ///
    /// Needs a code sent with purpose `register`. Answers 409 `phone_taken`
    /// when the number already has an account.
    #[oai(path = "/register", method = "post", operation_id = "auth_register")]
    async fn register(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        body: JsonBody<RegisterRequest>,
    ) -> AppResult<RegisterResponse> {
        let body = body.0;
        let mut errors = Vec::new();
        let phone = Phone::parse(&body.phone, "phone")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let password = Password::parse(&body.password, "password")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let nickname = Nickname::parse(&body.nickname, "nickname")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let (Some(phone), Some(password), Some(nickname)) = (phone, password, nickname) else {
            return Err(AppError::invalid_fields(errors));
        };
        let (user, issued) = service::register(
            &state,
            Registration {
                phone,
                sms_code: body.sms_code,
                password,
                nickname,
                accepted_notice_version: body.accepted_notice_version,
                device: client.device,
            },
        )
        .await?;
        Ok(RegisterResponse::Created(Json(auth_session(
            &state, user, issued,
        ))))
    }

    /// Log in with a password or an SMS code.
    ///
    /// Limited to 10 attempts a minute per IP and 5 per phone number.
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        body: JsonBody<LoginRequest>,
    ) -> AppResult<LoginResponse> {
        let body = body.0;
        let phone = Phone::parse(&body.phone, "phone")?;
        let credential = match (body.password, body.sms_code) {
            (Some(p), None) => Credential::Password(p),
            (None, Some(c)) => Credential::SmsCode(c),
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "sms_code",
                    "conflict",
                    "give either password or sms_code, not both",
                ))
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "password",
                    "required",
                    "give password or sms_code",
                ))
            }
        };
        check_limit(&state, ActionClass::LoginIp, &client.ip.to_string()).await?;
        let index = sms_codes::phone_index(&state, &phone);
        check_limit(&state, ActionClass::LoginAccount, &index).await?;
        let (user, issued) = service::login(&state, &phone, credential, client.device).await?;
        Ok(LoginResponse::Ok(Json(auth_session(&state, user, issued))))
    }

    /// Log out: revoke the token of this request.
    #[oai(path = "/logout", method = "post", operation_id = "auth_logout")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<NoContent> {
        sessions::revoke(&state.db, &auth.0.id, &auth.0.session_id).await?;
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
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        limit: Query<Option<u32>>,
    ) -> AppResult<SessionsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = sessions::list(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |s| s.id.clone());
        let items = rows
            .into_iter()
            .map(|s| SessionView {
                current: s.id == auth.0.session_id,
                id: s.id,
                device: s.device,
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
        id: Path<String>,
    ) -> AppResult<NoContent> {
        sessions::revoke(&state.db, &auth.0.id, &id.0).await?;
        Ok(NoContent::Done)
    }
}
