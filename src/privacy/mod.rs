//! The consent layer: catalog, field tags, enforcement, consents and
//! receipts, the processing log and the generated notice.
pub mod access;
pub mod catalog;
pub mod consents;
pub mod log;
pub mod middleware;
pub mod notice;
pub mod personal;
pub mod policy;
pub mod receipts;
pub mod registry;
pub mod retention;
pub mod spec;
pub mod tags;

pub use middleware::Subject;

use std::sync::Arc;

/// The consent layer's own records as personal data.
pub fn register(r: &mut registry::Registries) {
    r.personal_data(Arc::new(personal::ConsentData));
}
