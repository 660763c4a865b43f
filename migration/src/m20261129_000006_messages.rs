//! Private messages: blocks, conversations and their members, messages
//! (text and attachment references encrypted), notifications, and the
//! "show my online status" setting; uploads sent in messages become private
//! (served only through signed links).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    ShowOnlineStatus,
}

#[derive(DeriveIden, Clone, Copy)]
enum Uploads {
    Table,
    Private,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserBlocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Conversations {
    Table,
    Id,
    UserLow,
    UserHigh,
    LastMessageId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ConversationMembers {
    Table,
    ConversationId,
    UserId,
    PeerId,
    Listed,
    ClearedBefore,
    LastReadId,
    ActivityAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Messages {
    Table,
    Id,
    ConversationId,
    SenderId,
    ClientId,
    Kind,
    TextCiphertext,
    AttachmentCiphertext,
    CreatedAt,
    RecalledAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    ActorId,
    ConversationId,
    MessageId,
    CreatedAt,
    ReadAt,
}

fn fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(action)
        .to_owned()
}

fn user_fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    fk(table, col, Users::Table, Users::Id, action)
}

fn index(name: &str, table: impl IntoIden + 'static, cols: &[Alias]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col.clone());
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(boolean(Users::ShowOnlineStatus).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Uploads::Table)
                    .add_column(boolean(Uploads::Private).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserBlocks::Table)
                    .col(string_len(UserBlocks::BlockerId, 36))
                    .col(string_len(UserBlocks::BlockedId, 36))
                    .col(timestamp_with_time_zone(UserBlocks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(UserBlocks::BlockerId)
                            .col(UserBlocks::BlockedId),
                    )
                    .foreign_key(&mut user_fk(
                        UserBlocks::Table,
                        UserBlocks::BlockerId,
                        Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        UserBlocks::Table,
                        UserBlocks::BlockedId,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_blocks_blocked",
                UserBlocks::Table,
                &[Alias::new("blocked_id")],
            ))
            .await?;
        // A deleted account leaves its peer's history in place, shown as a
        // deleted user: the participant columns become NULL.
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(string_len(Conversations::Id, 36).primary_key())
                    .col(string_len_null(Conversations::UserLow, 36))
                    .col(string_len_null(Conversations::UserHigh, 36))
                    .col(string_len_null(Conversations::LastMessageId, 36))
                    .col(timestamp_with_time_zone(Conversations::CreatedAt))
                    .foreign_key(&mut user_fk(
                        Conversations::Table,
                        Conversations::UserLow,
                        SetNull,
                    ))
                    .foreign_key(&mut user_fk(
                        Conversations::Table,
                        Conversations::UserHigh,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_conversations_pair",
                    Conversations::Table,
                    &[Alias::new("user_low"), Alias::new("user_high")],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationMembers::Table)
                    .col(string_len(ConversationMembers::ConversationId, 36))
                    .col(string_len(ConversationMembers::UserId, 36))
                    .col(string_len_null(ConversationMembers::PeerId, 36))
                    .col(boolean(ConversationMembers::Listed).default(true))
                    .col(string_len_null(ConversationMembers::ClearedBefore, 36))
                    .col(string_len_null(ConversationMembers::LastReadId, 36))
                    .col(timestamp_with_time_zone(ConversationMembers::ActivityAt))
                    .primary_key(
                        Index::create()
                            .col(ConversationMembers::ConversationId)
                            .col(ConversationMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        ConversationMembers::Table,
                        ConversationMembers::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        ConversationMembers::Table,
                        ConversationMembers::UserId,
                        Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        ConversationMembers::Table,
                        ConversationMembers::PeerId,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_conversation_members_list",
                ConversationMembers::Table,
                &[
                    Alias::new("user_id"),
                    Alias::new("listed"),
                    Alias::new("activity_at"),
                    Alias::new("conversation_id"),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(string_len(Messages::Id, 36).primary_key())
                    .col(string_len(Messages::ConversationId, 36))
                    .col(string_len_null(Messages::SenderId, 36))
                    .col(string_len(Messages::ClientId, 64))
                    .col(string_len(Messages::Kind, 8))
                    .col(text_null(Messages::TextCiphertext))
                    .col(text_null(Messages::AttachmentCiphertext))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .col(timestamp_with_time_zone_null(Messages::RecalledAt))
                    .foreign_key(&mut fk(
                        Messages::Table,
                        Messages::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut user_fk(Messages::Table, Messages::SenderId, SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_messages_conversation",
                Messages::Table,
                &[Alias::new("conversation_id"), Alias::new("id")],
            ))
            .await?;
        manager
            .create_index(
                index(
                    "idx_messages_client_id",
                    Messages::Table,
                    &[Alias::new("sender_id"), Alias::new("client_id")],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(string_len(Notifications::Id, 36).primary_key())
                    .col(string_len(Notifications::UserId, 36))
                    .col(string_len(Notifications::Kind, 16))
                    .col(string_len_null(Notifications::ActorId, 36))
                    .col(string_len_null(Notifications::ConversationId, 36))
                    .col(string_len_null(Notifications::MessageId, 36))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(&mut user_fk(
                        Notifications::Table,
                        Notifications::UserId,
                        Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        Notifications::Table,
                        Notifications::ActorId,
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Notifications::Table,
                        Notifications::ConversationId,
                        Conversations::Table,
                        Conversations::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Notifications::Table,
                        Notifications::MessageId,
                        Messages::Table,
                        Messages::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_notifications_user",
                Notifications::Table,
                &[Alias::new("user_id"), Alias::new("id")],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            Messages::Table.into_iden(),
            ConversationMembers::Table.into_iden(),
            Conversations::Table.into_iden(),
            UserBlocks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Uploads::Table)
                    .drop_column(Uploads::Private)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::ShowOnlineStatus)
                    .to_owned(),
            )
            .await
    }
}
