//! `POST /uploads` (media for posts, profiles, circles and messages),
//! `POST /uploads/logs` (diagnostic logs) and `DELETE /uploads/{id}`. Each form says what its file is
//! for, so that its privacy tag follows its use: a log is refused before a
//! byte of it is read unless `diagnostic_logs` is granted.
use entity::enums::UploadPurpose;
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::multipart::Upload, ApiResponse, Multipart, Object, OpenApi,
};

use super::media::MediaKind;
use crate::{
    api::ApiTags,
    error::AppResult,
    identity::{AdminAuth, BearerAuth},
    ids::{UploadId, UserId},
    state::AppState,
};

pub struct UploadsApi;

#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct UploadForm {
    /// The picture: a JPEG, PNG, WebP or GIF image (up to 10 MiB; metadata
    /// such as EXIF and GPS is removed). The type is decided from the
    /// bytes, not the name; anything else is a 415.
    /// privacy: uploaded_media for posting, required
    pub file: Upload,
}

#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct AvatarForm {
    /// The picture: a JPEG, PNG, WebP or GIF image (up to 10 MiB; metadata
    /// such as EXIF and GPS is removed). Public once it is my avatar.
    /// privacy: avatar for profile, required
    pub file: Upload,
}

#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct AttachmentForm {
    /// What I will send in a private message: a JPEG, PNG, WebP or GIF
    /// image (up to 10 MiB; metadata such as EXIF and GPS is removed), an
    /// MP4, MOV or WebM video (up to 100 MiB; MP4 and MOV lose their user
    /// data and location boxes, but a location recorded as a track of the
    /// video stays; WebM is kept as sent) or a PDF, ZIP, Office document or
    /// plain-text file (up to 20 MiB, kept as sent: an author name inside a
    /// document stays in it). The type is decided from the bytes, not the
    /// name. Private from the first byte: its link is signed and expires.
    /// privacy: message_media for direct_messages, required
    pub file: Upload,
}

#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct LogForm {
    /// The log: plain text or a ZIP (up to 20 MiB). Needs the optional
    /// `diagnostic_logs` grant; private (its link is signed and shown only
    /// to me and to moderators), kept 180 days, erased when the grant is
    /// withdrawn.
    /// privacy: diagnostic_log for diagnostic_logs, required
    pub file: Upload,
}

#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct PackageForm {
    /// A beta build's package: an APK, or an IPA, HAP or ZIP (a ZIP
    /// archive, decided from the bytes), up to the package limit (1 GiB
    /// unless configured). Private; a beta program takes it over with
    /// `POST /admin/beta/programs/{id}/builds`, and one not taken within a
    /// day is deleted.
    /// privacy: not personal
    pub file: Upload,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct UploadView {
    pub id: String,
    /// Where the stored file can be fetched; for a private upload, a
    /// signed link that expires.
    pub url: String,
    pub kind: MediaKind,
    pub content_type: String,
    /// Size after metadata was removed.
    pub bytes: i64,
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted: the row now, the file right after; its links stop working.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum UploadResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<UploadView>),
}

async fn store(
    state: &AppState,
    owner: &UserId,
    purpose: UploadPurpose,
    file: Upload,
) -> AppResult<UploadResponse> {
    let upload = super::service::store(state, owner, purpose, file).await?;
    Ok(UploadResponse::Created(Json(UploadView {
        url: super::media::upload_url(state, &upload),
        id: upload.id,
        kind: upload.kind.into(),
        content_type: upload.content_type,
        bytes: upload.bytes,
    })))
}

#[OpenApi(prefix_path = "/uploads", tag = "ApiTags::Uploads")]
impl UploadsApi {
    /// Upload an image for a post or a circle's icon (multipart, field
    /// `file`). Avatars, message attachments (videos, files) and
    /// diagnostic logs have forms of their own.
    ///
    /// Large files are streamed to storage, never held whole in memory.
    #[oai(path = "/", method = "post", operation_id = "uploads_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: UploadForm,
    ) -> AppResult<UploadResponse> {
        store(&state, &auth.0.id, UploadPurpose::Media, form.file).await
    }

    /// Upload a picture to use as my avatar (multipart, field `file`).
    #[oai(
        path = "/avatar",
        method = "post",
        operation_id = "uploads_create_avatar"
    )]
    async fn create_avatar(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: AvatarForm,
    ) -> AppResult<UploadResponse> {
        store(&state, &auth.0.id, UploadPurpose::Avatar, form.file).await
    }

    /// Upload an image, a video or a file to send in a private message
    /// (multipart, field `file`); private from the start.
    #[oai(
        path = "/attachments",
        method = "post",
        operation_id = "uploads_create_attachment"
    )]
    async fn create_attachment(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: AttachmentForm,
    ) -> AppResult<UploadResponse> {
        store(&state, &auth.0.id, UploadPurpose::Attachment, form.file).await
    }

    /// Delete one of my uploads that nothing shows any more (409 while a
    /// post, my profile, a circle or a message still does). Uploads never
    /// used are deleted on their own a day after they were made.
    #[oai(path = "/:id", method = "delete", operation_id = "uploads_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<UploadId>,
    ) -> AppResult<Deleted> {
        super::lifecycle::delete_mine(&state, &auth.0.id, &id.0).await?;
        Ok(Deleted::Done)
    }

    /// Upload a diagnostic log to attach to a feedback post (multipart,
    /// field `file`); needs the optional `diagnostic_logs` grant.
    #[oai(path = "/logs", method = "post", operation_id = "uploads_create_log")]
    async fn create_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: LogForm,
    ) -> AppResult<UploadResponse> {
        store(&state, &auth.0.id, UploadPurpose::Diagnostic, form.file).await
    }

    /// Upload a beta build's package (admin; multipart, field `file`),
    /// streamed to storage. Its link here is the uploader's own; testers
    /// get theirs once a program takes the package over as a build.
    #[oai(
        path = "/packages",
        method = "post",
        operation_id = "uploads_create_package"
    )]
    async fn create_package(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        form: PackageForm,
    ) -> AppResult<UploadResponse> {
        store(&state, &admin.0.id, UploadPurpose::Package, form.file).await
    }
}

impl poem_openapi::types::Example for UploadView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("UploadId"),
            url: crate::api::examples::media_url("p7/4e1d0c.webp"),
            kind: MediaKind::Image,
            content_type: "image/webp".into(),
            bytes: 184_320,
        }
    }
}
