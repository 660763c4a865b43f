//! Identity's references to uploads: avatars.
use std::collections::HashSet;

use async_trait::async_trait;
use entity::users;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::{error::AppResult, platform::references::UploadReferences};

pub struct Avatars;

#[async_trait]
impl UploadReferences for Avatars {
    async fn in_use(
        &self,
        db: &DatabaseConnection,
        _owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>> {
        let used: Vec<Option<String>> = users::Entity::find()
            .select_only()
            .column(users::Column::AvatarUploadId)
            .filter(users::Column::AvatarUploadId.is_in(ids.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        Ok(used.into_iter().flatten().collect())
    }
}
