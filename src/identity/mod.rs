//! Identity: accounts, SMS codes, sessions and caller resolution, roles,
//! profiles, and the public read models of a user that every area shows.
pub mod account_data;
pub mod accounts;
pub mod auth_api;
pub mod auth_forms;
pub mod blocks;
pub mod caller;
pub mod copies;
pub mod documents;
pub mod guard;
pub mod guardian;
pub mod guardian_api;
pub mod masking;
pub mod membership;
pub mod national_id;
pub mod password;
pub mod phone;
pub mod profile_data;
pub mod profiles;
pub mod references;
pub mod refusals;
pub mod retention;
pub mod sessions;
pub mod sessions_api;
pub mod sms_codes;
pub mod social_data;
pub mod users_api;
pub mod views;

pub use guard::{AdminAuth, AuthUser, BearerAuth, ModeratorAuth, Role};

use std::sync::Arc;

use crate::privacy::registry::Registries;

/// The profile and the account as personal data, the location eraser, and
/// the retention rules of sessions and SMS codes.
pub fn register(r: &mut Registries) {
    r.personal_data(Arc::new(profile_data::ProfileData))
        .personal_data(Arc::new(account_data::AccountData))
        .personal_data(Arc::new(social_data::SocialGraphData))
        .personal_data(Arc::new(guardian::GuardianData))
        .eraser(Arc::new(profiles::LocationEraser))
        .eraser(Arc::new(sessions::DeviceEraser))
        .retention_rule(Arc::new(retention::EndedSessions))
        .retention_rule(Arc::new(retention::SmsCodes));
}

/// What identity hears: an erased or closed profile's kept copy goes.
pub fn subscribers() -> Vec<Arc<dyn crate::platform::facts::Subscriber>> {
    vec![Arc::new(copies::ProfileCopies)]
}

/// Avatars, as references to uploads.
pub fn upload_references() -> Arc<dyn crate::platform::references::UploadReferences> {
    Arc::new(references::Avatars)
}

/// Profiles as the search index should hold them.
pub fn documents() -> Arc<dyn crate::platform::documents::DocumentSource> {
    Arc::new(documents::ProfileDocuments)
}
