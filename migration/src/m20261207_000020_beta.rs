//! Beta programs (内测): what a program asks of applicants and whom it
//! admits, and the applications (the contact phone as ciphertext; of an
//! installed-apps list only the verdict).
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
    BetaApplicationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum BetaPrograms {
    Table,
    Id,
    Name,
    Description,
    DeviceModels,
    Capacity,
    OpensAt,
    ClosesAt,
    EndsAt,
    Questions,
    InstalledAppsReason,
    WatchedApps,
    MinLevel,
    MinAccountDays,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BetaApplications {
    Table,
    Id,
    ProgramId,
    UserId,
    Status,
    Reason,
    ContactPhone,
    DeviceModel,
    Answers,
    Eligible,
    Unmet,
    WatchedPresent,
    CreatedAt,
    DecidedAt,
    ErasedAt,
}

fn to_program<T: IntoIden + Copy>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(BetaPrograms::Table, BetaPrograms::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use BetaPrograms as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(string_len(P::Id, 36).primary_key())
                    .col(text(P::Name))
                    .col(text(P::Description))
                    .col(text(P::DeviceModels))
                    .col(integer(P::Capacity))
                    .col(timestamp_with_time_zone(P::OpensAt))
                    .col(timestamp_with_time_zone(P::ClosesAt))
                    .col(timestamp_with_time_zone(P::EndsAt))
                    .col(text(P::Questions))
                    .col(text_null(P::InstalledAppsReason))
                    .col(text(P::WatchedApps))
                    .col(integer_null(P::MinLevel))
                    .col(integer_null(P::MinAccountDays))
                    .col(timestamp_with_time_zone(P::CreatedAt))
                    .col(timestamp_with_time_zone(P::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        use BetaApplications as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(string_len(A::Id, 36).primary_key())
                    .col(string_len(A::ProgramId, 36))
                    .col(string_len(A::UserId, 36))
                    .col(string_len(A::Status, 16))
                    .col(text_null(A::Reason))
                    .col(text_null(A::ContactPhone))
                    .col(text_null(A::DeviceModel))
                    .col(text_null(A::Answers))
                    .col(boolean(A::Eligible))
                    .col(text(A::Unmet))
                    .col(text_null(A::WatchedPresent))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .col(timestamp_with_time_zone_null(A::DecidedAt))
                    .col(timestamp_with_time_zone_null(A::ErasedAt))
                    .foreign_key(&mut to_program(A::Table, A::ProgramId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(A::Table, A::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One open application per account and program: a withdrawn or
        // rejected one does not stop a new application.
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX idx_beta_applications_open ON beta_applications \
             (program_id, user_id) WHERE status IN ('pending', 'approved', 'waitlisted')",
            "CREATE INDEX idx_beta_applications_program ON beta_applications (program_id, id)",
            "CREATE INDEX idx_beta_applications_mine ON beta_applications (user_id, id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(string_len_null(Notifications::BetaApplicationId, 36))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::BetaApplicationId)
                    .to_owned(),
            )
            .await?;
        for table in [
            BetaApplications::Table.into_iden(),
            BetaPrograms::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
