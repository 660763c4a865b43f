//! The community profile as personal data. Erasing it (either scope)
//! clears every field, replaces the nickname and takes the user out of
//! public view and search.
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use entity::{user_locations, users};
use poem_openapi::Object;
use sea_orm::{sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value;

use super::views::Gender;
use crate::{
    error::AppResult,
    platform::outbox,
    platform::search_index::DocKind,
    privacy::registry::{delete_where, AfterCommit, Erasure, PersonalData, Section, Stage},
    state::AppState,
};

/// The export's `profile` section.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ExportedProfile {
    pub nickname: String,
    pub avatar_url: Option<String>,
    pub gender: Option<Gender>,
    pub birthday: Option<NaiveDate>,
    pub region: Option<String>,
    pub signature: Option<String>,
    /// Kept with the `location` grant.
    pub city: Option<String>,
    pub show_online_status: bool,
}

impl poem_openapi::types::Example for ExportedProfile {
    fn example() -> Self {
        Self {
            nickname: "夜拍小王".into(),
            avatar_url: Some(crate::api::examples::media_url("a1/9f3c2b.webp")),
            gender: None,
            birthday: None,
            region: Some("Guangdong".into()),
            signature: Some("Shooting the city after dark.".into()),
            city: None,
            show_online_status: false,
        }
    }
}

/// What a closed profile shows where a name is needed.
pub const CLOSED_NICKNAME: &str = "已注销用户";

pub struct ProfileData;

#[async_trait]
impl PersonalData for ProfileData {
    fn stage(&self) -> Stage {
        Stage::Profile
    }

    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<ExportedProfile>("profile")]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "nickname",
            "avatar",
            "gender",
            "birthday",
            "region",
            "signature",
            "city",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["user_locations"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let Some((u, avatar_key)) = super::profiles::load(&state.db, user).await? else {
            return Ok(vec![("profile", Value::Null)]);
        };
        let profile = ExportedProfile {
            city: super::profiles::location(&state.db, user.as_str()).await?,
            avatar_url: super::views::avatar_url(state, avatar_key.as_deref()),
            nickname: u.nickname,
            gender: u.gender.map(Into::into),
            birthday: u.birthday,
            region: u.region,
            signature: u.signature,
            show_online_status: u.show_online_status,
        };
        Ok(vec![Section::value("profile", &profile)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let none = || Expr::value(Option::<String>::None);
        users::Entity::update_many()
            .col_expr(users::Column::Nickname, Expr::value(CLOSED_NICKNAME))
            .col_expr(users::Column::AvatarUploadId, none())
            .col_expr(users::Column::Gender, none())
            .col_expr(
                users::Column::Birthday,
                Expr::value(Option::<chrono::NaiveDate>::None),
            )
            .col_expr(users::Column::Region, none())
            .col_expr(users::Column::Signature, none())
            .col_expr(users::Column::ShowOnlineStatus, Expr::value(false))
            .col_expr(
                users::Column::CommunityClosedAt,
                Expr::value(Some(Utc::now())),
            )
            .filter(users::Column::Id.eq(user))
            .exec(txn)
            .await?;
        delete_where::<user_locations::Entity>(txn, user_locations::Column::UserId, user).await?;
        outbox::enqueue(txn, DocKind::User, user).await?;
        // The cards that showed the old nickname and avatar go.
        Ok(AfterCommit {
            facts: vec![crate::platform::facts::Fact::AuthorChanged {
                user: user.to_owned(),
                erased: true,
            }],
            ..AfterCommit::default()
        })
    }
}
