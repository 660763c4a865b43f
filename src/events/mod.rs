//! Official events: staff publish them with the registration items each
//! needs (catalog items of `event_registration`, each with a reason);
//! users register with exactly those, see where they stand and withdraw.
//! National ID numbers are validated, encrypted and blind-indexed (one
//! registration per person per event); registrants under 14 wait for a
//! guardian; what registrants gave goes after the event (retention).
pub mod admin_api;
pub mod api;
pub mod calendar_api;
pub mod personal;
pub mod refusals;
pub mod registrations;
pub mod review;
pub mod review_api;
pub mod store;
pub mod views;

use std::sync::Arc;

/// Registrations as personal data, their withdrawal eraser and their
/// retention rule.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::RegistrationData))
        .eraser(Arc::new(personal::RegistrationEraser))
        .retention_rule(Arc::new(personal::AfterTheEvent));
}

/// Event covers, for the media layer.
pub fn upload_references() -> Arc<dyn crate::platform::references::UploadReferences> {
    Arc::new(personal::EventUploads)
}
