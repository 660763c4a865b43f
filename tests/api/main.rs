//! One integration-test binary, a module per area. Each test runs the real
//! server on 127.0.0.1:0 with its own data dir (and database and key
//! prefix on PostgreSQL/Redis). `helpers` holds the server, the endpoint
//! helpers tests speak in, and `skip` for tests that cannot run on this
//! run's backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

// accounts
mod auth;
mod profile;
mod roles;
mod sessions;
mod stored_values;

// privacy and data rights
mod consents;
mod deregistration;
mod export;
mod notice;
mod pii_sweep;
mod privacy_spec;
mod retention;
mod search_history;
mod search_snippets;

// community
mod caches;
mod circles;
mod feeds;
mod flood_control;
mod follows;
mod likes;
mod moderation;
mod posts;
mod seed;

// messages and realtime
mod attachments;
mod beta;
mod beta_builds;
mod beta_feedback;
mod beta_withdrawals;
mod blocking;
mod claims;
mod conversations;
mod event_review;
mod events;
mod help_groups;
mod instances;
mod membership;
mod messages;
mod notifications;
mod partners;
mod presence;
mod prizes;
mod realtime;
mod rewards;
mod rewards_journey;

// search, uploads
mod media_lifecycle;
mod search;
mod search_comments;
mod search_engine;
mod search_ranking;
mod uploads;
mod withdrawal;

// the platform
mod cli;
mod database;
mod errors;
mod files;
mod health;
mod logs;
mod openapi;
mod rate_limits;
mod readme;
mod tls;
