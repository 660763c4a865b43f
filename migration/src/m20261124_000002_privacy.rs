//! The consent layer: grants, receipts, the processing log, notice versions,
//! and the two optional-purpose stores that show withdrawal erasing data
//! (location and search history).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    UserId,
    Purpose,
    Granted,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsentReceipts {
    Table,
    Id,
    UserId,
    Purpose,
    Action,
    Document,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProcessingLog {
    Table,
    Id,
    UserId,
    OperationId,
    Purpose,
    Items,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NoticeVersions {
    Table,
    Version,
    EssentialHash,
    PublishedAt,
}

#[derive(DeriveIden)]
enum UserLocations {
    Table,
    UserId,
    City,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SearchHistory {
    Table,
    Id,
    UserId,
    Query,
    CreatedAt,
}

fn user_fk<T: IntoIden + 'static>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn by_user(
    name: &str,
    table: impl IntoIden + 'static,
    user: impl IntoIden + 'static,
    id: impl IntoIden + 'static,
) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .col(user)
        .col(id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(string_len(Consents::UserId, 36))
                    .col(string_len(Consents::Purpose, 64))
                    .col(boolean(Consents::Granted))
                    .col(timestamp_with_time_zone(Consents::UpdatedAt))
                    .primary_key(Index::create().col(Consents::UserId).col(Consents::Purpose))
                    .foreign_key(&mut user_fk(Consents::Table, Consents::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsentReceipts::Table)
                    .col(string_len(ConsentReceipts::Id, 36).primary_key())
                    .col(string_len(ConsentReceipts::UserId, 36))
                    .col(string_len(ConsentReceipts::Purpose, 64))
                    .col(string_len(ConsentReceipts::Action, 16))
                    .col(text(ConsentReceipts::Document))
                    .col(timestamp_with_time_zone(ConsentReceipts::CreatedAt))
                    .foreign_key(&mut user_fk(
                        ConsentReceipts::Table,
                        ConsentReceipts::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(by_user(
                "idx_receipts_user",
                ConsentReceipts::Table,
                ConsentReceipts::UserId,
                ConsentReceipts::Id,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProcessingLog::Table)
                    .col(string_len(ProcessingLog::Id, 36).primary_key())
                    .col(string_len(ProcessingLog::UserId, 36))
                    .col(string_len(ProcessingLog::OperationId, 64))
                    .col(string_len(ProcessingLog::Purpose, 64))
                    .col(text(ProcessingLog::Items))
                    .col(timestamp_with_time_zone(ProcessingLog::CreatedAt))
                    .foreign_key(&mut user_fk(ProcessingLog::Table, ProcessingLog::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(by_user(
                "idx_processing_log_user",
                ProcessingLog::Table,
                ProcessingLog::UserId,
                ProcessingLog::Id,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NoticeVersions::Table)
                    .col(string_len(NoticeVersions::Version, 64).primary_key())
                    .col(string_len(NoticeVersions::EssentialHash, 64))
                    .col(timestamp_with_time_zone(NoticeVersions::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserLocations::Table)
                    .col(string_len(UserLocations::UserId, 36).primary_key())
                    .col(string_len(UserLocations::City, 64))
                    .col(timestamp_with_time_zone(UserLocations::UpdatedAt))
                    .foreign_key(&mut user_fk(UserLocations::Table, UserLocations::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchHistory::Table)
                    .col(string_len(SearchHistory::Id, 36).primary_key())
                    .col(string_len(SearchHistory::UserId, 36))
                    .col(string_len(SearchHistory::Query, 200))
                    .col(timestamp_with_time_zone(SearchHistory::CreatedAt))
                    .foreign_key(&mut user_fk(SearchHistory::Table, SearchHistory::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(by_user(
                "idx_search_history_user",
                SearchHistory::Table,
                SearchHistory::UserId,
                SearchHistory::Id,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SearchHistory::Table.into_iden(),
            UserLocations::Table.into_iden(),
            NoticeVersions::Table.into_iden(),
            ProcessingLog::Table.into_iden(),
            ConsentReceipts::Table.into_iden(),
            Consents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
