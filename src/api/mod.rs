//! Plumbing shared by every area: the JSON payload, schema validation,
//! pagination, the client context, problem mapping of framework errors and
//! the reason staff give for what they do.
pub mod caller;
pub mod client;
pub mod csv;
pub mod errors;
pub mod examples;
pub mod json;
pub mod limits;
pub mod page;
pub mod reason;
pub mod stored;
pub mod text;
pub mod validate;

pub use client::ClientInfo;
pub use json::JsonBody;
pub use page::{Cursor, PageParams};

use std::time::Duration;

use poem_openapi::Tags;

use crate::{
    error::{AppError, AppResult},
    platform::ratelimit::ActionClass,
    state::AppState,
};

/// Marks a `HEAD` request: poem answers it with the `GET` handler (the
/// method is rewritten before the handler runs), so a handler whose `GET`
/// has effects reads this to do nothing.
#[derive(Clone, Copy, Debug)]
pub struct HeadRequest;

/// Where every operation of the API lives.
pub const BASE_PATH: &str = "/api/v1";

/// One tag per area.
#[derive(Tags)]
pub enum ApiTags {
    /// Accounts, SMS codes, sessions.
    Auth,
    /// My account and profile.
    Me,
    /// Public profiles.
    Users,
    /// Images and files.
    Uploads,
    /// Moderator and admin tools.
    Admin,
    /// The data catalog, the notice, my consents and what was processed.
    Privacy,
    /// Search and my search history.
    Search,
    /// Circles, posts, comments, likes and feeds.
    Community,
    /// Private messages, blocks, presence, notifications and the realtime socket.
    Messages,
    /// Official events and help groups, and taking part in them.
    Events,
    /// Tasks, coins and prizes.
    Rewards,
    /// Beta programs: applying, and where my applications stand.
    Beta,
}

/// A PATCH field: `None` leaves it alone, `Some(None)` clears it.
pub fn patch_field<T>(value: poem_openapi::types::MaybeUndefined<T>) -> Option<Option<T>> {
    use poem_openapi::types::MaybeUndefined;
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// 429 with `Retry-After` when `key` is over its quota for `class`.
pub async fn check_limit(state: &AppState, class: ActionClass, key: &str) -> AppResult<()> {
    state
        .limiter
        .check(class, key)
        .await
        .map_err(|wait| AppError::rate_limited(retry_after_secs(wait)))
}

/// Whole seconds, rounded up, at least one.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}
