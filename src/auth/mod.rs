//! Accounts, SMS codes, sessions, passwords, roles and guards.
pub mod api;
pub mod guard;
pub mod password;
pub mod personal;
pub mod phone;
pub mod service;
pub mod sessions;
pub mod sms_codes;

pub use guard::{AuthUser, BearerAuth, Role};
