//! Community: circles, posts, comments, likes and feeds.
pub mod circles;
pub mod circles_api;
pub mod comments;
pub mod comments_api;
pub mod dto;
pub mod erasure;
pub mod feeds;
pub mod follows;
pub mod follows_api;
pub mod likes;
pub mod moderation;
pub mod moderation_api;
pub mod personal;
pub mod posts;
pub mod posts_api;
pub mod seed;
