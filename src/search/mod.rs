//! Search: the endpoint over the index, the search history users can see
//! and delete (recorded only with the optional `search_history` grant), and
//! the outbox that keeps the index in step with the database.
pub mod api;
mod documents;
pub mod history;
pub mod outbox;
