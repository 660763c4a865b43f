//! Follows, reports and the moderation audit log.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Follows {
    Table,
    FollowerId,
    FolloweeId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Reports {
    Table,
    Id,
    ReporterId,
    TargetType,
    TargetId,
    Reason,
    Status,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ModerationLog {
    Table,
    Id,
    ModeratorId,
    TargetType,
    TargetId,
    Action,
    Reason,
    CreatedAt,
}

fn user_fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(Follows::Table)
                    .col(string_len(Follows::FollowerId, 36))
                    .col(string_len(Follows::FolloweeId, 36))
                    .col(timestamp_with_time_zone(Follows::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Follows::FollowerId)
                            .col(Follows::FolloweeId),
                    )
                    .foreign_key(&mut user_fk(Follows::Table, Follows::FollowerId, Cascade))
                    .foreign_key(&mut user_fk(Follows::Table, Follows::FolloweeId, Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_follows_followee")
                    .table(Follows::Table)
                    .col(Follows::FolloweeId)
                    .col(Follows::FollowerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(string_len(Reports::Id, 36).primary_key())
                    .col(string_len_null(Reports::ReporterId, 36))
                    .col(string_len(Reports::TargetType, 16))
                    .col(string_len(Reports::TargetId, 36))
                    .col(text(Reports::Reason))
                    .col(string_len(Reports::Status, 16))
                    .col(timestamp_with_time_zone(Reports::CreatedAt))
                    .col(timestamp_with_time_zone_null(Reports::ResolvedAt))
                    .foreign_key(&mut user_fk(Reports::Table, Reports::ReporterId, SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_status")
                    .table(Reports::Table)
                    .col(Reports::Status)
                    .col(Reports::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reports_target")
                    .table(Reports::Table)
                    .col(Reports::TargetType)
                    .col(Reports::TargetId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ModerationLog::Table)
                    .col(string_len(ModerationLog::Id, 36).primary_key())
                    .col(string_len_null(ModerationLog::ModeratorId, 36))
                    .col(string_len(ModerationLog::TargetType, 16))
                    .col(string_len(ModerationLog::TargetId, 36))
                    .col(string_len(ModerationLog::Action, 16))
                    .col(text(ModerationLog::Reason))
                    .col(timestamp_with_time_zone(ModerationLog::CreatedAt))
                    .foreign_key(&mut user_fk(
                        ModerationLog::Table,
                        ModerationLog::ModeratorId,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ModerationLog::Table.into_iden(),
            Reports::Table.into_iden(),
            Follows::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
