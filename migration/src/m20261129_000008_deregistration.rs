//! Deregistration: requests with their cooling-off (kept, without personal
//! data, as proof once carried out), and the two markers on users that the
//! rest of the API reads.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    DeregisterAt,
    CommunityClosedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deregistrations {
    Table,
    Id,
    UserId,
    Scope,
    Content,
    RequestedAt,
    EffectiveAt,
    CancelledAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Users::DeregisterAt, Users::CommunityClosedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(timestamp_with_time_zone_null(col))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Deregistrations::Table)
                    .col(string_len(Deregistrations::Id, 36).primary_key())
                    .col(string_len_null(Deregistrations::UserId, 36))
                    .col(string_len(Deregistrations::Scope, 16))
                    .col(string_len(Deregistrations::Content, 16))
                    .col(timestamp_with_time_zone(Deregistrations::RequestedAt))
                    .col(timestamp_with_time_zone(Deregistrations::EffectiveAt))
                    .col(timestamp_with_time_zone_null(Deregistrations::CancelledAt))
                    .col(timestamp_with_time_zone_null(Deregistrations::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Deregistrations::Table, Deregistrations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deregistrations_due")
                    .table(Deregistrations::Table)
                    .col(Deregistrations::CompletedAt)
                    .col(Deregistrations::EffectiveAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Deregistrations::Table).to_owned())
            .await?;
        for col in [Users::DeregisterAt, Users::CommunityClosedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
