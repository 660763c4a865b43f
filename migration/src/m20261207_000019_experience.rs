//! Why experience grew: one row per source event, unique per user, so
//! that nothing counts twice.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum ExperienceLog {
    Table,
    Id,
    UserId,
    Source,
    SourceKey,
    Points,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExperienceLog::Table)
                    .col(string_len(ExperienceLog::Id, 36).primary_key())
                    .col(string_len(ExperienceLog::UserId, 36))
                    .col(string_len(ExperienceLog::Source, 16))
                    .col(string_len(ExperienceLog::SourceKey, 160))
                    .col(big_integer(ExperienceLog::Points))
                    .col(timestamp_with_time_zone(ExperienceLog::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExperienceLog::Table, ExperienceLog::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_experience_log_source")
                    .table(ExperienceLog::Table)
                    .col(ExperienceLog::UserId)
                    .col(ExperienceLog::SourceKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExperienceLog::Table).to_owned())
            .await
    }
}
