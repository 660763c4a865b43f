//! The social graph as personal data: whom I follow and who follows me,
//! and whom I blocked. Identity owns these tables, so it exports and
//! erases them; erasing (either scope) ends every follow either way and
//! the blocks I made.
use async_trait::async_trait;
use entity::{follows, user_blocks};
use poem_openapi::Object;
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::{
    error::AppResult,
    ids::UserId,
    privacy::registry::{delete_where, AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// The export's `follows` section: user ids either way.
#[derive(Debug, Object)]
#[oai(example)]
pub struct ExportedFollows {
    /// Whom I follow.
    pub following: Vec<String>,
    /// Who follows me.
    pub followers: Vec<String>,
}

impl poem_openapi::types::Example for ExportedFollows {
    fn example() -> Self {
        use crate::api::examples::id;
        Self {
            following: vec![id("FollowedUserId")],
            followers: vec![id("FollowerUserId"), id("SecondFollowerUserId")],
        }
    }
}

pub struct SocialGraphData;

#[async_trait]
impl PersonalData for SocialGraphData {
    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<ExportedFollows>("follows"),
            // The ids of the users I blocked.
            Section::of::<Vec<String>>("blocks"),
        ]
    }

    fn items(&self) -> &'static [&'static str] {
        &["follows", "blocks"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["follows", "user_blocks"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let db = &state.db;
        let following: Vec<String> = follows::Entity::find()
            .filter(follows::Column::FollowerId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|f| f.followee_id)
            .collect();
        let followers: Vec<String> = follows::Entity::find()
            .filter(follows::Column::FolloweeId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|f| f.follower_id)
            .collect();
        let blocks: Vec<String> = user_blocks::Entity::find()
            .filter(user_blocks::Column::BlockerId.eq(user))
            .all(db)
            .await?
            .into_iter()
            .map(|b| b.blocked_id)
            .collect();
        Ok(vec![
            Section::value(
                "follows",
                &ExportedFollows {
                    following,
                    followers,
                },
            ),
            Section::value("blocks", &blocks),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let follows = follows::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(follows::Column::FollowerId.eq(user))
                    .add(follows::Column::FolloweeId.eq(user)),
            )
            .exec(txn)
            .await?
            .rows_affected;
        let blocks =
            delete_where::<user_blocks::Entity>(txn, user_blocks::Column::BlockerId, user).await?;
        Ok(AfterCommit::rows(follows + blocks))
    }
}
