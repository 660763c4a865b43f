//! Storing an upload: sniff, strip, store, record — or nothing at all.
use bytes::Bytes;
use chrono::Utc;
use entity::uploads;
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::strip::{self, ImageFormat};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
};

pub async fn store_image(
    state: &AppState,
    owner_id: &str,
    data: Vec<u8>,
) -> AppResult<uploads::Model> {
    let format = infer::get(&data)
        .and_then(|t| ImageFormat::from_mime(t.mime_type()))
        .ok_or_else(|| {
            AppError::field(
                ErrorCode::UnsupportedMediaType,
                "file",
                "unsupported_type",
                "must be a JPEG, PNG, WebP or GIF image",
            )
        })?;
    let cleaned = strip::strip(format, Bytes::from(data)).ok_or_else(|| {
        AppError::invalid(
            "file",
            "corrupt",
            format!("is not a readable {} image", format.extension()),
        )
    })?;
    let id = uuid::Uuid::now_v7().to_string();
    let key = format!("{id}.{}", format.extension());
    let bytes = cleaned.len() as i64;
    state
        .media
        .put(&key, cleaned)
        .await
        .map_err(AppError::internal)?;
    let row = uploads::ActiveModel {
        id: Set(id),
        owner_id: Set(owner_id.to_owned()),
        storage_key: Set(key.clone()),
        kind: Set("image".into()),
        content_type: Set(format.mime().into()),
        bytes: Set(bytes),
        created_at: Set(Utc::now()),
    };
    match uploads::Entity::insert(row)
        .exec_with_returning(&state.db)
        .await
    {
        Ok(model) => Ok(model),
        Err(err) => {
            // Leave no orphan file behind a failed insert.
            let _ = state.media.delete(&key).await;
            Err(err.into())
        }
    }
}
