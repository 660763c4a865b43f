//! The consent layer: catalog, field tags, enforcement, consents and
//! receipts, the processing log and the generated notice.
pub mod api;
pub mod catalog;
pub mod consents;
pub mod deregistration;
pub mod log;
pub mod middleware;
pub mod notice;
pub mod personal;
pub mod purge;
pub mod registry;
pub mod retention;
pub mod rights_api;
pub mod spec;
pub mod tags;

pub use middleware::Subject;
