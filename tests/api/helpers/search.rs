//! Endpoint helpers for search.
use serde_json::Value;

use super::{drain_outbox, ids_of, items_of, TestApp};

/// Applies the outbox now instead of waiting for the worker's next tick.
pub async fn sync(app: &TestApp) {
    drain_outbox(app).await;
}

/// `q=<text>`, percent-encoded.
pub fn q(text: &str) -> String {
    format!("q={}", urlencode(text))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TestApp {
    /// The hits of an anonymous search with this query string.
    pub async fn search(&self, query: &str) -> Vec<Value> {
        items_of(&self.get_json(&format!("/search?{query}")).await)
    }

    /// The ids of the hits of an anonymous search.
    pub async fn search_ids(&self, query: &str) -> Vec<String> {
        ids_of(&self.search(query).await)
    }
}
