//! What the API shows of a user: to themselves, and to everyone else.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::users;
use poem_openapi::{Enum, Object};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{phone::masked_from_ciphertext, Role};
use crate::{error::AppResult, platform::storage::upload_keys, state::AppState};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
    Other,
    Undisclosed,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
            Self::Other => "other",
            Self::Undisclosed => "undisclosed",
        }
    }
}

/// My own account: everything I gave, the phone masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Me {
    pub id: String,
    /// My phone number, masked (`+86138****8000`).
    pub phone_masked: String,
    pub nickname: String,
    pub avatar_url: Option<String>,
    pub avatar_upload_id: Option<String>,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub region: Option<String>,
    pub signature: Option<String>,
    /// The city I share (purpose `location`, only with its grant).
    pub city: Option<String>,
    /// `user`, `moderator` or `admin`.
    pub role: Role,
    /// Community level, derived from activity.
    pub level: i32,
    pub experience: i64,
    /// The privacy-notice version I accepted.
    pub accepted_notice_version: String,
    /// Whether others may see when I am online.
    pub show_online_status: bool,
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Me {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("UserId"),
            phone_masked: "+86138****8000".into(),
            nickname: "夜拍小王".into(),
            avatar_url: Some(crate::api::examples::media_url("a1/9f3c2b.webp")),
            avatar_upload_id: Some(crate::api::examples::id("UploadId")),
            gender: None,
            birthday: None,
            region: Some("Guangdong".into()),
            signature: Some("Shooting the city after dark.".into()),
            city: None,
            role: Role::User,
            level: 4,
            experience: 1260,
            accepted_notice_version: "3f9a1c2e7b40d815".into(),
            show_online_status: false,
            created_at: crate::api::examples::time(2, 9, 15),
        }
    }
}

/// What anyone may see of a user: never the phone, birthday or anything private.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PublicUser {
    pub id: String,
    pub nickname: String,
    pub avatar_url: Option<String>,
    pub signature: Option<String>,
    pub level: i32,
    /// Moderators and admins carry their role as a badge.
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for PublicUser {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("UserId"),
            nickname: "夜拍小王".into(),
            avatar_url: Some(crate::api::examples::media_url("a1/9f3c2b.webp")),
            signature: Some("Shooting the city after dark.".into()),
            level: 4,
            role: Role::User,
            joined_at: crate::api::examples::time(2, 9, 15),
        }
    }
}

pub fn avatar_url(state: &AppState, avatar_key: Option<&str>) -> Option<String> {
    avatar_key.map(|key| state.config.media_url(key))
}

impl Me {
    /// `avatar_key` is the storage key of the avatar upload, if any.
    pub fn build(
        state: &AppState,
        user: users::Model,
        avatar_key: Option<&str>,
    ) -> AppResult<Self> {
        let phone_masked = masked_from_ciphertext(&state.crypto, &user.phone_ciphertext)?;
        Ok(Self {
            phone_masked,
            avatar_url: avatar_url(state, avatar_key),
            avatar_upload_id: user.avatar_upload_id,
            gender: user.gender.map(Gender::from),
            birthday: user.birthday,
            region: user.region,
            signature: user.signature,
            city: None,
            role: user.role.into(),
            level: user.level,
            experience: user.experience,
            accepted_notice_version: user.accepted_notice_version,
            show_online_status: user.show_online_status,
            created_at: user.created_at,
            nickname: user.nickname,
            id: user.id,
        })
    }
}

impl PublicUser {
    pub fn build(state: &AppState, user: users::Model, avatar_key: Option<&str>) -> Self {
        Self {
            avatar_url: avatar_url(state, avatar_key),
            role: user.role.into(),
            signature: user.signature,
            level: user.level,
            joined_at: user.created_at,
            nickname: user.nickname,
            id: user.id,
        }
    }
}

/// The public profiles behind a page of ids, in id order; ids with no
/// account are left out.
pub async fn public_users(state: &AppState, ids: Vec<String>) -> AppResult<Vec<PublicUser>> {
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::Id)
        .all(&state.read_db)
        .await?;
    let keys = upload_keys(
        &state.read_db,
        rows.iter()
            .filter_map(|u| u.avatar_upload_id.clone())
            .collect(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|u| {
            let key = u
                .avatar_upload_id
                .as_ref()
                .and_then(|a| keys.get(a))
                .cloned();
            PublicUser::build(state, u, key.as_deref())
        })
        .collect())
}

/// The author of a post or comment; absent for deleted users.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct AuthorView {
    pub id: String,
    pub nickname: String,
    pub avatar_url: Option<String>,
    pub level: i32,
}

impl poem_openapi::types::Example for AuthorView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("UserId"),
            nickname: "夜拍小王".into(),
            avatar_url: Some(crate::api::examples::media_url("a1/9f3c2b.webp")),
            level: 4,
        }
    }
}

/// The authors behind a batch of ids.
pub async fn authors(
    state: &AppState,
    ids: HashSet<String>,
) -> AppResult<HashMap<String, AuthorView>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Only what a card shows: a stored value elsewhere in the row (a role
    // this build does not know) is that account's problem, not every feed's.
    let users: Vec<(String, String, Option<String>, i32)> = users::Entity::find()
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::Nickname,
            users::Column::AvatarUploadId,
            users::Column::Level,
        ])
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(&state.read_db)
        .await?;
    let keys = upload_keys(
        &state.read_db,
        users.iter().filter_map(|u| u.2.clone()).collect(),
    )
    .await?;
    Ok(users
        .into_iter()
        .map(|(id, nickname, avatar, level)| {
            let key = avatar.as_ref().and_then(|a| keys.get(a));
            let avatar_url = avatar_url(state, key.map(String::as_str));
            let view = AuthorView {
                id: id.clone(),
                nickname,
                avatar_url,
                level,
            };
            (id, view)
        })
        .collect())
}

crate::convert::mirror!(
    Gender,
    entity::enums::Gender,
    [Male, Female, Other, Undisclosed]
);
