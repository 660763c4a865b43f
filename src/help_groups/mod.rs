//! Help groups (米粉互助组): admins define groups for a city or a product
//! and name their managers; users apply with a contact phone, a QQ number
//! and, if they like, a WeChat ID; managers approve, reject and remove,
//! seeing contact details masked unless they reveal one with a reason that
//! lands in the audit log and the applicant's processing log. What an
//! applicant gave goes 90 days after a rejection, or after leaving.
pub mod admin_api;
pub mod api;
pub mod applications;
pub mod guard;
pub mod personal;
pub mod refusals;
pub mod review;
pub mod review_api;
pub mod store;
pub mod views;

use std::sync::Arc;

/// Applications as personal data, their withdrawal eraser and their
/// retention rule.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::ApplicationData))
        .eraser(Arc::new(personal::ApplicationEraser))
        .retention_rule(Arc::new(personal::AfterRejectionOrLeaving));
}
