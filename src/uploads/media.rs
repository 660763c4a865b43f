//! `GET /media/{key}`: stored files with their content type. Private
//! uploads (sent in messages) need a signed, expiring link.
use entity::{enums::UploadKind, uploads};
use poem::{
    handler,
    web::{Data, Path, Query},
    IntoResponse, Response,
};
use poem_openapi::Enum;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use subtle::ConstantTimeEq;

use crate::{error::AppError, state::AppState};

/// How a stored file is shown, as clients see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
    File,
}

crate::convert::mirror!(MediaKind, UploadKind, [Image, Video, File]);

/// Keys are `<uuid>.<ext>`; anything else is not ours.
fn valid_key(key: &str) -> bool {
    key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !key.contains("..")
}

/// How long a signed link lasts, at least; links are stable within an hour
/// so that clients can cache them.
const SIGNED_FOR_SECS: i64 = 24 * 3600;

fn signature(state: &AppState, key: &str, exp: i64) -> String {
    state
        .crypto
        .blind_index("media-link", &format!("{key}|{exp}"))
}

/// A link to a private upload, valid for a day or a little more.
pub fn signed_url(state: &AppState, key: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let exp = (now + SIGNED_FOR_SECS).div_euclid(3600) * 3600 + 3600;
    format!(
        "{}?exp={exp}&sig={}",
        state.config.media_url(key),
        signature(state, key, exp)
    )
}

/// Where an upload can be fetched: a signed link when it is private.
pub fn upload_url(state: &AppState, upload: &uploads::Model) -> String {
    if upload.private {
        signed_url(state, &upload.storage_key)
    } else {
        state.config.media_url(&upload.storage_key)
    }
}

#[derive(serde::Deserialize)]
pub struct LinkParams {
    exp: Option<i64>,
    sig: Option<String>,
}

fn link_valid(state: &AppState, key: &str, params: &LinkParams) -> bool {
    match (params.exp, params.sig.as_deref()) {
        (Some(exp), Some(sig)) if exp > chrono::Utc::now().timestamp() => {
            let expected = signature(state, key, exp);
            expected.as_bytes().ct_eq(sig.as_bytes()).into()
        }
        _ => false,
    }
}

#[handler]
pub async fn serve(
    state: Data<&AppState>,
    Path(key): Path<String>,
    Query(link): Query<LinkParams>,
) -> Result<Response, AppError> {
    if !valid_key(&key) {
        return Err(AppError::not_found("media"));
    }
    let upload = uploads::Entity::find()
        .filter(uploads::Column::StorageKey.eq(&key))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("media"))?;
    // Without a valid link a private upload does not exist.
    if upload.private && !link_valid(&state, &key, &link) {
        return Err(AppError::not_found("media"));
    }
    let download = (upload.kind == UploadKind::File).then_some("attachment");
    let stored = StoredFile {
        key: &key,
        content_type: &upload.content_type,
        bytes: upload.bytes,
    };
    respond(&state, stored, download, upload.private).await
}

/// A file in the media store, as it is served.
pub struct StoredFile<'a> {
    pub key: &'a str,
    pub content_type: &'a str,
    pub bytes: i64,
}

/// Streams a stored file: with `disposition` (`attachment`, with a file
/// name perhaps) it is downloaded, never rendered by the browser; cached
/// privately when `private`, an hour at most.
pub async fn respond(
    state: &AppState,
    file: StoredFile<'_>,
    disposition: Option<&str>,
    private: bool,
) -> Result<Response, AppError> {
    let stream = state
        .media
        .get_stream(file.key)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::not_found("media"))?;
    let mut builder = Response::builder();
    if let Some(disposition) = disposition {
        builder = builder.header("Content-Disposition", disposition);
    }
    Ok(builder
        .content_type(file.content_type)
        .header("Content-Length", file.bytes.to_string())
        .header(
            "Cache-Control",
            // An hour at most in any cache: a deleted file must not live on
            // for a year in a CDN after its row and links are gone.
            if private {
                "private, max-age=3600"
            } else {
                "public, max-age=3600"
            },
        )
        .header("X-Content-Type-Options", "nosniff")
        .body(poem::Body::from_bytes_stream(stream))
        .into_response())
}

/// Whether `id` is an image uploaded for public use (`POST /uploads`):
/// never someone's avatar, a message attachment or a diagnostic log. What
/// an area shows publicly beside its own content (a circle's icon, an
/// event's cover) must be one.
pub async fn is_public_image(
    db: &impl sea_orm::ConnectionTrait,
    id: &str,
) -> crate::error::AppResult<bool> {
    Ok(uploads::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|u| {
            u.kind == UploadKind::Image && u.purpose == entity::enums::UploadPurpose::Media
        }))
}
