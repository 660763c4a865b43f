//! Uploads: content sniffed from the bytes, metadata stripped, stored in the
//! media store and served from `/media/{key}`.
pub mod api;
pub mod lifecycle;
pub mod media;
pub mod packages;
pub mod personal;
pub mod refusals;
pub mod service;
pub mod strip;
pub mod strip_video;

use std::sync::Arc;

/// Uploads as personal data.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::UploadsData))
        .retention_rule(Arc::new(lifecycle::UnclaimedUploads));
}

/// What the media layer subscribes to: uploads an area stopped using.
pub fn subscribers() -> Vec<Arc<dyn crate::platform::facts::Subscriber>> {
    vec![Arc::new(lifecycle::ReleaseSubscriber)]
}
