//! Beta builds: the packages a program delivers to its testers, each with
//! release notes and a count of downloads (no record of who downloaded).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum BetaPrograms {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum BetaBuilds {
    Table,
    Id,
    ProgramId,
    Notes,
    StorageKey,
    ContentType,
    Bytes,
    Downloads,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use BetaBuilds as B;
        manager
            .create_table(
                Table::create()
                    .table(B::Table)
                    .col(string_len(B::Id, 36).primary_key())
                    .col(string_len(B::ProgramId, 36))
                    .col(text(B::Notes))
                    .col(string_len_uniq(B::StorageKey, 128))
                    .col(string_len(B::ContentType, 128))
                    .col(big_integer(B::Bytes))
                    .col(big_integer(B::Downloads).default(0))
                    .col(timestamp_with_time_zone(B::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(B::Table, B::ProgramId)
                            .to(BetaPrograms::Table, BetaPrograms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_beta_builds_program")
                    .table(B::Table)
                    .col(B::ProgramId)
                    .col(B::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BetaBuilds::Table).to_owned())
            .await
    }
}
