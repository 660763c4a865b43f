//! Who may review a group's applications: its managers, and admins. The
//! check runs as the security scheme, so a caller who may not is told 403
//! before anything they sent is read.
use poem::Request;
use poem_openapi::{auth::Bearer, SecurityScheme};

use crate::{
    error::AppError,
    identity::{guard::check_bearer, AuthUser, Role},
    ids::HelpGroupId,
    state::AppState,
};

/// `Authorization: Bearer <token>`, a token from `auth_register` or `auth_login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", rename = "BearerAuth", checker = "check_manager")]
pub struct ManagerAuth(pub AuthUser);

async fn check_manager(req: &Request, bearer: Bearer) -> poem::Result<AuthUser> {
    let user = check_bearer(req, bearer).await?;
    if user.role == Role::Admin {
        return Ok(user);
    }
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no state")))?;
    // The group's id follows `help-groups` in the path (the router's
    // own names for path parameters are its business, not ours).
    let group = req
        .uri()
        .path()
        .split('/')
        .skip_while(|segment| *segment != "help-groups")
        .nth(1)
        .and_then(|raw| HelpGroupId::parse(raw).ok());
    match group {
        Some(group)
            if super::store::manages(&state.db, group.as_str(), user.id.as_str()).await? =>
        {
            Ok(user)
        }
        _ => Err(AppError::forbidden("only this group's managers and admins may").into()),
    }
}
