//! Data rights, running over every area through what each registered:
//! my consents and the notice, the export, deregistration with its
//! cooling-off, and the purge that carries out due erasures and the
//! retention rules.
pub mod api;
pub mod catalog_api;
pub mod deregistration;
pub mod personal;
pub mod privacy_api;
pub mod purge;

pub use personal::register;
