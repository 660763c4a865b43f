//! Who is calling: resolved once per request, before any handler runs, and
//! read by the consent middleware and by identity's extractors. Identity
//! implements [`ResolveCaller`]; the wiring hands it to the middleware, so
//! that the layers below identity never import it.
use async_trait::async_trait;
use poem::Request;

use crate::{error::AppError, state::AppState};

/// The signed-in caller, as much as the layers below identity need: who,
/// in what role, through which session, and the account's state the
/// consent middleware judges by.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub user_id: String,
    pub role: entity::enums::Role,
    pub session_id: String,
    /// A deregistration is pending (the cooling-off).
    pub deregistering: bool,
    /// The notice version the account accepted last.
    pub accepted_notice_version: String,
}

/// Why a presented token did not resolve; extractors answer 401 with it.
#[derive(Clone)]
pub struct AuthFailure(pub String);

/// Why no caller could be resolved.
pub enum CallerError {
    /// The token is missing its scheme, unknown, expired or revoked: 401.
    Invalid(AuthFailure),
    /// The server could not tell (the database failed, a stored value is
    /// unknown): a 500, never taken for "anonymous".
    Internal(AppError),
}

#[async_trait]
pub trait ResolveCaller: Send + Sync + 'static {
    /// The caller the request's `Authorization` header names; `Ok(None)`
    /// when it names none.
    async fn resolve(
        &self,
        state: &AppState,
        req: &Request,
    ) -> Result<Option<Resolved>, CallerError>;
}
