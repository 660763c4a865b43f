//! Private messages: conversations, messages of every kind, read state,
//! recall, blocks, presence, realtime delivery and notifications for
//! whoever is offline.
pub mod api;
pub mod blocks;
pub mod conversations;
pub mod dto;
pub mod events;
pub mod notifications;
pub mod people_api;
pub mod personal;
pub mod realtime;
pub mod service;
