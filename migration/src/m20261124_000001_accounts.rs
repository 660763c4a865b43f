//! Accounts, sessions, SMS codes and uploads.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PhoneCiphertext,
    PhoneBlindIndex,
    PasswordHash,
    Nickname,
    AvatarUploadId,
    Gender,
    Birthday,
    Region,
    Signature,
    Role,
    Level,
    Experience,
    AcceptedNoticeVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    DeviceModel,
    OsVersion,
    AppVersion,
    Language,
    Timezone,
    DeviceId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SmsCodes {
    Table,
    Id,
    PhoneBlindIndex,
    Purpose,
    CodeHash,
    Attempts,
    CreatedAt,
    ExpiresAt,
    ConsumedAt,
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    Id,
    OwnerId,
    StorageKey,
    Kind,
    ContentType,
    Bytes,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(string_len(Users::Id, 36).primary_key())
                    .col(text(Users::PhoneCiphertext))
                    .col(string_len_uniq(Users::PhoneBlindIndex, 64))
                    .col(text(Users::PasswordHash))
                    .col(string_len(Users::Nickname, 64))
                    .col(string_len_null(Users::AvatarUploadId, 36))
                    .col(string_len_null(Users::Gender, 16))
                    .col(date_null(Users::Birthday))
                    .col(string_len_null(Users::Region, 128))
                    .col(text_null(Users::Signature))
                    .col(string_len(Users::Role, 16).default("user"))
                    .col(integer(Users::Level).default(1))
                    .col(big_integer(Users::Experience).default(0))
                    .col(string_len(Users::AcceptedNoticeVersion, 64))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::Id, 36).primary_key())
                    .col(string_len(Sessions::UserId, 36))
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    .col(string_len_null(Sessions::DeviceModel, 128))
                    .col(string_len_null(Sessions::OsVersion, 64))
                    .col(string_len_null(Sessions::AppVersion, 64))
                    .col(string_len_null(Sessions::Language, 64))
                    .col(string_len_null(Sessions::Timezone, 64))
                    .col(text_null(Sessions::DeviceId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .col(Sessions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsCodes::Table)
                    .col(string_len(SmsCodes::Id, 36).primary_key())
                    .col(string_len(SmsCodes::PhoneBlindIndex, 64))
                    .col(string_len(SmsCodes::Purpose, 16))
                    .col(string_len(SmsCodes::CodeHash, 64))
                    .col(integer(SmsCodes::Attempts).default(0))
                    .col(timestamp_with_time_zone(SmsCodes::CreatedAt))
                    .col(timestamp_with_time_zone(SmsCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(SmsCodes::ConsumedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sms_codes_phone_purpose")
                    .table(SmsCodes::Table)
                    .col(SmsCodes::PhoneBlindIndex)
                    .col(SmsCodes::Purpose)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Uploads::Table)
                    .col(string_len(Uploads::Id, 36).primary_key())
                    .col(string_len(Uploads::OwnerId, 36))
                    .col(string_len_uniq(Uploads::StorageKey, 128))
                    .col(string_len(Uploads::Kind, 16))
                    .col(string_len(Uploads::ContentType, 128))
                    .col(big_integer(Uploads::Bytes))
                    .col(timestamp_with_time_zone(Uploads::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Uploads::Table, Uploads::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_uploads_owner")
                    .table(Uploads::Table)
                    .col(Uploads::OwnerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Uploads::Table.into_iden(),
            SmsCodes::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
