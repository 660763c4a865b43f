//! One integration-test binary, a module per area. Each test runs the real
//! server on 127.0.0.1:0 with its own data dir (and database and key
//! prefix on PostgreSQL/Redis).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod cli;
mod community;
mod community_more;
mod database;
mod deregistration;
mod errors;
mod export;
mod health;
mod helpers;
mod logs;
mod messages;
mod openapi;
mod pii_sweep;
mod privacy;
mod profile;
mod rate_limits;
mod realtime;
mod retention;
mod roles;
mod search;
mod search_comments;
mod sessions;
mod uploads;
