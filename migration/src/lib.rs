//! Schema migrations, one file per change. A migration that has landed is
//! never edited: add a new one instead.
pub use sea_orm_migration::prelude::*;

mod m20261124_000001_accounts;
mod m20261124_000002_privacy;
mod m20261124_000003_community;
mod m20261124_000004_follows_reports;
mod m20261124_000005_search_outbox;
mod m20261129_000006_messages;
mod m20261129_000007_job_leases;
mod m20261129_000008_deregistration;
mod m20261206_000009_upload_purpose;
mod m20261207_000010_upload_claimed;
mod m20261207_000011_events;
mod m20261207_000012_staff_actions;
mod m20261207_000013_guardian_consents;
mod m20261207_000014_help_groups;
mod m20261207_000015_event_counts;
mod m20261207_000016_rewards;
mod m20261207_000017_prizes;
mod m20261207_000018_partners;
mod m20261207_000019_experience;
mod m20261207_000020_beta;
mod m20261208_000021_beta_builds;
mod m20261208_000022_closed_circles;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_accounts::Migration),
            Box::new(m20261124_000002_privacy::Migration),
            Box::new(m20261124_000003_community::Migration),
            Box::new(m20261124_000004_follows_reports::Migration),
            Box::new(m20261124_000005_search_outbox::Migration),
            Box::new(m20261129_000006_messages::Migration),
            Box::new(m20261129_000007_job_leases::Migration),
            Box::new(m20261129_000008_deregistration::Migration),
            Box::new(m20261206_000009_upload_purpose::Migration),
            Box::new(m20261207_000010_upload_claimed::Migration),
            Box::new(m20261207_000011_events::Migration),
            Box::new(m20261207_000012_staff_actions::Migration),
            Box::new(m20261207_000013_guardian_consents::Migration),
            Box::new(m20261207_000014_help_groups::Migration),
            Box::new(m20261207_000015_event_counts::Migration),
            Box::new(m20261207_000016_rewards::Migration),
            Box::new(m20261207_000017_prizes::Migration),
            Box::new(m20261207_000018_partners::Migration),
            Box::new(m20261207_000019_experience::Migration),
            Box::new(m20261207_000020_beta::Migration),
            Box::new(m20261208_000021_beta_builds::Migration),
            Box::new(m20261208_000022_closed_circles::Migration),
        ]
    }
}
