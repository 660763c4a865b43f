//! The outside world, each piece behind a small trait with an embedded
//! default and a real engine that pass the same tests.
pub mod cache;
pub mod copies;
pub mod crypto;
pub mod db;
pub mod documents;
pub mod facts;
pub mod files;
pub mod gates;
pub mod lease;
pub mod outbox;
pub mod ratelimit;
pub mod realtime;
pub mod references;
pub mod search_index;
pub mod sms;
pub mod storage;
pub mod tls;
