//! `GET /media/{key}`: stored files with their content type.
use entity::uploads;
use poem::{
    handler,
    web::{Data, Path},
    IntoResponse, Response,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{error::AppError, state::AppState};

/// Keys are `<uuid>.<ext>`; anything else is not ours.
fn valid_key(key: &str) -> bool {
    key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !key.contains("..")
}

#[handler]
pub async fn serve(state: Data<&AppState>, Path(key): Path<String>) -> Result<Response, AppError> {
    if !valid_key(&key) {
        return Err(AppError::not_found("media"));
    }
    let upload = uploads::Entity::find()
        .filter(uploads::Column::StorageKey.eq(&key))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("media"))?;
    let stream = state
        .media
        .get_stream(&key)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::not_found("media"))?;
    let mut builder = Response::builder();
    if upload.kind == "file" {
        // Files are downloaded, never rendered by the browser.
        builder = builder.header("Content-Disposition", "attachment");
    }
    Ok(builder
        .content_type(upload.content_type)
        .header("Content-Length", upload.bytes.to_string())
        .header("Cache-Control", "public, max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        .body(poem::Body::from_bytes_stream(stream))
        .into_response())
}
