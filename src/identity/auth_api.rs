//! `/auth`: SMS codes, registration, login, logout and sessions.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    accounts::{self, Credential, NewAccount, Registration},
    password::Password,
    phone::Phone,
    profiles::Nickname,
    sessions::{self, header_value, DeviceInfo},
    sms_codes::{self, SmsPurpose, CODE_TTL_MINUTES},
    views::Me,
    BearerAuth,
};
use crate::{
    api::{
        check_limit,
        page::{split_page, Page},
        ApiTags, ClientInfo, JsonBody, PageParams,
    },
    error::{AppError, AppResult, FieldError},
    platform::ratelimit::ActionClass,
    privacy::{catalog, notice, Subject},
    state::AppState,
};

pub struct AuthApi;

#[derive(Debug, Object)]
pub struct SendSmsCodeRequest {
    /// The phone number, E.164 (`+8613800138000`) or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// What the code is for; it works only for that.
    /// privacy: not personal
    pub purpose: SmsPurpose,
    /// Purposes I grant on this form. `account` must be among them: the
    /// phone number is sensitive personal information and needs a separate
    /// grant. Add `browsing` to allow the device identifier header.
    /// privacy: not personal
    pub consents: Option<Vec<String>>,
}

#[derive(Debug, Object)]
pub struct SmsCodeSent {
    /// How long the code stays valid.
    pub expires_in_seconds: i64,
}

#[derive(Debug, Object)]
pub struct RegisterRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// The 6-digit code sent with purpose `register`.
    /// privacy: sms_code for account, required
    #[oai(validator(max_length = 6))]
    pub sms_code: String,
    /// At least 8 characters.
    /// privacy: password for account, required
    #[oai(validator(max_length = 128))]
    pub password: String,
    /// 1 to 32 characters.
    /// privacy: nickname for profile, required
    #[oai(validator(max_length = 32))]
    pub nickname: String,
    /// The version of the privacy notice the user read and accepted
    /// (`X-Notice-Version` of `GET /privacy/notice`).
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64))]
    pub accepted_notice_version: String,
    /// Purposes I grant on this form. `account` must be among them: the
    /// phone number is sensitive personal information and needs a separate
    /// grant. Add `browsing` to allow the device identifier header.
    /// privacy: not personal
    pub consents: Option<Vec<String>>,
}

#[derive(Debug, Object)]
pub struct LoginRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32))]
    pub phone: String,
    /// The password; give this or `sms_code`.
    /// privacy: password for account, optional
    #[oai(validator(max_length = 128))]
    pub password: Option<String>,
    /// A 6-digit code sent with purpose `login`; give this or `password`.
    /// privacy: sms_code for account, optional
    #[oai(validator(max_length = 6))]
    pub sms_code: Option<String>,
    /// Purposes I grant on this form. `account` must be among them: the
    /// phone number is sensitive personal information and needs a separate
    /// grant. Add `browsing` to allow the device identifier header.
    /// privacy: not personal
    pub consents: Option<Vec<String>>,
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

/// The `browsing` headers as read, before they are trimmed and encrypted.
struct DeviceHeaders {
    model: Option<String>,
    os_version: Option<String>,
    app_version: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    device_id: Option<String>,
}

impl DeviceHeaders {
    fn into_info(self, state: &AppState) -> DeviceInfo {
        DeviceInfo {
            model: header_value(self.model, 128),
            os_version: header_value(self.os_version, 64),
            app_version: header_value(self.app_version, 64),
            language: header_value(self.language, 64),
            timezone: header_value(self.timezone, 64),
            device_id: header_value(self.device_id, 128).map(|id| state.crypto.encrypt(&id)),
        }
    }
}

/// Purpose keys from a form's `consents`, each checked against the catalog.
fn parse_consents(
    keys: Option<&[String]>,
    errors: &mut Vec<FieldError>,
) -> Vec<&'static catalog::Purpose> {
    let mut out = Vec::new();
    for (i, key) in keys.unwrap_or_default().iter().enumerate() {
        match catalog::purpose(key) {
            Some(p) if !out.iter().any(|q: &&catalog::Purpose| q.key == p.key) => out.push(p),
            Some(_) => {}
            None => errors.push(FieldError {
                field: format!("consents[{i}]"),
                code: "unknown_purpose".into(),
                message: format!("`{key}` is not a purpose in the catalog"),
            }),
        }
    }
    out
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
        let registered = accounts::find_by_phone(&state, &phone).await?.is_some();
        // The answer never tells whether a number is registered: a taken
        // number gets its register code too, and learns "log in instead"
        // only once it proves it holds the phone.
        let deliver = match body.purpose {
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
    #[allow(clippy::too_many_arguments)]
    async fn register(
        &self,
        state: Data<&AppState>,
        subject: Data<&Subject>,
        body: JsonBody<RegisterRequest>,
        /// The device model, shown in my session list.
        /// privacy: device_model for browsing, optional
        #[oai(name = "X-Device-Model")]
        device_model: Header<Option<String>>,
        /// privacy: os_version for browsing, optional
        #[oai(name = "X-OS-Version")]
        os_version: Header<Option<String>>,
        /// privacy: app_version for browsing, optional
        #[oai(name = "X-App-Version")]
        app_version: Header<Option<String>>,
        /// privacy: language for browsing, optional
        #[oai(name = "Accept-Language")]
        language: Header<Option<String>>,
        /// An IANA time zone, e.g. `Asia/Shanghai`.
        /// privacy: timezone for browsing, optional
        #[oai(name = "X-Timezone")]
        timezone: Header<Option<String>>,
        /// OAID or Android ID: sensitive, so kept only with the separate
        /// `browsing` grant and dropped otherwise.
        /// privacy: device_id for browsing, optional
        #[oai(name = "X-Device-Id")]
        device_id: Header<Option<String>>,
    ) -> AppResult<RegisterResponse> {
        let device = DeviceHeaders {
            model: device_model.0,
            os_version: os_version.0,
            app_version: app_version.0,
            language: language.0,
            timezone: timezone.0,
            device_id: device_id.0,
        }
        .into_info(&state);
        let body = body.0;
        let mut errors = Vec::new();
        if body.accepted_notice_version != notice::version() {
            errors.push(FieldError {
                field: "accepted_notice_version".into(),
                code: "outdated".into(),
                message: format!("the current notice version is {}", notice::version()),
            });
        }
        let consents = parse_consents(body.consents.as_deref(), &mut errors);
        // The consent middleware already refused a form without it; the
        // account is never created without its recorded grant.
        if errors.is_empty() && !consents.iter().any(|p| p.key == "account") {
            return Err(AppError::new(
                crate::error::ErrorCode::ConsentRequired,
                "grant `account` on the form: the phone number needs its separate consent",
            ));
        }
        let phone = Phone::parse(&body.phone, "phone")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let password = Password::parse(&body.password, "password")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let nickname = Nickname::parse(&body.nickname, "nickname")
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let (Some(phone), Some(password), Some(nickname), true) =
            (phone, password, nickname, errors.is_empty())
        else {
            return Err(AppError::invalid_fields(errors));
        };
        let (user, issued) = accounts::register(
            &state,
            Registration {
                account: NewAccount {
                    phone,
                    nickname,
                    accepted_notice_version: body.accepted_notice_version,
                    consents,
                },
                password,
                sms_code: body.sms_code,
                device,
            },
        )
        .await?;
        subject.set(&user.id);
        Ok(RegisterResponse::Created(Json(auth_session(
            &state, user, issued,
        ))))
    }

    /// Log in with a password or an SMS code.
    ///
    /// Limited to 10 attempts a minute per IP and 5 per phone number.
    #[oai(path = "/login", method = "post", operation_id = "auth_login")]
    #[allow(clippy::too_many_arguments)]
    async fn login(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        subject: Data<&Subject>,
        body: JsonBody<LoginRequest>,
        /// The device model, shown in my session list.
        /// privacy: device_model for browsing, optional
        #[oai(name = "X-Device-Model")]
        device_model: Header<Option<String>>,
        /// privacy: os_version for browsing, optional
        #[oai(name = "X-OS-Version")]
        os_version: Header<Option<String>>,
        /// privacy: app_version for browsing, optional
        #[oai(name = "X-App-Version")]
        app_version: Header<Option<String>>,
        /// privacy: language for browsing, optional
        #[oai(name = "Accept-Language")]
        language: Header<Option<String>>,
        /// An IANA time zone, e.g. `Asia/Shanghai`.
        /// privacy: timezone for browsing, optional
        #[oai(name = "X-Timezone")]
        timezone: Header<Option<String>>,
        /// OAID or Android ID: sensitive, so kept only with the separate
        /// `browsing` grant and dropped otherwise.
        /// privacy: device_id for browsing, optional
        #[oai(name = "X-Device-Id")]
        device_id: Header<Option<String>>,
    ) -> AppResult<LoginResponse> {
        let device = DeviceHeaders {
            model: device_model.0,
            os_version: os_version.0,
            app_version: app_version.0,
            language: language.0,
            timezone: timezone.0,
            device_id: device_id.0,
        }
        .into_info(&state);
        let body = body.0;
        let mut errors = Vec::new();
        let form_consents = parse_consents(body.consents.as_deref(), &mut errors);
        if !errors.is_empty() {
            return Err(AppError::invalid_fields(errors));
        }
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
        let (user, issued) = accounts::login(&state, &phone, credential, device).await?;
        subject.set(&user.id);
        // What the user ticked on the login form becomes a recorded grant.
        accounts::record_form_grants(&state, &user.id, &form_consents).await?;
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
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
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
        id: Path<String>,
    ) -> AppResult<NoContent> {
        sessions::revoke(&state.db, &auth.0.id, &id.0).await?;
        Ok(NoContent::Done)
    }
}
