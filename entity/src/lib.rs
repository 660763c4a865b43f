//! sea-orm entities, one file per table. Entities never leave the service
//! layer: the API maps them to its own DTOs.
pub mod circle_members;
pub mod circles;
pub mod comment_likes;
pub mod comments;
pub mod consent_receipts;
pub mod consents;
pub mod follows;
pub mod moderation_log;
pub mod notice_versions;
pub mod post_images;
pub mod post_likes;
pub mod post_revisions;
pub mod posts;
pub mod processing_log;
pub mod reports;
pub mod search_history;
pub mod search_outbox;
pub mod sessions;
pub mod sms_codes;
pub mod uploads;
pub mod user_locations;
pub mod users;
