//! Keyset pagination: `?cursor=&limit=` (1–50, default 20) → `{items, next_cursor}`.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use poem_openapi::{types::ToJSON, Object};

use crate::error::AppError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 50;
/// The longest cursor the API hands out is far shorter; a longer one is
/// refused unread.
pub const MAX_CURSOR_LEN: usize = 512;

/// A page of results; pass `next_cursor` back as `cursor` for the next one.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Page<T: ToJSON + poem_openapi::types::ParseFromJSON> {
    pub items: Vec<T>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// Limit and cursor as read from the query.
pub struct PageParams {
    pub limit: u64,
    pub after: Option<String>,
}

impl PageParams {
    pub fn parse(cursor: Option<String>, limit: Option<u32>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(Cursor::decode(&c)?),
            None => None,
        };
        Ok(Self {
            limit: u64::from(limit),
            after,
        })
    }
}

/// An opaque cursor wrapping the last key of a page.
pub struct Cursor;

impl Cursor {
    pub fn encode(key: &str) -> String {
        URL_SAFE_NO_PAD.encode(key)
    }

    pub fn decode(cursor: &str) -> Result<String, AppError> {
        Some(cursor)
            .filter(|c| c.len() <= MAX_CURSOR_LEN)
            .and_then(|c| URL_SAFE_NO_PAD.decode(c).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| AppError::invalid("cursor", "invalid", "is not a cursor from this API"))
    }
}

/// Cuts the extra row fetched to learn whether a next page exists, and
/// makes the cursor from the last row kept.
pub fn split_page<R>(
    mut rows: Vec<R>,
    limit: u64,
    key: impl Fn(&R) -> String,
) -> (Vec<R>, Option<String>) {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        let next = rows.last().map(|r| Cursor::encode(&key(r)));
        (rows, next)
    } else {
        (rows, None)
    }
}
