//! Search. For now: the search history users can see and delete (recorded
//! only with the optional `search_history` grant); the search endpoint
//! itself arrives with its own issue and records through `history::record`.
pub mod api;
pub mod history;
pub mod outbox;
