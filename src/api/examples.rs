//! Values the spec's examples share (`#[oai(example)]` on a payload and an
//! `impl Example` beside it): fixed, so the committed spec is stable.
use chrono::{DateTime, TimeZone, Utc};

pub use crate::ids::example_uuid as id;

/// The notice version the examples show: the real one is a hash of the
/// notice's text (`privacy::notice::version`), which is written only once
/// the spec is built.
pub const NOTICE_VERSION: &str = "3f9a1c2e7b40d815";

/// A moment in late November 2026, UTC.
pub fn time(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .unwrap_or_default()
}

/// A public media link as the server writes it.
pub fn media_url(key: &str) -> String {
    format!("https://forum.example.com/media/{key}")
}
