//! Caller resolution, the one place a bearer token becomes a user: the
//! consent middleware runs it for every API call (through
//! [`ResolveCaller`]), the bearer checker and [`Viewer`] read its result, and
//! the realtime socket calls [`authenticate_token`] and [`resolve_session`]
//! and then the same account-state checks (`privacy::middleware::admit`).
use async_trait::async_trait;
use poem::{FromRequest, Request, RequestBody};

use super::{sessions, AuthUser};
use crate::{
    api::caller::{AuthFailure, CallerError, ResolveCaller, Resolved},
    error::{AppError, ErrorCode},
    ids::{SessionId, UserId},
    state::AppState,
};

/// Resolves `Authorization: Bearer <token>` through the sessions table.
pub struct SessionCaller;

#[async_trait]
impl ResolveCaller for SessionCaller {
    async fn resolve(
        &self,
        state: &AppState,
        req: &Request,
    ) -> Result<Option<Resolved>, CallerError> {
        // Owned: a borrow of the request held across the await would make
        // the future's `Send` depend on the request's lifetime.
        match req.header("authorization").map(str::to_owned) {
            None => Ok(None),
            Some(header) => authenticate_header(state, &header).await.map(Some),
        }
    }
}

/// The caller an `Authorization` header value names.
pub async fn authenticate_header(state: &AppState, header: &str) -> Result<Resolved, CallerError> {
    // Schemes are case-insensitive (RFC 9110), as poem-openapi's Bearer is.
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token,
        _ => {
            return Err(CallerError::Invalid(AuthFailure(
                "send `Authorization: Bearer <token>`".into(),
            )))
        }
    };
    authenticate_token(state, token.trim()).await
}

/// The caller a bearer token names, however it was carried (a header, the
/// realtime socket's subprotocol).
pub async fn authenticate_token(state: &AppState, token: &str) -> Result<Resolved, CallerError> {
    match sessions::authenticate(state, token).await {
        Ok((user, session)) => Ok(resolved(&user, &session)),
        Err(err) => Err(caller_error(err)),
    }
}

/// The caller behind a session id that agora itself handed out (the
/// realtime ticket carries one): the session must still be live.
pub async fn resolve_session(state: &AppState, session_id: &str) -> Result<Resolved, CallerError> {
    match sessions::live(state, session_id).await {
        Ok((user, session)) => Ok(resolved(&user, &session)),
        Err(err) => Err(caller_error(err)),
    }
}

fn caller_error(err: AppError) -> CallerError {
    if err.code == ErrorCode::Unauthorized {
        CallerError::Invalid(AuthFailure(err.detail))
    } else {
        CallerError::Internal(err)
    }
}

/// What the layers below identity learn of a signed-in caller.
pub fn resolved(user: &entity::users::Model, session: &entity::sessions::Model) -> Resolved {
    Resolved {
        user_id: user.id.clone(),
        role: user.role,
        session_id: session.id.clone(),
        deregistering: user.deregister_at.is_some(),
        accepted_notice_version: user.accepted_notice_version.clone(),
    }
}

/// The caller as the handlers see it.
pub fn auth_user(resolved: &Resolved) -> AuthUser {
    AuthUser {
        id: UserId::from_stored(resolved.user_id.clone()),
        role: resolved.role.into(),
        session_id: SessionId::from_stored(resolved.session_id.clone()),
    }
}

/// The optional caller of a public route: anonymous, or signed in (then
/// answers say what is theirs, such as `liked_by_me`).
pub struct Viewer(pub Option<AuthUser>);

impl Viewer {
    pub fn id(&self) -> Option<&str> {
        self.0.as_ref().map(|u| u.id.as_str())
    }

    /// The signed-in viewer's id, typed.
    pub fn user_id(&self) -> Option<&UserId> {
        self.0.as_ref().map(|u| &u.id)
    }
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(failure) = req.extensions().get::<AuthFailure>() {
            return Err(AppError::unauthorized(failure.0.clone()).into());
        }
        Ok(Viewer(req.extensions().get::<Resolved>().map(auth_user)))
    }
}
