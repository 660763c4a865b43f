//! Help groups (互助组): groups an admin defines for a city or a product,
//! the users who manage each, and applications to join with a contact
//! phone, a QQ number and, if given, a WeChat ID (all three as ciphertext).
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
    ApplicationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpGroups {
    Table,
    Id,
    Name,
    Description,
    City,
    Product,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpGroupManagers {
    Table,
    GroupId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HelpGroupApplications {
    Table,
    Id,
    GroupId,
    UserId,
    Status,
    Reason,
    ContactPhone,
    QqNumber,
    WechatId,
    CreatedAt,
    DecidedAt,
    LeftAt,
}

fn to_user<T: IntoIden + Copy>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn to_group<T: IntoIden + Copy>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(HelpGroups::Table, HelpGroups::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HelpGroups::Table)
                    .col(string_len(HelpGroups::Id, 36).primary_key())
                    .col(text(HelpGroups::Name))
                    .col(text(HelpGroups::Description))
                    .col(string_len_null(HelpGroups::City, 64))
                    .col(string_len_null(HelpGroups::Product, 64))
                    .col(timestamp_with_time_zone(HelpGroups::CreatedAt))
                    .col(timestamp_with_time_zone(HelpGroups::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HelpGroupManagers::Table)
                    .col(string_len(HelpGroupManagers::GroupId, 36))
                    .col(string_len(HelpGroupManagers::UserId, 36))
                    .col(timestamp_with_time_zone(HelpGroupManagers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(HelpGroupManagers::GroupId)
                            .col(HelpGroupManagers::UserId),
                    )
                    .foreign_key(&mut to_group(
                        HelpGroupManagers::Table,
                        HelpGroupManagers::GroupId,
                    ))
                    .foreign_key(&mut to_user(
                        HelpGroupManagers::Table,
                        HelpGroupManagers::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HelpGroupApplications::Table)
                    .col(string_len(HelpGroupApplications::Id, 36).primary_key())
                    .col(string_len(HelpGroupApplications::GroupId, 36))
                    .col(string_len(HelpGroupApplications::UserId, 36))
                    .col(string_len(HelpGroupApplications::Status, 16))
                    .col(text_null(HelpGroupApplications::Reason))
                    .col(text(HelpGroupApplications::ContactPhone))
                    .col(text(HelpGroupApplications::QqNumber))
                    .col(text_null(HelpGroupApplications::WechatId))
                    .col(timestamp_with_time_zone(HelpGroupApplications::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        HelpGroupApplications::DecidedAt,
                    ))
                    .col(timestamp_with_time_zone_null(HelpGroupApplications::LeftAt))
                    .foreign_key(&mut to_group(
                        HelpGroupApplications::Table,
                        HelpGroupApplications::GroupId,
                    ))
                    .foreign_key(&mut to_user(
                        HelpGroupApplications::Table,
                        HelpGroupApplications::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        // One open application or membership per account and group; a
        // rejected, left or removed one does not stop a new application.
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX idx_help_group_applications_open ON help_group_applications \
             (group_id, user_id) WHERE status IN ('pending', 'approved')",
            "CREATE INDEX idx_help_group_applications_group ON help_group_applications (group_id, id)",
            "CREATE INDEX idx_help_group_applications_mine ON help_group_applications (user_id, id)",
            "CREATE INDEX idx_help_group_managers_user ON help_group_managers (user_id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        // A manager's decision reaches the applicant as a notification, of
        // a kind (`help_group_decision`) longer than the column allowed
        // (SQLite does not hold text to a length).
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("ALTER TABLE notifications ALTER COLUMN kind TYPE varchar(32)")
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(string_len_null(Notifications::ApplicationId, 36))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::ApplicationId)
                    .to_owned(),
            )
            .await?;
        for table in [
            HelpGroupApplications::Table.into_iden(),
            HelpGroupManagers::Table.into_iden(),
            HelpGroups::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
