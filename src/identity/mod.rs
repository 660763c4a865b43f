//! Identity: accounts, SMS codes, sessions and caller resolution, roles,
//! profiles, and the public read models of a user that every area shows.
pub mod account_data;
pub mod accounts;
pub mod auth_api;
pub mod guard;
pub mod password;
pub mod phone;
pub mod profile_data;
pub mod profiles;
pub mod sessions;
pub mod sms_codes;
pub mod users_api;
pub mod views;

pub use guard::{AuthUser, BearerAuth, Role};
