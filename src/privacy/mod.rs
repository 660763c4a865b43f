//! The consent layer: catalog, field tags, enforcement, consents and
//! receipts, the processing log and the generated notice.
pub mod api;
pub mod catalog;
pub mod consents;
pub mod log;
pub mod middleware;
pub mod notice;
pub mod spec;
pub mod tags;

pub use middleware::Subject;
