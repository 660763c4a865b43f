//! Guardian consent for a user under 14: only that it was given, for what,
//! and when. The guardian's number and the code never reach the database.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum GuardianConsents {
    Table,
    Id,
    UserId,
    SubjectKind,
    SubjectId,
    GivenAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventRegistrations {
    Table,
    GuardianConsentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GuardianConsents::Table)
                    .col(string_len(GuardianConsents::Id, 36).primary_key())
                    .col(string_len(GuardianConsents::UserId, 36))
                    .col(string_len(GuardianConsents::SubjectKind, 32))
                    .col(string_len(GuardianConsents::SubjectId, 36))
                    .col(timestamp_with_time_zone(GuardianConsents::GivenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GuardianConsents::Table, GuardianConsents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_guardian_consents_subject")
                    .table(GuardianConsents::Table)
                    .col(GuardianConsents::UserId)
                    .col(GuardianConsents::SubjectKind)
                    .col(GuardianConsents::SubjectId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(EventRegistrations::Table)
                    .add_column(timestamp_with_time_zone_null(
                        EventRegistrations::GuardianConsentAt,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EventRegistrations::Table)
                    .drop_column(EventRegistrations::GuardianConsentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(GuardianConsents::Table).to_owned())
            .await
    }
}
