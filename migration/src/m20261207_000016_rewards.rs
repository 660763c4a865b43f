//! Rewards: tasks admins define, and the coin ledger. The ledger is
//! append-only (credits, debits, reversals), each entry with a key unique
//! to the event that caused it, so nothing is credited twice; each user's
//! balance is kept beside it and never goes below zero.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum RewardTasks {
    Table,
    Id,
    Kind,
    Title,
    Description,
    Coins,
    StartsAt,
    EndsAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CoinAccounts {
    Table,
    UserId,
    Balance,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CoinLedger {
    Table,
    Id,
    UserId,
    Kind,
    Amount,
    BalanceAfter,
    TaskId,
    IdempotencyKey,
    Reason,
    StaffId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RewardTasks::Table)
                    .col(string_len(RewardTasks::Id, 36).primary_key())
                    .col(string_len(RewardTasks::Kind, 16))
                    .col(text(RewardTasks::Title))
                    .col(text(RewardTasks::Description))
                    .col(big_integer(RewardTasks::Coins))
                    .col(timestamp_with_time_zone(RewardTasks::StartsAt))
                    .col(timestamp_with_time_zone_null(RewardTasks::EndsAt))
                    .col(timestamp_with_time_zone(RewardTasks::CreatedAt))
                    .col(timestamp_with_time_zone(RewardTasks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CoinAccounts::Table)
                    .col(string_len(CoinAccounts::UserId, 36).primary_key())
                    .col(big_integer(CoinAccounts::Balance))
                    .col(timestamp_with_time_zone(CoinAccounts::UpdatedAt))
                    .check(Expr::col(CoinAccounts::Balance).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoinAccounts::Table, CoinAccounts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CoinLedger::Table)
                    .col(string_len(CoinLedger::Id, 36).primary_key())
                    .col(string_len(CoinLedger::UserId, 36))
                    .col(string_len(CoinLedger::Kind, 16))
                    .col(big_integer(CoinLedger::Amount))
                    .col(big_integer(CoinLedger::BalanceAfter))
                    .col(string_len_null(CoinLedger::TaskId, 36))
                    .col(string_len(CoinLedger::IdempotencyKey, 200).unique_key())
                    .col(text_null(CoinLedger::Reason))
                    .col(string_len_null(CoinLedger::StaffId, 36))
                    .col(timestamp_with_time_zone(CoinLedger::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoinLedger::Table, CoinLedger::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coin_ledger_user")
                    .table(CoinLedger::Table)
                    .col(CoinLedger::UserId)
                    .col(CoinLedger::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CoinLedger::Table.into_iden(),
            CoinAccounts::Table.into_iden(),
            RewardTasks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
