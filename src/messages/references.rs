//! Messages' references to uploads: attachments. The attachment's id is
//! stored encrypted, so the owner's own messages that carry one are read
//! and opened (a sender attaches only their own uploads).
use std::collections::HashSet;

use async_trait::async_trait;
use entity::messages;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    error::{AppError, AppResult},
    platform::{crypto::Crypto, references::UploadReferences},
};

pub struct Attachments(pub Crypto);

#[async_trait]
impl UploadReferences for Attachments {
    async fn in_use(
        &self,
        db: &DatabaseConnection,
        owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>> {
        let sealed: Vec<Option<String>> = messages::Entity::find()
            .select_only()
            .column(messages::Column::AttachmentCiphertext)
            .filter(messages::Column::SenderId.eq(owner))
            .filter(messages::Column::AttachmentCiphertext.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        let mut used = HashSet::new();
        for sealed in sealed {
            if let Some(id) = self.0.decrypt_opt(&sealed).map_err(AppError::internal)? {
                if ids.contains(&id) {
                    used.insert(id);
                }
            }
        }
        Ok(used)
    }
}
