//! One error type for the whole API, rendered as RFC 9457 problem+json.
//!
//! Error codes are part of the API: they are listed once, in [`ErrorCode`],
//! with their HTTP status and title. 5xx bodies are opaque; the cause goes to
//! the log.
use poem::{http::StatusCode, IntoResponse, Response};
use poem_openapi::{
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
    ApiResponse, Object,
};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $status:ident, $title:literal;)*) => {
        /// Every error code the API can answer with.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),* }
            }
            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status),* }
            }
            pub fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title),* }
            }
        }
    };
}

error_codes! {
    MalformedJson => "malformed_json", BAD_REQUEST, "The request body is not valid JSON";
    ValidationFailed => "validation_failed", BAD_REQUEST, "Some fields are invalid";
    UndeclaredItems => "undeclared_items", UNPROCESSABLE_ENTITY, "The request gives items this purpose does not collect";
    SmsCodeInvalid => "sms_code_invalid", BAD_REQUEST, "The SMS code is wrong";
    SmsCodeExpired => "sms_code_expired", BAD_REQUEST, "The SMS code has expired or was never sent";
    SmsCodeExhausted => "sms_code_exhausted", BAD_REQUEST, "Too many wrong attempts for this SMS code";
    Unauthorized => "unauthorized", UNAUTHORIZED, "Authentication is required";
    InvalidCredentials => "invalid_credentials", UNAUTHORIZED, "The phone number or the credential is wrong";
    Forbidden => "forbidden", FORBIDDEN, "You may not do this";
    WrongPassword => "wrong_password", FORBIDDEN, "The password given to confirm this is wrong";
    ConsentRequired => "consent_required", FORBIDDEN, "Consent is required for this purpose";
    Blocked => "blocked", FORBIDDEN, "One of you has blocked the other";
    NoticeOutdated => "notice_outdated", FORBIDDEN, "Accept the current privacy notice first";
    DeregistrationPending => "deregistration_pending", FORBIDDEN, "The account is being deregistered: it can only cancel that";
    GuardianConsentRequired => "guardian_consent_required", FORBIDDEN, "A guardian must consent first";
    NotFound => "not_found", NOT_FOUND, "Not found";
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed";
    PhoneTaken => "phone_taken", CONFLICT, "This phone number is already registered";
    Conflict => "conflict", CONFLICT, "This conflicts with what is already there";
    Locked => "locked", CONFLICT, "This is locked by a moderator";
    ConsentNotWithdrawable => "consent_not_withdrawable", CONFLICT, "This purpose ends only with deregistration";
    RecallWindowPassed => "recall_window_passed", CONFLICT, "It is too late to recall this message";
    RegistrationClosed => "registration_closed", CONFLICT, "Registration is not open";
    CapacityReached => "capacity_reached", CONFLICT, "Every place is taken";
    InsufficientCoins => "insufficient_coins", CONFLICT, "Not enough coins";
    AlreadyDone => "already_done", CONFLICT, "Already credited";
    OutOfStock => "out_of_stock", CONFLICT, "None of this prize is left";
    LimitReached => "limit_reached", CONFLICT, "You hold as many of these as one person may";
    PayloadTooLarge => "payload_too_large", PAYLOAD_TOO_LARGE, "The request body is too large";
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported content type";
    RateLimited => "rate_limited", TOO_MANY_REQUESTS, "Too many requests";
    Internal => "internal", INTERNAL_SERVER_ERROR, "Internal server error";
    Unavailable => "unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldError {
    /// The field, as a JSON path (`phone`, `images[2]`) or a parameter name.
    pub field: String,
    /// A stable snake_case code (`required`, `too_long`, `invalid_type`, …).
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// A URI naming the problem type: `urn:agora:problem:<code>`.
    #[oai(rename = "type")]
    pub type_: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The stable error code; see the list in the API description.
    pub code: String,
    /// Field-level errors, for validation problems.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldError>>,
    /// Extra, problem-specific members (for example the purpose and items
    /// of a `consent_required` problem).
    #[oai(skip_serializing_if_is_none)]
    pub extensions: Option<serde_json::Value>,
}

/// The error every handler and service returns. `{err}` is what a client
/// may see; `{err:#}` (what logs use) adds the cause chain.
#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    pub extensions: Option<serde_json::Value>,
    pub source: Option<anyhow::Error>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)?;
        match &self.source {
            Some(source) if f.alternate() => write!(f, ": {source:#}"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|s| s.as_ref() as _)
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            extensions: None,
            source: None,
        }
    }

    /// Accepting a well-formed notice version other than `current`, the
    /// one in force: 409 naming `field`, wherever a version is accepted.
    pub fn outdated_notice(field: &str, current: &str) -> Self {
        Self::field(
            ErrorCode::Conflict,
            field,
            "outdated",
            format!("the current notice version is {current}"),
        )
    }

    /// A 4xx naming the field at fault.
    pub fn field(
        code: ErrorCode,
        field: impl Into<String>,
        field_code: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let field = field.into();
        let mut err = Self::new(code, format!("{field}: {message}"));
        err.errors.push(FieldError {
            field,
            code: field_code.into(),
            message,
        });
        err
    }

    /// `validation_failed` for one field.
    pub fn invalid(field: impl Into<String>, field_code: &str, message: impl Into<String>) -> Self {
        Self::field(ErrorCode::ValidationFailed, field, field_code, message)
    }

    /// `validation_failed` for several fields.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let mut err = Self::new(
            ErrorCode::ValidationFailed,
            format!("invalid fields: {}", fields.join(", ")),
        );
        err.errors = errors;
        err
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            ErrorCode::RateLimited,
            format!("try again in {retry_after_secs} s"),
        );
        err.retry_after = Some(retry_after_secs);
        err
    }

    /// A 5xx whose cause is logged, never shown.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(ErrorCode::Internal, "an internal error occurred");
        err.source = Some(source.into());
        err
    }

    pub fn with_extensions(mut self, extensions: serde_json::Value) -> Self {
        self.extensions = Some(extensions);
        self
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:agora:problem:{}", self.code.as_str()),
            title: self.code.title().into(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().into(),
            errors: (!self.errors.is_empty()).then(|| self.errors.clone()),
            extensions: self.extensions.clone(),
        }
    }

    fn render(&self) -> Response {
        let status = self.code.status();
        if status.is_server_error() {
            match &self.source {
                Some(source) => {
                    tracing::error!(error = %format!("{source:#}"), code = self.code.as_str(), "request failed")
                }
                None => {
                    tracing::error!(code = self.code.as_str(), detail = %self.detail, "request failed")
                }
            }
        }
        problem_response(status, &self.problem(), self.retry_after)
    }
}

/// Renders a problem body with its status and headers.
pub fn problem_response(
    status: StatusCode,
    problem: &Problem,
    retry_after: Option<u64>,
) -> Response {
    let mut body = problem.to_json().unwrap_or(serde_json::Value::Null);
    // Extension members sit at the top level of the problem (RFC 9457 §3.2).
    if let (Some(serde_json::Value::Object(ext)), serde_json::Value::Object(map)) =
        (body.get("extensions").cloned(), &mut body)
    {
        map.remove("extensions");
        map.extend(ext);
    }
    let mut builder = Response::builder()
        .status(status)
        .content_type(PROBLEM_CONTENT_TYPE);
    if let Some(secs) = retry_after {
        builder = builder.header("Retry-After", secs.to_string());
    }
    builder.body(body.to_string())
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        self.code.status()
    }

    fn as_response(&self) -> Response {
        self.render()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.render()
    }
}

impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "A problem (RFC 9457). `code` is one of the API's stable error codes.",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: PROBLEM_CONTENT_TYPE,
                    schema: Problem::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}

impl<E: Into<AppError> + std::error::Error> From<sea_orm::TransactionError<E>> for AppError {
    fn from(err: sea_orm::TransactionError<E>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => Self::internal(db),
            sea_orm::TransactionError::Transaction(inner) => inner.into(),
        }
    }
}

/// True when the database refused a row because of a unique constraint.
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// A value that breaks a rule of its type (a phone number, a password, a
/// nickname): a stable code and a message, but no field. The domain does
/// not know the JSON; the API edge names the field with [`AtField::at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The problem's code: `validation_failed` unless the rule has its own
    /// (an SMS code that expired is `sms_code_expired`).
    pub kind: ErrorCode,
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self::of(ErrorCode::ValidationFailed, code, message)
    }

    pub fn of(kind: ErrorCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Invalid {}

/// Turns a domain [`Invalid`] into a 400 naming the field it came from.
pub trait AtField<T> {
    fn at(self, field: &str) -> AppResult<T>;
}

impl<T> AtField<T> for Result<T, Invalid> {
    fn at(self, field: &str) -> AppResult<T> {
        self.map_err(|e| AppError::field(e.kind, field, e.code, e.message))
    }
}

#[cfg(test)]
mod tests {
    use crate::error::AppError;

    #[test]
    fn the_log_form_carries_the_cause_and_the_client_form_does_not() {
        let cause = anyhow::anyhow!("connection refused").context("reading the posts table");
        let err = AppError::internal(cause);
        let logged = format!("{err:#}");
        assert!(logged.contains("reading the posts table"), "{logged}");
        assert!(logged.contains("connection refused"), "{logged}");
        assert!(!format!("{err}").contains("connection refused"));
    }
}
