//! Uploads as personal data: the rows and the stored files. Files of posts
//! held under an open report stay until the report is resolved.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::uploads;
use poem_openapi::Object;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::media::MediaKind;
use crate::{
    error::AppResult,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section, Stage},
    state::AppState,
};

/// One of my uploads, in the export.
#[derive(Debug, Object)]
pub struct ExportedUpload {
    pub id: String,
    pub kind: MediaKind,
    pub content_type: String,
    pub bytes: i64,
    /// Where the file can be fetched; for a private upload, a signed link
    /// that expires.
    pub url: String,
    pub created_at: DateTime<Utc>,
}

pub struct UploadsData;

#[async_trait]
impl PersonalData for UploadsData {
    fn stage(&self) -> Stage {
        Stage::Files
    }

    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedUpload>>("uploads")]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "uploaded_media",
            "avatar",
            "message_media",
            "diagnostic_log",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["uploads"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows = uploads::Entity::find()
            .filter(uploads::Column::OwnerId.eq(user))
            .order_by_asc(uploads::Column::Id)
            .all(&state.db)
            .await?;
        let items: Vec<ExportedUpload> = rows
            .into_iter()
            .map(|u| ExportedUpload {
                url: super::media::upload_url(state, &u),
                id: u.id,
                kind: u.kind.into(),
                content_type: u.content_type,
                bytes: u.bytes,
                created_at: u.created_at,
            })
            .collect();
        Ok(vec![Section::value("uploads", &items)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let mut after = AfterCommit::default();
        // Images of a post under an open report stay with it (community
        // names them among the held content).
        let kept: Vec<String> = erasure
            .held
            .iter()
            .filter(|(t, _)| t == "upload")
            .map(|(_, id)| id.clone())
            .collect();
        let mine = uploads::Entity::find()
            .filter(uploads::Column::OwnerId.eq(erasure.user.as_str()))
            .all(txn)
            .await?;
        for u in mine.into_iter().filter(|u| !kept.contains(&u.id)) {
            // Only what this removed: a package a beta program took over
            // in the meantime is the program's.
            let done = uploads::Entity::delete_by_id(u.id).exec(txn).await?;
            if done.rows_affected == 1 {
                after.media_keys.push(u.storage_key);
            }
        }
        Ok(after)
    }
}
