//! `/auth`: SMS codes, registration and login (sessions: `sessions_api`).
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{param::Header, payload::Json, ApiResponse, Object, OpenApi};

use super::{
    accounts, auth_forms as forms,
    phone::Phone,
    sms_codes::{self, SmsPurpose, CODE_TTL_MINUTES},
    views::Me,
};
use crate::{
    api::{check_limit, ApiTags, ClientInfo, JsonBody},
    error::{AppResult, AtField},
    platform::ratelimit::ActionClass,
    privacy::Subject,
    state::AppState,
};

pub struct AuthApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct SendSmsCodeRequest {
    /// The phone number, E.164 (`+8613800138000`) or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub phone: String,
    /// What the code is for; it works only for that.
    /// privacy: not personal
    pub purpose: SmsPurpose,
    /// Purposes I grant on this form. `account` must be among them: the
    /// phone number is sensitive personal information and needs a separate
    /// grant. Add `browsing` to allow the device identifier header.
    /// privacy: not personal
    #[oai(validator(max_items = 64))]
    pub consents: Option<Vec<String>>,
}

impl poem_openapi::types::Example for SendSmsCodeRequest {
    fn example() -> Self {
        Self {
            phone: "+8613800138000".into(),
            purpose: SmsPurpose::Register,
            consents: Some(vec!["account".into()]),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct SmsCodeSent {
    /// How long the code stays valid.
    pub expires_in_seconds: i64,
}

impl poem_openapi::types::Example for SmsCodeSent {
    fn example() -> Self {
        Self {
            expires_in_seconds: 300,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RegisterRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub phone: String,
    /// The 6-digit code sent with purpose `register`.
    /// privacy: sms_code for account, required
    #[oai(validator(max_length = 6, pattern = "^[0-9]{6}$"))]
    pub sms_code: String,
    /// At least 8 characters.
    /// privacy: password for account, required
    #[oai(validator(max_length = 128))]
    pub password: String,
    /// 1 to 32 characters.
    /// privacy: nickname for profile, required
    #[oai(validator(
        min_length = 1,
        max_length = 32,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
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
    #[oai(validator(max_items = 64))]
    pub consents: Option<Vec<String>>,
}

impl poem_openapi::types::Example for RegisterRequest {
    fn example() -> Self {
        Self {
            phone: "+8613800138000".into(),
            sms_code: "246810".into(),
            password: "correct horse battery staple".into(),
            nickname: "夜拍小王".into(),
            accepted_notice_version: "3f9a1c2e7b40d815".into(),
            consents: Some(vec!["account".into(), "browsing".into()]),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct LoginRequest {
    /// The phone number, E.164 or a bare 11-digit mainland number.
    /// privacy: phone_number for account, required
    #[oai(validator(max_length = 32, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub phone: String,
    /// The password; give this or `sms_code`.
    /// privacy: password for account, optional
    #[oai(validator(max_length = 128))]
    pub password: Option<String>,
    /// A 6-digit code sent with purpose `login`; give this or `password`.
    /// privacy: sms_code for account, optional
    #[oai(validator(max_length = 6, pattern = "^[0-9]{6}$"))]
    pub sms_code: Option<String>,
    /// Purposes I grant on this form. `account` must be among them: the
    /// phone number is sensitive personal information and needs a separate
    /// grant. Add `browsing` to allow the device identifier header.
    /// privacy: not personal
    #[oai(validator(max_items = 64))]
    pub consents: Option<Vec<String>>,
}

impl poem_openapi::types::Example for LoginRequest {
    fn example() -> Self {
        Self {
            phone: "+8613800138000".into(),
            password: Some("correct horse battery staple".into()),
            sms_code: None,
            consents: Some(vec!["account".into()]),
        }
    }
}

/// A new session.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct AuthSession {
    pub user: Me,
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the token lapses unless used; every use pushes this forward.
    pub expires_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for AuthSession {
    fn example() -> Self {
        Self {
            user: poem_openapi::types::Example::example(),
            token: "agr_9sQz3hV1mX0cKp7LwE2uTn5bYr8dFa4G".into(),
            expires_at: crate::api::examples::time(30, 9, 15),
        }
    }
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
        let phone = Phone::parse(&body.phone).at("phone")?;
        check_limit(&state, ActionClass::SmsIp, &client.limit_key()).await?;
        let registered = accounts::find_by_phone(&state, &phone).await?.is_some();
        // The answer never tells whether a number is registered: a taken
        // number gets its register code too, and learns "log in instead"
        // only once it proves it holds the phone.
        let deliver = match body.purpose {
            SmsPurpose::Register => true,
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
    /// when the number already has an account, and 409 `conflict` naming
    /// `accepted_notice_version` when the form accepts an earlier notice
    /// (fetch `GET /privacy/notice` again and show it).
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
        let device = forms::DeviceHeaders {
            model: device_model.0,
            os_version: os_version.0,
            app_version: app_version.0,
            language: language.0,
            timezone: timezone.0,
            device_id: device_id.0,
        }
        .into_info(&state);
        let registration = forms::registration(body.0, device)?;
        let (user, issued) = accounts::register(&state, registration).await?;
        subject.set(&user.id);
        Ok(RegisterResponse::Created(Json(forms::auth_session(
            &state, user, issued,
        )?)))
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
        let device = forms::DeviceHeaders {
            model: device_model.0,
            os_version: os_version.0,
            app_version: app_version.0,
            language: language.0,
            timezone: timezone.0,
            device_id: device_id.0,
        }
        .into_info(&state);
        let body = body.0;
        let form_consents = forms::consents(body.consents.as_deref())?;
        let phone = Phone::parse(&body.phone).at("phone")?;
        let credential = forms::credential(body.password, body.sms_code)?;
        check_limit(&state, ActionClass::LoginIp, &client.limit_key()).await?;
        let index = sms_codes::phone_index(&state, &phone);
        check_limit(&state, ActionClass::LoginAccount, &index).await?;
        let browsing = form_consents.iter().any(|p| p.key == "browsing");
        let (user, issued) = accounts::login(&state, &phone, credential, device, browsing).await?;
        subject.set(&user.id);
        // What the user ticked on the login form becomes a recorded grant,
        // unless the account is on its way out (it may only cancel that).
        if user.deregister_at.is_none() {
            accounts::record_form_grants(&state, &user.id, &form_consents).await?;
        }
        Ok(LoginResponse::Ok(Json(forms::auth_session(
            &state, user, issued,
        )?)))
    }
}
