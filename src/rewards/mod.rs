//! Rewards: tasks that earn coins, and the coin ledger. Admins define
//! tasks; users check in once a day; the ledger is append-only, keyed by
//! the event behind each entry (nothing is credited twice) and its balance
//! never goes below zero; admins correct it with a reason, audited.
//! Prizes, partner tasks, delivery and membership levels come next.
pub mod admin_api;
pub mod api;
pub mod ledger;
pub mod personal;
pub mod refusals;
pub mod tasks;
pub mod views;

use std::sync::Arc;

/// Coins as personal data.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::CoinData));
}
