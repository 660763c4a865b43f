//! Prizes coins redeem, and their claims: a prize's stock never goes below
//! zero; a claim keeps what was paid and, for a physical prize, the
//! winner's delivery details (encrypted) until the tax period after
//! delivery ends. Notifications, and the ledger entries that pay or
//! refund a claim, point at it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    ClaimId,
}

#[derive(DeriveIden, Clone, Copy)]
enum CoinLedger {
    Table,
    ClaimId,
}

#[derive(DeriveIden, Clone, Copy)]
enum RewardPrizes {
    Table,
    Id,
    Name,
    Description,
    ImageUrl,
    Kind,
    Price,
    Stock,
    PerUserLimit,
    StartsAt,
    EndsAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RewardClaims {
    Table,
    Id,
    PrizeId,
    UserId,
    ClientId,
    Price,
    Status,
    RealName,
    NationalId,
    ContactPhone,
    ShippingAddress,
    GuardianConsentAt,
    Carrier,
    TrackingNumber,
    CreatedAt,
    SubmittedAt,
    ShippedAt,
    DeliveredAt,
    CancelledAt,
    DetailsErasedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RewardPrizes::Table)
                    .col(string_len(RewardPrizes::Id, 36).primary_key())
                    .col(text(RewardPrizes::Name))
                    .col(text(RewardPrizes::Description))
                    .col(text_null(RewardPrizes::ImageUrl))
                    .col(string_len(RewardPrizes::Kind, 16))
                    .col(big_integer(RewardPrizes::Price))
                    .col(big_integer(RewardPrizes::Stock))
                    .col(integer(RewardPrizes::PerUserLimit))
                    .col(timestamp_with_time_zone(RewardPrizes::StartsAt))
                    .col(timestamp_with_time_zone_null(RewardPrizes::EndsAt))
                    .col(timestamp_with_time_zone(RewardPrizes::CreatedAt))
                    .col(timestamp_with_time_zone(RewardPrizes::UpdatedAt))
                    .check(Expr::col(RewardPrizes::Stock).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RewardClaims::Table)
                    .col(string_len(RewardClaims::Id, 36).primary_key())
                    .col(string_len(RewardClaims::PrizeId, 36))
                    .col(string_len(RewardClaims::UserId, 36))
                    .col(string_len(RewardClaims::ClientId, 64))
                    .col(big_integer(RewardClaims::Price))
                    .col(string_len(RewardClaims::Status, 20))
                    .col(text_null(RewardClaims::RealName))
                    .col(text_null(RewardClaims::NationalId))
                    .col(text_null(RewardClaims::ContactPhone))
                    .col(text_null(RewardClaims::ShippingAddress))
                    .col(timestamp_with_time_zone_null(
                        RewardClaims::GuardianConsentAt,
                    ))
                    .col(text_null(RewardClaims::Carrier))
                    .col(text_null(RewardClaims::TrackingNumber))
                    .col(timestamp_with_time_zone(RewardClaims::CreatedAt))
                    .col(timestamp_with_time_zone_null(RewardClaims::SubmittedAt))
                    .col(timestamp_with_time_zone_null(RewardClaims::ShippedAt))
                    .col(timestamp_with_time_zone_null(RewardClaims::DeliveredAt))
                    .col(timestamp_with_time_zone_null(RewardClaims::CancelledAt))
                    .col(timestamp_with_time_zone_null(RewardClaims::DetailsErasedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RewardClaims::Table, RewardClaims::PrizeId)
                            .to(RewardPrizes::Table, RewardPrizes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RewardClaims::Table, RewardClaims::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_reward_claims_client",
                [RewardClaims::UserId, RewardClaims::ClientId],
            ),
            (
                "idx_reward_claims_user",
                [RewardClaims::UserId, RewardClaims::Id],
            ),
            (
                "idx_reward_claims_status",
                [RewardClaims::Status, RewardClaims::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(RewardClaims::Table);
            for col in cols {
                index.col(col);
            }
            if name == "idx_reward_claims_client" {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(CoinLedger::Table)
                    .add_column(string_len_null(CoinLedger::ClaimId, 36))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(string_len_null(Notifications::ClaimId, 36))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::ClaimId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CoinLedger::Table)
                    .drop_column(CoinLedger::ClaimId)
                    .to_owned(),
            )
            .await?;
        for table in [
            RewardClaims::Table.into_iden(),
            RewardPrizes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
