//! Retention rules: each enforces one line of the catalog's retention
//! column, run by the purge. Each area registers its own, with the period
//! read from the catalog ([`period`]).
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;

use super::{catalog, registry::AfterCommit};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

#[async_trait]
pub trait RetentionRule: Send + Sync + 'static {
    /// A short name for the log.
    fn name(&self) -> &'static str;
    /// Removes what is past its time from the database; returns how many
    /// rows went and what the purge must let go of outside it once that
    /// committed (files, caches), as an erasure does.
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit>;
}

#[derive(Clone, Default)]
pub struct Retention(Vec<Arc<dyn RetentionRule>>);

impl Retention {
    pub fn register(&mut self, rule: Arc<dyn RetentionRule>) {
        self.0.push(rule);
    }

    pub fn rules(&self) -> impl Iterator<Item = &Arc<dyn RetentionRule>> {
        self.0.iter()
    }
}

/// The catalog's retention period of `purpose`: a rule that enforces it
/// reads it here, so the notice and the job never disagree.
pub fn period(purpose: &str) -> AppResult<Duration> {
    catalog::retention_days(purpose)
        .map(Duration::days)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "the catalog states no retention period in days for `{purpose}`"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_periods_rules_enforce_are_stated_in_days_in_the_catalog() {
        // Read by identity's and community's rules.
        for purpose in [
            "browsing",
            "diagnostic_logs",
            "posting",
            "social",
            "prize_delivery",
        ] {
            assert!(period(purpose).is_ok(), "{purpose}");
        }
        assert_eq!(period("browsing").ok(), Some(Duration::days(90)));
        // The configured tax period is bounded by what the notice says.
        let max = i64::try_from(crate::config::PRIZE_DELIVERY_MAX_DAYS).unwrap();
        assert_eq!(period("prize_delivery").ok(), Some(Duration::days(max)));
        // What an author deleted stays 30 days (moderation, mistakes).
        assert_eq!(period("posting").ok(), Some(Duration::days(30)));
        assert_eq!(period("social").ok(), Some(Duration::days(30)));
        assert!(period("no_such_purpose").is_err());
    }
}
