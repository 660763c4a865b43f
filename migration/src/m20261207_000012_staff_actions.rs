//! Staff actions on people's data: the audit trail of reveals, decisions
//! and shipping lists (`staff_actions`, owned by the privacy core); the
//! processing log says who acted for the user and why (`actor_id`,
//! `reason`); a notification can be about an event registration.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum StaffActions {
    Table,
    Id,
    StaffId,
    SubjectId,
    Action,
    TargetType,
    TargetId,
    Purpose,
    Items,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ProcessingLog {
    Table,
    ActorId,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    RegistrationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StaffActions::Table)
                    .col(string_len(StaffActions::Id, 36).primary_key())
                    .col(string_len_null(StaffActions::StaffId, 36))
                    .col(string_len_null(StaffActions::SubjectId, 36))
                    .col(string_len(StaffActions::Action, 32))
                    .col(string_len(StaffActions::TargetType, 32))
                    .col(string_len(StaffActions::TargetId, 36))
                    .col(string_len(StaffActions::Purpose, 64))
                    .col(text(StaffActions::Items))
                    .col(text(StaffActions::Reason))
                    .col(timestamp_with_time_zone(StaffActions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffActions::Table, StaffActions::StaffId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffActions::Table, StaffActions::SubjectId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProcessingLog::Table)
                    .add_column(string_len_null(ProcessingLog::ActorId, 36))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ProcessingLog::Table)
                    .add_column(text_null(ProcessingLog::Reason))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(string_len_null(Notifications::RegistrationId, 36))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StaffActions::Table).to_owned())
            .await
    }
}
