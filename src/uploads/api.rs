//! `POST /uploads`.
use poem::web::Data;
use poem_openapi::{
    payload::Json, types::multipart::Upload, ApiResponse, Multipart, Object, OpenApi,
};

use crate::{api::ApiTags, error::AppResult, identity::BearerAuth, state::AppState};

pub struct UploadsApi;

#[derive(Debug, Multipart)]
pub struct UploadForm {
    /// The file: a JPEG, PNG, WebP or GIF image (up to 10 MiB; metadata
    /// such as EXIF and GPS is removed), an MP4, MOV or WebM video (up to
    /// 100 MiB) or a PDF, ZIP, Office document or plain-text file (up to
    /// 20 MiB). The type is decided from the bytes, not the name.
    /// privacy: uploaded_media for posting, required
    pub file: Upload,
}

#[derive(Debug, Object)]
pub struct UploadView {
    pub id: String,
    /// Where the stored file can be fetched.
    pub url: String,
    /// `image`, `video` or `file`.
    pub kind: String,
    pub content_type: String,
    /// Size after metadata was removed.
    pub bytes: i64,
}

#[derive(ApiResponse)]
pub enum UploadResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<UploadView>),
}

#[OpenApi(prefix_path = "/uploads", tag = "ApiTags::Uploads")]
impl UploadsApi {
    /// Upload an image, a video or a file (multipart, field `file`).
    ///
    /// Large files are streamed to storage, never held whole in memory.
    #[oai(path = "/", method = "post", operation_id = "uploads_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: UploadForm,
    ) -> AppResult<UploadResponse> {
        let upload = super::service::store(&state, &auth.0.id, form.file).await?;
        Ok(UploadResponse::Created(Json(UploadView {
            url: state.config.media_url(&upload.storage_key),
            id: upload.id,
            kind: upload.kind,
            content_type: upload.content_type,
            bytes: upload.bytes,
        })))
    }
}
