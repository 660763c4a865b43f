//! Community's references to uploads: post images (a deleted post's too,
//! during its grace), diagnostic logs on posts, circle icons.
use std::collections::HashSet;

use async_trait::async_trait;
use entity::{circles, post_images, posts};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::{error::AppResult, platform::references::UploadReferences};

pub struct CommunityUploads;

#[async_trait]
impl UploadReferences for CommunityUploads {
    async fn in_use(
        &self,
        db: &DatabaseConnection,
        _owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>> {
        let images: Vec<String> = post_images::Entity::find()
            .select_only()
            .column(post_images::Column::UploadId)
            .filter(post_images::Column::UploadId.is_in(ids.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        let logs: Vec<Option<String>> = posts::Entity::find()
            .select_only()
            .column(posts::Column::LogUploadId)
            .filter(posts::Column::LogUploadId.is_in(ids.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        let icons: Vec<Option<String>> = circles::Entity::find()
            .select_only()
            .column(circles::Column::IconUploadId)
            .filter(circles::Column::IconUploadId.is_in(ids.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        Ok(images
            .into_iter()
            .chain(logs.into_iter().flatten())
            .chain(icons.into_iter().flatten())
            .collect())
    }
}
