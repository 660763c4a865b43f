//! `POST /uploads`.
use poem::web::Data;
use poem_openapi::{
    payload::Json, types::multipart::Upload, ApiResponse, Multipart, Object, OpenApi,
};

use crate::{
    api::ApiTags,
    auth::BearerAuth,
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
};

pub struct UploadsApi;

#[derive(Debug, Multipart)]
pub struct UploadForm {
    /// The file: a JPEG, PNG, WebP or GIF image up to 10 MiB. The type is
    /// decided from the bytes, not the name; metadata (EXIF, GPS) is removed.
    /// privacy: uploaded_media for posting, required
    pub file: Upload,
}

#[derive(Debug, Object)]
pub struct UploadView {
    pub id: String,
    /// Where the stored file can be fetched.
    pub url: String,
    /// `image`.
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
    /// Upload an image (multipart, field `file`).
    #[oai(path = "/", method = "post", operation_id = "uploads_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        form: UploadForm,
    ) -> AppResult<UploadResponse> {
        let limit = state.config.upload_image_limit;
        if form.file.size() > limit {
            return Err(AppError::field(
                ErrorCode::PayloadTooLarge,
                "file",
                "too_large",
                format!("must be at most {limit} bytes"),
            ));
        }
        let data = form.file.into_vec().await.map_err(AppError::internal)?;
        let upload = super::service::store_image(&state, &auth.0.id, data).await?;
        Ok(UploadResponse::Created(Json(UploadView {
            url: state.config.media_url(&upload.storage_key),
            id: upload.id,
            kind: upload.kind,
            content_type: upload.content_type,
            bytes: upload.bytes,
        })))
    }
}
