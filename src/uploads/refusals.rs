//! What the upload pipeline refuses, as facts of its own domain; the table
//! below is the API edge's one mapping to the problem a client sees (all
//! of them about the form's `file`, but for deleting one still in use).
use crate::error::{AppError, ErrorCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a type on the allow-list (decided from the bytes).
    Unsupported,
    /// Over the limit for its kind, in bytes.
    TooLarge(usize),
    /// Says it is an image of this format but cannot be read as one.
    Corrupt(&'static str),
    /// Sent as a diagnostic log but neither plain text nor a ZIP.
    NotALog,
    /// Deleting an upload a post, profile, circle or message still shows.
    InUse,
    /// Sent as an avatar but not an image.
    NotAnImage,
    /// Sent as a beta build's package but not a ZIP-based package.
    NotAPackage,
    /// The owner's uploads would take more than this many bytes in all.
    QuotaExceeded(u64),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Unsupported => AppError::field(
                ErrorCode::UnsupportedMediaType,
                "file",
                "unsupported_type",
                "must be an image (JPEG, PNG, WebP, GIF), a video (MP4, MOV, WebM) \
                 or a file (PDF, ZIP, Office document, plain text)",
            ),
            Refusal::TooLarge(limit) => AppError::field(
                ErrorCode::PayloadTooLarge,
                "file",
                "too_large",
                format!("must be at most {limit} bytes for this kind of file"),
            ),
            Refusal::Corrupt(format) => AppError::invalid(
                "file",
                "corrupt",
                format!("is not a readable {format} image"),
            ),
            Refusal::NotALog => AppError::field(
                ErrorCode::UnsupportedMediaType,
                "file",
                "unsupported_type",
                "a diagnostic log must be plain text or a ZIP",
            ),
            Refusal::NotAnImage => AppError::field(
                ErrorCode::UnsupportedMediaType,
                "file",
                "unsupported_type",
                "this form takes images only (JPEG, PNG, WebP, GIF); videos and files travel as message attachments (POST /uploads/attachments), logs through POST /uploads/logs",
            ),
            Refusal::NotAPackage => AppError::field(
                ErrorCode::UnsupportedMediaType,
                "file",
                "unsupported_type",
                "a package must be an APK, or an IPA, HAP or ZIP (a ZIP archive)",
            ),
            Refusal::QuotaExceeded(quota) => AppError::field(
                ErrorCode::PayloadTooLarge,
                "file",
                "quota_exceeded",
                format!(
                    "your uploads may take {quota} bytes in all; delete some you no longer use (DELETE /uploads/{{id}})"
                ),
            ),
            Refusal::InUse => AppError::new(
                ErrorCode::Conflict,
                "the upload is still in use (a post, profile, circle or message shows it); remove it there first",
            ),
        }
    }
}
