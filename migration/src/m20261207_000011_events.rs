//! Official events and their registrations. An event declares the
//! registration items it needs (catalog items of `event_registration`, each
//! with its reason, as JSON); a registration keeps exactly those, the
//! sensitive ones encrypted, the national ID number also as a keyed blind
//! index (one registration per person per event, across accounts).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    Title,
    Description,
    CoverUploadId,
    City,
    StartsAt,
    EndsAt,
    RegistrationOpensAt,
    RegistrationClosesAt,
    Capacity,
    Ships,
    Items,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventRegistrations {
    Table,
    Id,
    EventId,
    UserId,
    Status,
    Reason,
    RealName,
    Gender,
    ContactPhone,
    NationalId,
    NationalIdIndex,
    ShippingAddress,
    City,
    CreatedAt,
    DecidedAt,
    ErasedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(string_len(Events::Id, 36).primary_key())
                    .col(text(Events::Title))
                    .col(text(Events::Description))
                    .col(string_len_null(Events::CoverUploadId, 36))
                    // NULL: online.
                    .col(string_len_null(Events::City, 64))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(timestamp_with_time_zone(Events::RegistrationOpensAt))
                    .col(timestamp_with_time_zone(Events::RegistrationClosesAt))
                    .col(integer(Events::Capacity))
                    .col(boolean(Events::Ships))
                    .col(text(Events::Items))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(timestamp_with_time_zone(Events::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_starts_at")
                    .table(Events::Table)
                    .col(Events::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventRegistrations::Table)
                    .col(string_len(EventRegistrations::Id, 36).primary_key())
                    .col(string_len(EventRegistrations::EventId, 36))
                    .col(string_len(EventRegistrations::UserId, 36))
                    .col(string_len(EventRegistrations::Status, 16))
                    .col(text_null(EventRegistrations::Reason))
                    .col(text_null(EventRegistrations::RealName))
                    .col(string_len_null(EventRegistrations::Gender, 16))
                    .col(text_null(EventRegistrations::ContactPhone))
                    .col(text_null(EventRegistrations::NationalId))
                    .col(string_len_null(EventRegistrations::NationalIdIndex, 64))
                    .col(text_null(EventRegistrations::ShippingAddress))
                    .col(string_len_null(EventRegistrations::City, 64))
                    .col(timestamp_with_time_zone(EventRegistrations::CreatedAt))
                    .col(timestamp_with_time_zone_null(EventRegistrations::DecidedAt))
                    .col(timestamp_with_time_zone_null(EventRegistrations::ErasedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventRegistrations::Table, EventRegistrations::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventRegistrations::Table, EventRegistrations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One live registration per account and per person (the blind
        // index of the ID number) per event; a withdrawn one frees both.
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX idx_event_registrations_user ON event_registrations \
             (event_id, user_id) WHERE status <> 'cancelled'",
            "CREATE UNIQUE INDEX idx_event_registrations_person ON event_registrations \
             (event_id, national_id_index) WHERE status <> 'cancelled' AND national_id_index IS NOT NULL",
            "CREATE INDEX idx_event_registrations_event ON event_registrations (event_id, created_at)",
            "CREATE INDEX idx_event_registrations_mine ON event_registrations (user_id, created_at)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventRegistrations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
