//! Search: the endpoint over the index, the search history users can see
//! and delete (recorded only with the optional `search_history` grant), and
//! the outbox that keeps the index in step with the database.
pub mod api;
pub mod history;
pub mod outbox;

use std::sync::Arc;

/// Search history as personal data and its withdrawal eraser; after a
/// purge, the index applies the deletions and compacts.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(history::HistoryData))
        .eraser(Arc::new(history::HistoryEraser))
        .hook(Arc::new(outbox::IndexHook));
}
