//! Community: circles, posts, comments, likes and feeds.
pub mod audit_api;
pub mod cached;
pub mod circles;
pub mod circles_api;
pub mod closed;
pub mod comments;
pub mod comments_api;
pub mod documents;
pub mod dto;
pub mod erasure;
pub mod feed_cache;
pub mod feeds;
pub mod feeds_api;
pub mod follows;
pub mod follows_api;
pub mod likes;
pub mod moderation;
pub mod moderation_api;
pub mod personal;
pub mod posts;
pub mod posts_api;
pub mod references;
pub mod refusals;
pub mod retention;
pub mod seed;

use std::sync::Arc;

/// Community content as personal data, its retention rules, and its part
/// in an erasure: content under an open report is held, feed pages that
/// showed erased content are dropped.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::CommunityData))
        .retention_rule(Arc::new(retention::DeletedContent))
        .retention_rule(Arc::new(retention::DiagnosticLogs))
        .retention_rule(Arc::new(retention::ReportReasons))
        .eraser(Arc::new(retention::LogEraser))
        .hook(Arc::new(erasure::CommunityHook));
}

/// Opens the closed circles other areas ask for (a beta program's feedback
/// circle).
pub fn closed_circles() -> Arc<dyn crate::platform::gates::ClosedCircles> {
    Arc::new(closed::CommunityCircles)
}

/// Images, logs and icons, as references to uploads.
pub fn upload_references() -> Arc<dyn crate::platform::references::UploadReferences> {
    Arc::new(references::CommunityUploads)
}

/// What community hears: an author's changed card drops the cached copies
/// that show it.
pub fn subscribers() -> Vec<Arc<dyn crate::platform::facts::Subscriber>> {
    vec![Arc::new(cached::AuthorCopies)]
}

/// Posts, comments and circles as the search index should hold them.
pub fn documents() -> Arc<dyn crate::platform::documents::DocumentSource> {
    Arc::new(documents::CommunityDocuments)
}
