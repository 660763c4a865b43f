//! The registration and login forms, checked into what the account
//! service takes: every field problem at once, in one 400.
use super::{
    accounts::{Credential, NewAccount, Registration},
    auth_api::{AuthSession, RegisterRequest},
    password::Password,
    phone::Phone,
    profiles::Nickname,
    sessions::{self, header_value, DeviceInfo},
    views::Me,
};
use crate::{
    error::{AppError, AppResult, AtField, ErrorCode, FieldError},
    privacy::{catalog, notice},
    state::AppState,
};

/// The `browsing` headers as read, before they are trimmed and encrypted.
pub struct DeviceHeaders {
    pub model: Option<String>,
    pub os_version: Option<String>,
    pub app_version: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub device_id: Option<String>,
}

impl DeviceHeaders {
    pub fn into_info(self, state: &AppState) -> DeviceInfo {
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
    let keys = keys.unwrap_or_default();
    for (i, key) in keys.iter().enumerate() {
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

pub fn auth_session(
    state: &AppState,
    user: entity::users::Model,
    issued: sessions::Issued,
) -> AppResult<AuthSession> {
    Ok(AuthSession {
        user: Me::build(state, user, None)?,
        token: issued.token,
        expires_at: issued.session.expires_at,
    })
}

/// The purposes a login form grants; unknown keys are a 400.
pub fn consents(keys: Option<&[String]>) -> AppResult<Vec<&'static catalog::Purpose>> {
    let mut errors = Vec::new();
    let purposes = parse_consents(keys, &mut errors);
    if errors.is_empty() {
        Ok(purposes)
    } else {
        Err(AppError::invalid_fields(errors))
    }
}

/// A password or an SMS code, exactly one.
pub fn credential(password: Option<String>, sms_code: Option<String>) -> AppResult<Credential> {
    match (password, sms_code) {
        (Some(p), None) => Ok(Credential::Password(p)),
        (None, Some(c)) => Ok(Credential::SmsCode(c)),
        (Some(_), Some(_)) => Err(AppError::invalid(
            "sms_code",
            "conflict",
            "give either password or sms_code, not both",
        )),
        (None, None) => Err(AppError::invalid(
            "password",
            "required",
            "give password or sms_code",
        )),
    }
}

/// The registration form, checked whole: every problem in one 400.
pub fn registration(body: RegisterRequest, device: DeviceInfo) -> AppResult<Registration> {
    // A well-formed earlier version conflicts with the notice in force
    // (409, as at `PUT /me/notice-acceptance`): the app shows the new one
    // before anything else in the form matters.
    if notice::is_version(&body.accepted_notice_version)
        && body.accepted_notice_version != notice::version()
    {
        return Err(AppError::outdated_notice(
            "accepted_notice_version",
            notice::version(),
        ));
    }
    let mut errors = Vec::new();
    if !notice::is_version(&body.accepted_notice_version) {
        errors.push(FieldError {
            field: "accepted_notice_version".into(),
            code: "invalid_format".into(),
            message: "is not a notice version (16 hex digits)".into(),
        });
    }
    let consents = parse_consents(body.consents.as_deref(), &mut errors);
    // The consent middleware already refused a form without it; the
    // account is never created without its recorded grant.
    if errors.is_empty() && !consents.iter().any(|p| p.key == "account") {
        return Err(AppError::new(
            ErrorCode::ConsentRequired,
            "grant `account` on the form: the phone number needs its separate consent",
        ));
    }
    let phone = Phone::parse(&body.phone)
        .at("phone")
        .map_err(|e| errors.extend(e.errors))
        .ok();
    let password = Password::parse(&body.password)
        .at("password")
        .map_err(|e| errors.extend(e.errors))
        .ok();
    let nickname = Nickname::parse(&body.nickname)
        .at("nickname")
        .map_err(|e| errors.extend(e.errors))
        .ok();
    let (Some(phone), Some(password), Some(nickname), true) =
        (phone, password, nickname, errors.is_empty())
    else {
        return Err(AppError::invalid_fields(errors));
    };
    Ok(Registration {
        account: NewAccount {
            phone,
            nickname,
            accepted_notice_version: body.accepted_notice_version,
            consents,
        },
        password,
        sms_code: body.sms_code,
        device,
    })
}
