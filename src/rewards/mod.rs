//! Rewards: tasks that earn coins, the coin ledger, and prizes coins
//! redeem. Admins define tasks; users check in once a day; the ledger is
//! append-only, keyed by the event behind each entry (nothing is credited
//! twice) and its balance never goes below zero; admins correct it with a
//! reason, audited. Admins define prizes and their stock; a redemption
//! takes one unit and the price at once, never more claims than units;
//! winners of physical prizes give delivery details (sensitive, masked to
//! staff), kept the tax period after delivery.
//! Partners' tasks are credited by signed callbacks carrying a ticket
//! that names no one; membership levels grow with the coins tasks credit.
pub mod admin_api;
pub mod api;
pub mod cancellation;
pub mod claim_data;
pub mod claims;
pub mod claims_admin_api;
pub mod experience;
pub mod ledger;
pub mod partners;
pub mod partners_api;
pub mod personal;
pub mod prizes;
pub mod prizes_admin_api;
pub mod prizes_api;
pub mod redemption;
pub mod refusals;
pub mod shipping;
pub mod tasks;
pub mod views;

use std::sync::Arc;

/// Coins and claims as personal data; the claims' withdrawal eraser and
/// retention rule.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::CoinData))
        .personal_data(Arc::new(claim_data::ClaimData))
        .eraser(Arc::new(claim_data::ClaimEraser))
        .retention_rule(Arc::new(claim_data::AfterTheTaxPeriod))
        .personal_data(Arc::new(experience::ExperienceData))
        .retention_rule(Arc::new(partners::ExpiredTickets));
}

/// Post and comment tasks, credited from the community's facts;
/// posts, comments and likes received, as experience.
pub fn subscribers() -> Vec<Arc<dyn crate::platform::facts::Subscriber>> {
    vec![
        Arc::new(tasks::ActivitySubscriber),
        Arc::new(experience::ExperienceSubscriber),
    ]
}
