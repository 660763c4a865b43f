//! agora: a community-forum backend with privacy by construction.
pub mod api;
pub mod cli;
pub mod community;
pub mod config;
pub mod error;
pub mod identity;
pub mod ids;
pub mod messages;
pub mod openapi;
pub mod platform;
pub mod privacy;
pub mod rights;
pub mod search;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod uploads;
