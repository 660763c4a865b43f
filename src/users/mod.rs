//! Profiles: my account, public profiles, and the admin view of users.
pub mod api;
pub mod dto;
pub mod personal;
pub mod service;
