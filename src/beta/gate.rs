//! Who passes a program's gate: its approved testers. Community keeps the
//! program's feedback circle closed to everyone else (staff aside); a
//! tester who leaves or is removed loses it on the next request.
use async_trait::async_trait;
use entity::{beta_applications as apps, enums::BetaStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{error::AppResult, platform::gates::CircleGate};

/// The gates of beta programs: `beta_program:<program id>`.
pub const KIND: &str = "beta_program";

pub struct Testers;

#[async_trait]
impl CircleGate for Testers {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn admits(&self, db: &DatabaseConnection, key: &str, user: &str) -> AppResult<bool> {
        let approved = apps::Entity::find()
            .filter(apps::Column::ProgramId.eq(key))
            .filter(apps::Column::UserId.eq(user))
            .filter(apps::Column::Status.eq(BetaStatus::Approved))
            .count(db)
            .await?;
        Ok(approved > 0)
    }
}
