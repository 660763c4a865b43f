//! Storing an upload: sniff, check the size for its kind, strip image
//! metadata, store, record — or nothing at all.
use bytes::Bytes;
use chrono::Utc;
use entity::{
    enums::{UploadKind, UploadPurpose},
    uploads,
};
use poem_openapi::types::multipart::Upload;
use sea_orm::{ActiveValue::Set, EntityTrait};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{
    refusals::Refusal,
    strip::{self, ImageFormat},
    strip_video::strip_video,
};
use crate::ids::UserId;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

/// What an upload is, decided from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Image(ImageFormat),
    /// A video or file kept as sent: `(kind, mime, extension)`.
    Other(UploadKind, &'static str, &'static str),
}

/// The allow-list of videos and files, by sniffed MIME type.
const OTHER: &[(&str, UploadKind, &str)] = &[
    ("video/mp4", UploadKind::Video, "mp4"),
    // MP4 with Apple's M4V brand, as iOS exports it.
    ("video/x-m4v", UploadKind::Video, "m4v"),
    ("video/quicktime", UploadKind::Video, "mov"),
    ("video/webm", UploadKind::Video, "webm"),
    ("application/pdf", UploadKind::File, "pdf"),
    ("application/zip", UploadKind::File, "zip"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        UploadKind::File,
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        UploadKind::File,
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        UploadKind::File,
        "pptx",
    ),
];

pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    match infer::get(head) {
        Some(t) => {
            let mime = t.mime_type();
            if let Some(format) = ImageFormat::from_mime(mime) {
                return Some(Sniffed::Image(format));
            }
            OTHER
                .iter()
                .find(|(m, _, _)| *m == mime)
                .map(|(m, kind, ext)| Sniffed::Other(*kind, m, ext))
        }
        // Plain text: valid UTF-8 (a character may be cut at the end of
        // the head) without control bytes other than whitespace, and not
        // markup.
        None if !head.is_empty() && looks_like_text(head) => Some(Sniffed::Other(
            UploadKind::File,
            "text/plain; charset=utf-8",
            "txt",
        )),
        None => None,
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    // Markup (HTML, SVG, XML) is refused outright: too easy to turn into
    // script in someone's browser.
    if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    };
    valid
        && head
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'))
}

/// Videos in the ISO media (MP4) box format, whose user data boxes are
/// blanked before they are stored.
const VIDEO_WITH_BOXES: &[&str] = &["video/mp4", "video/x-m4v", "video/quicktime"];

/// What a diagnostic log may be: plain text, or a ZIP of several.
const LOG_TYPES: &[&str] = &["text/plain; charset=utf-8", "application/zip"];

/// Refuses an upload that would take its owner past `upload_quota`. Two
/// uploads at the same moment may both pass: the cap is a bound on
/// storage, not an exact ledger.
async fn check_quota(state: &AppState, owner_id: &UserId, size: usize) -> AppResult<()> {
    use sea_orm::{sea_query::Expr, ColumnTrait, QueryFilter, QuerySelect};
    // PostgreSQL sums a BIGINT as NUMERIC: cast back, on both backends.
    let used: Option<i64> = uploads::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(bytes), 0) AS BIGINT)"),
            "used",
        )
        .filter(uploads::Column::OwnerId.eq(owner_id))
        // A package is the program's, not its uploader's.
        .filter(uploads::Column::Purpose.ne(UploadPurpose::Package))
        .into_tuple()
        .one(&state.db)
        .await?;
    let used = u64::try_from(used.unwrap_or(0)).map_err(AppError::internal)?;
    if used + size as u64 > state.config.upload_quota {
        return Err(Refusal::QuotaExceeded(state.config.upload_quota).into());
    }
    Ok(())
}

/// The first bytes of a file, which decide what it is.
pub(super) async fn read_head(file: &mut tokio::fs::File) -> AppResult<Vec<u8>> {
    let mut head = vec![0u8; 8192];
    let mut read = 0;
    while read < head.len() {
        let n = file
            .read(&mut head[read..])
            .await
            .map_err(AppError::internal)?;
        if n == 0 {
            break;
        }
        read += n;
    }
    head.truncate(read);
    Ok(head)
}

/// Stores an upload of a kind its purpose can use: a post's or an icon's
/// media and an avatar as an image (nothing else can use another kind, so
/// nothing else is kept public), an attachment of every allowed type
/// (private from the start), a diagnostic log as text or ZIP, private.
pub async fn store(
    state: &AppState,
    owner_id: &UserId,
    purpose: UploadPurpose,
    upload: Upload,
) -> AppResult<uploads::Model> {
    if purpose == UploadPurpose::Package {
        return super::packages::store(state, owner_id, upload).await;
    }
    let size = upload.size();
    check_quota(state, owner_id, size).await?;
    let mut file = upload.into_file();
    let head = read_head(&mut file).await?;
    let config = &state.config;
    let sniffed = sniff(&head).ok_or(Refusal::Unsupported)?;
    if purpose == UploadPurpose::Diagnostic
        && !matches!(sniffed, Sniffed::Other(_, mime, _) if LOG_TYPES.contains(&mime))
    {
        return Err(Refusal::NotALog.into());
    }
    if matches!(purpose, UploadPurpose::Avatar | UploadPurpose::Media)
        && !matches!(sniffed, Sniffed::Image(_))
    {
        return Err(Refusal::NotAnImage.into());
    }
    match sniffed {
        Sniffed::Image(format) => {
            if size > config.upload_image_limit {
                return Err(Refusal::TooLarge(config.upload_image_limit).into());
            }
            file.rewind().await.map_err(AppError::internal)?;
            let mut data = Vec::with_capacity(size);
            file.read_to_end(&mut data)
                .await
                .map_err(AppError::internal)?;
            store_image(state, owner_id.as_str(), purpose, format, data).await
        }
        Sniffed::Other(kind, mime, ext) => {
            let limit = if kind == UploadKind::Video {
                config.upload_video_limit
            } else {
                config.upload_file_limit
            };
            if size > limit {
                return Err(Refusal::TooLarge(limit).into());
            }
            if VIDEO_WITH_BOXES.contains(&mime) {
                strip_video(&mut file, size as u64)
                    .await
                    .map_err(AppError::internal)?;
            }
            let what = (kind, mime, ext);
            stream_and_record(state, owner_id.as_str(), purpose, file, what).await
        }
    }
}

async fn store_image(
    state: &AppState,
    owner_id: &str,
    purpose: UploadPurpose,
    format: ImageFormat,
    data: Vec<u8>,
) -> AppResult<uploads::Model> {
    let cleaned =
        strip::strip(format, Bytes::from(data)).ok_or(Refusal::Corrupt(format.extension()))?;
    let id = uuid::Uuid::now_v7().to_string();
    let key = format!("{id}.{}", format.extension());
    let bytes = cleaned.len() as i64;
    state
        .media
        .put(&key, cleaned)
        .await
        .map_err(AppError::internal)?;
    let stored = Stored {
        id,
        key,
        kind: UploadKind::Image,
        mime: format.mime(),
        bytes,
    };
    record(state, owner_id, purpose, stored).await
}

/// Streams `file` (from its start) to the media store as a new object of
/// `(kind, mime, extension)` and records it.
pub(super) async fn stream_and_record(
    state: &AppState,
    owner_id: &str,
    purpose: UploadPurpose,
    mut file: tokio::fs::File,
    (kind, mime, ext): (UploadKind, &'static str, &'static str),
) -> AppResult<uploads::Model> {
    file.rewind().await.map_err(AppError::internal)?;
    let id = uuid::Uuid::now_v7().to_string();
    let key = format!("{id}.{ext}");
    let bytes = state
        .media
        .put_stream(&key, file)
        .await
        .map_err(AppError::internal)?;
    let stored = Stored {
        id,
        key,
        kind,
        mime,
        bytes: bytes as i64,
    };
    record(state, owner_id, purpose, stored).await
}

/// An object in the media store, not yet recorded.
struct Stored {
    id: String,
    key: String,
    kind: UploadKind,
    mime: &'static str,
    bytes: i64,
}

/// Records a stored object; removes it again when the row cannot be written.
async fn record(
    state: &AppState,
    owner_id: &str,
    purpose: UploadPurpose,
    stored: Stored,
) -> AppResult<uploads::Model> {
    let key = stored.key;
    let row = uploads::ActiveModel {
        id: Set(stored.id),
        owner_id: Set(owner_id.to_owned()),
        storage_key: Set(key.clone()),
        kind: Set(stored.kind),
        content_type: Set(stored.mime.into()),
        bytes: Set(stored.bytes),
        created_at: Set(Utc::now()),
        // A log is for its owner and moderators only, an attachment for
        // the conversation, a package for a program's testers: private
        // from the first byte.
        private: Set(matches!(
            purpose,
            UploadPurpose::Diagnostic | UploadPurpose::Attachment | UploadPurpose::Package
        )),
        purpose: Set(purpose),
        claimed: Set(false),
    };
    match uploads::Entity::insert(row)
        .exec_with_returning(&state.db)
        .await
    {
        Ok(model) => Ok(model),
        Err(err) => {
            if let Err(cleanup) = state.media.delete(&key).await {
                tracing::warn!(error = %format!("{cleanup:#}"), "an unrecorded upload's file was not deleted");
            }
            Err(err.into())
        }
    }
}
