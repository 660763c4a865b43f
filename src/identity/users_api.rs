//! `/me`, `/users/{id}` and `/admin/users`.
use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    copies,
    profiles::{self, check_birthday, Nickname, ProfileChange},
    views::{Gender, Me, PublicUser},
};
use crate::ids::{UploadId, UserId};
use crate::platform::realtime::Control;
use crate::{
    api::{patch_field, stored::StoredJson, ApiTags, JsonBody},
    error::{AppError, AppResult, AtField, ErrorCode},
    identity::{
        password::{self, Password},
        sessions, AdminAuth, BearerAuth, ModeratorAuth, Role,
    },
    state::AppState,
};

pub struct MeApi;
pub struct UsersApi;
pub struct AdminUsersApi;

/// Fields to change; leave a field out to keep it, send `null` to clear it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ProfilePatch {
    /// 1 to 32 characters.
    /// privacy: nickname for profile, optional
    #[oai(validator(
        min_length = 1,
        max_length = 32,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
    pub nickname: Option<String>,
    /// An image I uploaded.
    /// privacy: avatar for profile, optional
    pub avatar_upload_id: MaybeUndefined<UploadId>,
    /// privacy: gender for profile, optional
    pub gender: MaybeUndefined<Gender>,
    /// A past date after 1900-01-01.
    /// privacy: birthday for profile, optional
    pub birthday: MaybeUndefined<NaiveDate>,
    /// Where I am from, in my own words.
    /// privacy: region for profile, optional
    #[oai(validator(max_length = 64))]
    pub region: MaybeUndefined<String>,
    /// A short line about me.
    /// privacy: signature for profile, optional
    #[oai(validator(max_length = 200))]
    pub signature: MaybeUndefined<String>,
    /// Whether others may see when I am online (on by default).
    /// privacy: not personal
    pub show_online_status: Option<bool>,
}

impl poem_openapi::types::Example for ProfilePatch {
    fn example() -> Self {
        Self {
            nickname: Some("夜拍小王".into()),
            avatar_upload_id: MaybeUndefined::Value(poem_openapi::types::Example::example()),
            gender: MaybeUndefined::Undefined,
            birthday: MaybeUndefined::Null,
            region: MaybeUndefined::Value("Guangdong".into()),
            signature: MaybeUndefined::Value("Shooting the city after dark.".into()),
            show_online_status: Some(false),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PasswordChange {
    /// privacy: password for account, required
    #[oai(validator(max_length = 128))]
    pub current_password: String,
    /// At least 8 characters.
    /// privacy: password for account, required
    #[oai(validator(max_length = 128))]
    pub new_password: String,
}

impl poem_openapi::types::Example for PasswordChange {
    fn example() -> Self {
        Self {
            current_password: "correct horse battery staple".into(),
            new_password: "a longer passphrase for 2027".into(),
        }
    }
}

/// The city I share (never a precise position).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct LocationChange {
    /// privacy: city for location, required
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: String,
}

impl poem_openapi::types::Example for LocationChange {
    fn example() -> Self {
        Self {
            city: "Shenzhen".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RoleChange {
    /// privacy: not personal
    pub role: Role,
}

impl poem_openapi::types::Example for RoleChange {
    fn example() -> Self {
        Self {
            role: Role::Moderator,
        }
    }
}

/// A user as moderators see them.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct AdminUser {
    pub profile: PublicUser,
    /// The phone number, masked: its country code, first three digits and
    /// last four.
    pub phone_masked: String,
}

impl poem_openapi::types::Example for AdminUser {
    fn example() -> Self {
        Self {
            profile: poem_openapi::types::Example::example(),
            phone_masked: super::masking::phone("+8613800138000"),
        }
    }
}

#[derive(ApiResponse)]
pub enum MeResponse {
    /// My account.
    #[oai(status = 200)]
    Ok(Json<Me>),
}

#[derive(ApiResponse)]
pub enum PasswordChanged {
    /// Changed; every other session was signed out.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum LocationResponse {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum PublicUserResponse {
    /// The public profile.
    #[oai(status = 200)]
    Ok(StoredJson<PublicUser>),
}

#[derive(ApiResponse)]
pub enum AdminUserResponse {
    /// The user.
    #[oai(status = 200)]
    Ok(Json<AdminUser>),
}

async fn me(state: &AppState, id: &UserId) -> AppResult<Me> {
    let (user, key) = profiles::load(&state.db, id)
        .await?
        .ok_or_else(|| AppError::unauthorized("the account no longer exists"))?;
    let mut me = Me::build(state, user, key.as_deref())?;
    me.city = profiles::location(&state.db, id.as_str()).await?;
    Ok(me)
}

/// Free text: blank clears it like `null` does.
fn optional_text(v: MaybeUndefined<String>) -> Option<Option<String>> {
    patch_field(v).map(|s| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Me")]
impl MeApi {
    /// My account: profile, role and level.
    #[oai(path = "/", method = "get", operation_id = "me_get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<MeResponse> {
        Ok(MeResponse::Ok(Json(me(&state, &auth.0.id).await?)))
    }

    /// Change my profile.
    #[oai(
        path = "/profile",
        method = "patch",
        operation_id = "me_update_profile"
    )]
    async fn update_profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<ProfilePatch>,
    ) -> AppResult<MeResponse> {
        let patch = body.0;
        let change = ProfileChange {
            nickname: patch
                .nickname
                .map(|n| Nickname::parse(&n).at("nickname"))
                .transpose()?,
            avatar_upload_id: patch_field(patch.avatar_upload_id),
            gender: patch_field(patch.gender).map(|g| g.map(Into::into)),
            birthday: patch_field(patch.birthday)
                .map(|d| d.map(check_birthday).transpose().at("birthday"))
                .transpose()?,
            region: optional_text(patch.region),
            signature: optional_text(patch.signature),
            show_online_status: patch.show_online_status,
        };
        let (user, _) = profiles::load(&state.db, &auth.0.id)
            .await?
            .ok_or_else(|| AppError::unauthorized("the account no longer exists"))?;
        let txn = state.db.begin().await?;
        let before = user.clone();
        let user = profiles::update_profile(&txn, user, change).await?;
        txn.commit().await?;
        profiles::announce_change(&state, &before, &user).await;
        Ok(MeResponse::Ok(Json(me(&state, &auth.0.id).await?)))
    }

    /// Change my password. Every other session is signed out.
    #[oai(
        path = "/password",
        method = "put",
        operation_id = "me_change_password"
    )]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<PasswordChange>,
    ) -> AppResult<PasswordChanged> {
        let new_password = Password::parse(&body.new_password).at("new_password")?;
        let (user, _) = profiles::load(&state.db, &auth.0.id)
            .await?
            .ok_or_else(|| AppError::unauthorized("the account no longer exists"))?;
        let ok = password::confirm(&state, &user, body.current_password.clone()).await?;
        if !ok {
            // 403, not 401: the session is fine; a 401 would read as
            // "signed out" to a client.
            return Err(AppError::field(
                ErrorCode::WrongPassword,
                "current_password",
                "wrong_password",
                "is wrong",
            ));
        }
        let hash = password::hash(new_password).await?;
        profiles::set_password(&state.db, user, hash).await?;
        sessions::revoke_others(&state.db, auth.0.id.as_str(), Some(&auth.0.session_id)).await?;
        let ended = Control::AllSessionsEnded {
            except: Some(auth.0.session_id.to_string()),
        };
        sessions::announce_ended(&state, &auth.0.id, ended).await;
        Ok(PasswordChanged::Done)
    }

    /// Share my city (needs the optional `location` grant).
    #[oai(path = "/location", method = "put", operation_id = "me_set_location")]
    async fn set_location(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<LocationChange>,
    ) -> AppResult<LocationResponse> {
        let city = body.city.trim();
        if city.is_empty() {
            return Err(AppError::invalid("city", "required", "must not be empty"));
        }
        profiles::set_location(&state.db, auth.0.id.as_str(), city).await?;
        Ok(LocationResponse::Done)
    }

    /// Stop sharing my city.
    #[oai(
        path = "/location",
        method = "delete",
        operation_id = "me_clear_location"
    )]
    async fn clear_location(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> AppResult<LocationResponse> {
        profiles::clear_location(&state.db, auth.0.id.as_str()).await?;
        Ok(LocationResponse::Done)
    }
}

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// A user's public profile.
    #[oai(path = "/:id", method = "get", operation_id = "users_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        /// The user id.
        /// privacy: not personal
        id: Path<UserId>,
    ) -> AppResult<PublicUserResponse> {
        if let Some(bytes) = copies::public_profile(&state, id.0.as_str()).await {
            return Ok(PublicUserResponse::Ok(StoredJson::from_stored(bytes)));
        }
        let (user, key) = profiles::load(&state.read_db, &id.0)
            .await?
            .filter(|(u, _)| u.community_closed_at.is_none())
            .ok_or_else(|| AppError::not_found("user"))?;
        let view = StoredJson::encode(&PublicUser::build(&state, user, key.as_deref()));
        copies::keep_public_profile(&state, id.0.as_str(), view.bytes()).await;
        Ok(PublicUserResponse::Ok(view))
    }
}

async fn admin_view(state: &AppState, id: &UserId) -> AppResult<AdminUser> {
    let (user, key) = profiles::load(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let me = Me::build(state, user.clone(), key.as_deref())?;
    Ok(AdminUser {
        profile: PublicUser::build(state, user, key.as_deref()),
        phone_masked: me.phone_masked,
    })
}

#[OpenApi(prefix_path = "/admin/users", tag = "ApiTags::Admin")]
impl AdminUsersApi {
    /// A user, as moderators see them (moderator or admin).
    #[oai(path = "/:id", method = "get", operation_id = "admin_get_user")]
    async fn get(
        &self,
        state: Data<&AppState>,
        _moderator: ModeratorAuth,
        /// The user id.
        /// privacy: not personal
        id: Path<UserId>,
    ) -> AppResult<AdminUserResponse> {
        Ok(AdminUserResponse::Ok(Json(
            admin_view(&state, &id.0).await?,
        )))
    }

    /// Set a user's role (admin).
    #[oai(
        path = "/:id/role",
        method = "put",
        operation_id = "admin_set_user_role"
    )]
    async fn set_role(
        &self,
        state: Data<&AppState>,
        auth: AdminAuth,
        /// The user id.
        /// privacy: not personal
        id: Path<UserId>,
        body: JsonBody<RoleChange>,
    ) -> AppResult<AdminUserResponse> {
        if id.0 == auth.0.id {
            return Err(AppError::forbidden("admins cannot change their own role"));
        }
        let (user, _) = profiles::load(&state.db, &id.0)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        profiles::set_role(&state.db, user, body.role).await?;
        copies::forget_public_profile(&state, id.0.as_str()).await;
        tracing::info!(admin_id = %auth.0.id, user_id = %id.0, role = body.role.as_str(), "role changed");
        Ok(AdminUserResponse::Ok(Json(
            admin_view(&state, &id.0).await?,
        )))
    }
}
