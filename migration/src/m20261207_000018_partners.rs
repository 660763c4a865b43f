//! Partners whose apps or games a task asks users to try: each signs its
//! callbacks with a secret agora keeps encrypted. A task names its partner,
//! and how often one user is credited for it, per day and ever.
//! A ticket handed in is remembered by its random id until it expires.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum RewardPartners {
    Table,
    Id,
    Name,
    Secret,
    CreatedAt,
    DisabledAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RewardTicketUses {
    Table,
    TicketId,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RewardTasks {
    Table,
    PartnerId,
    PerDay,
    PerUserEver,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RewardPartners::Table)
                    .col(string_len(RewardPartners::Id, 36).primary_key())
                    .col(text(RewardPartners::Name))
                    .col(text(RewardPartners::Secret))
                    .col(timestamp_with_time_zone(RewardPartners::CreatedAt))
                    .col(timestamp_with_time_zone_null(RewardPartners::DisabledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RewardTicketUses::Table)
                    .col(string_len(RewardTicketUses::TicketId, 36).primary_key())
                    .col(timestamp_with_time_zone(RewardTicketUses::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RewardTasks::Table)
                    .add_column(string_len_null(RewardTasks::PartnerId, 36))
                    .to_owned(),
            )
            .await?;
        // One statement per column: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(RewardTasks::Table)
                    .add_column(integer(RewardTasks::PerDay).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(RewardTasks::Table)
                    .add_column(integer_null(RewardTasks::PerUserEver))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RewardTasks::Table)
                    .drop_column(RewardTasks::PartnerId)
                    .to_owned(),
            )
            .await?;
        for column in [RewardTasks::PerDay, RewardTasks::PerUserEver] {
            manager
                .alter_table(
                    Table::alter()
                        .table(RewardTasks::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            RewardTicketUses::Table.into_iden(),
            RewardPartners::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
