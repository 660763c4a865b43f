//! Community: circles, posts, comments, likes and feeds.
pub mod circles;
pub mod circles_api;
pub mod comments;
pub mod comments_api;
pub mod dto;
pub mod feeds;
pub mod likes;
pub mod posts;
pub mod posts_api;
