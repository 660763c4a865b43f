//! The bearer security scheme and role guards.
use poem::{http::Method, Request};
use poem_openapi::{auth::Bearer, Enum, SecurityScheme};

use super::caller::auth_user;
use crate::ids::SessionId;
use crate::{
    api::caller::{AuthFailure, Resolved},
    error::{AppError, AppResult},
    platform::ratelimit::ActionClass,
    state::AppState,
};

/// Roles, each including the powers of those before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Self::User),
            "moderator" => Some(Self::Moderator),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The signed-in caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: crate::ids::UserId,
    pub role: Role,
    pub session_id: SessionId,
}

impl AuthUser {
    /// 403 unless the caller has at least `role`.
    fn require(&self, role: Role) -> AppResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }
}

/// `Authorization: Bearer <token>`, a token from `auth_register` or `auth_login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub AuthUser);

// The role extractors below are the same bearer scheme in the spec (one
// `BearerAuth`, same text); in a handler's signature they say, and check
// before the body is read, which role the operation needs.

/// `Authorization: Bearer <token>`, a token from `auth_register` or `auth_login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "BearerAuth", checker = "check_moderator")]
pub struct ModeratorAuth(pub AuthUser);

/// `Authorization: Bearer <token>`, a token from `auth_register` or `auth_login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "BearerAuth", checker = "check_admin")]
pub struct AdminAuth(pub AuthUser);

async fn check_moderator(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let user = check_bearer(req, bearer).await?;
    user.require(Role::Moderator)?;
    Ok(user)
}

async fn check_admin(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let user = check_bearer(req, bearer).await?;
    user.require(Role::Admin)?;
    Ok(user)
}

/// The token itself was read by the consent middleware, which resolved it.
/// Areas with guards of their own (a group's managers) start from here.
pub async fn check_bearer(req: &Request, _bearer: Bearer) -> poem::Result<AuthUser> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no state")))?;
    let resolved = req.extensions().get::<Resolved>();
    let failure = req.extensions().get::<AuthFailure>();
    let user = match (resolved, failure) {
        (Some(resolved), _) => auth_user(resolved),
        (None, Some(failure)) => return Err(AppError::unauthorized(failure.0.clone()).into()),
        // The consent middleware runs around every operation and resolves
        // every token it is shown (with the cooling-off and notice checks);
        // a route it did not run for is a wiring fault, not a caller.
        (None, None) => {
            return Err(AppError::internal(anyhow::anyhow!(
                "a bearer route ran without the consent middleware resolving its caller"
            ))
            .into());
        }
    };
    let class = if req.method() == Method::GET || req.method() == Method::HEAD {
        ActionClass::ReadAccount
    } else {
        ActionClass::WriteAccount
    };
    if let Err(wait) = state.limiter.check(class, user.id.as_str()).await {
        return Err(AppError::rate_limited(crate::api::retry_after_secs(wait)).into());
    }
    Ok(user)
}

crate::convert::mirror!(Role, entity::enums::Role, [User, Moderator, Admin]);
