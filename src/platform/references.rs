//! Who refers to an upload. The media layer deletes a file when the last
//! reference to it goes, and an upload nothing ever used once it is old
//! enough; the areas that hold references (identity's avatars, community's
//! images, logs and circle icons, messages' attachments) each register an
//! [`UploadReferences`], which the wiring sets on `AppState::references`.
use std::{collections::HashSet, sync::Arc};

use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use crate::error::AppResult;

#[async_trait]
pub trait UploadReferences: Send + Sync + 'static {
    /// Which of `ids` (uploads of `owner`) this area still refers to.
    async fn in_use(
        &self,
        db: &DatabaseConnection,
        owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>>;
}

/// Every registered source of references.
#[derive(Clone, Default)]
pub struct References(Arc<Vec<Arc<dyn UploadReferences>>>);

impl References {
    pub fn new(sources: Vec<Arc<dyn UploadReferences>>) -> Self {
        Self(Arc::new(sources))
    }

    /// Which of `ids` anything still refers to.
    pub async fn in_use(
        &self,
        db: &DatabaseConnection,
        owner: &str,
        ids: &[String],
    ) -> AppResult<HashSet<String>> {
        let mut used = HashSet::new();
        if ids.is_empty() {
            return Ok(used);
        }
        for source in self.0.iter() {
            used.extend(source.in_use(db, owner, ids).await?);
        }
        Ok(used)
    }

    /// Whether any source is registered (a context without them must not
    /// take every upload for an orphan).
    pub fn is_wired(&self) -> bool {
        !self.0.is_empty()
    }
}
