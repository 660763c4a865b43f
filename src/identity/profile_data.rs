//! The community profile as personal data. Erasing it (either scope)
//! clears every field, replaces the nickname and takes the user out of
//! public view and search.
use async_trait::async_trait;
use chrono::Utc;
use entity::{user_locations, users};
use sea_orm::{sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::{
    error::AppResult,
    platform::outbox,
    platform::search_index::DocKind,
    privacy::registry::{delete_where, AfterCommit, Erasure, PersonalData, Stage},
    state::AppState,
};

/// What a closed profile shows where a name is needed.
pub const CLOSED_NICKNAME: &str = "已注销用户";

pub struct ProfileData;

#[async_trait]
impl PersonalData for ProfileData {
    fn stage(&self) -> Stage {
        Stage::Profile
    }

    fn sections(&self) -> &'static [&'static str] {
        &["profile"]
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
        let city = super::profiles::location(&state.db, user.as_str()).await?;
        Ok(vec![(
            "profile",
            json!({
                "nickname": u.nickname,
                "avatar_url": super::views::avatar_url(state, avatar_key.as_deref()),
                "gender": u.gender, "birthday": u.birthday, "region": u.region,
                "signature": u.signature, "city": city,
                "show_online_status": u.show_online_status,
            }),
        )])
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
        Ok(AfterCommit::default())
    }
}
