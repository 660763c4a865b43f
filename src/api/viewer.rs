//! The optional caller of a public route: anonymous, or signed in (then
//! answers say what is theirs, such as `liked_by_me`).
use poem::{FromRequest, Request, RequestBody};

use crate::{
    error::AppError,
    identity::{AuthUser, Role},
    privacy::middleware::{AuthFailure, Resolved},
};

pub struct Viewer(pub Option<AuthUser>);

impl Viewer {
    pub fn id(&self) -> Option<&str> {
        self.0.as_ref().map(|u| u.id.as_str())
    }
}

impl<'a> FromRequest<'a> for Viewer {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(failure) = req.extensions().get::<AuthFailure>() {
            return Err(AppError::unauthorized(failure.0.clone()).into());
        }
        Ok(Viewer(req.extensions().get::<Resolved>().map(|r| {
            AuthUser {
                id: r.0.id.clone(),
                role: Role::parse(&r.0.role).unwrap_or(Role::User),
                session_id: r.1.id.clone(),
            }
        })))
    }
}
