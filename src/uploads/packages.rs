//! Beta builds' packages (admins, `POST /uploads/packages`): a ZIP-based
//! package — an Android APK, or an IPA, HAP or plain ZIP — up to
//! `upload_package_limit`, streamed to storage and private from the first
//! byte. A beta program takes one over ([`take`]): the upload's row goes
//! and the file becomes the build's, served only through testers' links.
use entity::{
    enums::{UploadKind, UploadPurpose},
    uploads,
};
use poem_openapi::types::multipart::Upload;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{
    refusals::Refusal,
    service::{read_head, stream_and_record},
};
use crate::{
    error::AppResult,
    ids::{UploadId, UserId},
    state::AppState,
};

/// What a package is, from its first bytes: an APK names its manifest
/// among the first entries; any other ZIP is kept as a ZIP.
fn package_type(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if !infer::archive::is_zip(head) {
        return None;
    }
    let manifest = b"AndroidManifest.xml";
    if head.windows(manifest.len()).any(|w| w == manifest) {
        Some(("application/vnd.android.package-archive", "apk"))
    } else {
        Some(("application/zip", "zip"))
    }
}

/// Stores a package; it does not count against the admin's own quota (it
/// is the program's, not theirs), only against the package limit.
pub async fn store(
    state: &AppState,
    owner_id: &UserId,
    upload: Upload,
) -> AppResult<uploads::Model> {
    let limit = state.config.upload_package_limit;
    if upload.size() > limit {
        return Err(Refusal::TooLarge(limit).into());
    }
    let mut file = upload.into_file();
    let head = read_head(&mut file).await?;
    let (mime, ext) = package_type(&head).ok_or(Refusal::NotAPackage)?;
    let what = (UploadKind::File, mime, ext);
    stream_and_record(state, owner_id.as_str(), UploadPurpose::Package, file, what).await
}

/// A package taken over: its file, now its new owner's to serve and delete.
pub struct Package {
    pub storage_key: String,
    pub content_type: String,
    pub bytes: i64,
}

/// Takes a package upload over inside the caller's transaction: its row
/// goes, so that neither the orphan sweep nor its uploader's erasure
/// touches the file. `None` when `id` is no package (or was taken).
pub async fn take(txn: &DatabaseTransaction, id: &UploadId) -> AppResult<Option<Package>> {
    let Some(row) = uploads::Entity::find_by_id(id.as_str())
        .filter(uploads::Column::Purpose.eq(UploadPurpose::Package))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let done = uploads::Entity::delete_by_id(row.id).exec(txn).await?;
    if done.rows_affected == 0 {
        return Ok(None);
    }
    Ok(Some(Package {
        storage_key: row.storage_key,
        content_type: row.content_type,
        bytes: row.bytes,
    }))
}

#[cfg(test)]
mod tests {
    use super::package_type;

    #[test]
    fn an_apk_is_told_from_another_zip_and_anything_else_is_no_package() {
        let mut apk = b"PK\x03\x04".to_vec();
        apk.extend_from_slice(&[0; 26]);
        apk.extend_from_slice(b"AndroidManifest.xml");
        assert_eq!(package_type(&apk).map(|t| t.1), Some("apk"));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend_from_slice(&[0; 26]);
        zip.extend_from_slice(b"Payload/App.app/Info.plist");
        assert_eq!(package_type(&zip).map(|t| t.1), Some("zip"));
        assert_eq!(package_type(b"%PDF-1.7 AndroidManifest.xml"), None);
    }
}
