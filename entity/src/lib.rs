//! sea-orm entities, one file per table. Entities never leave the service
//! layer: the API maps them to its own DTOs.
pub mod consent_receipts;
pub mod consents;
pub mod notice_versions;
pub mod processing_log;
pub mod search_history;
pub mod sessions;
pub mod sms_codes;
pub mod uploads;
pub mod user_locations;
pub mod users;
