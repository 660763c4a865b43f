//! sea-orm entities, one file per table. Entities never leave the service
//! layer: the API maps them to its own DTOs.
pub mod sessions;
pub mod sms_codes;
pub mod uploads;
pub mod users;
