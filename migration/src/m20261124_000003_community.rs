//! Circles, posts with their images and revisions, comments and likes.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Uploads {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Circles {
    Table,
    Id,
    Name,
    Kind,
    Description,
    IconUploadId,
    MemberCount,
    PostCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CircleMembers {
    Table,
    CircleId,
    UserId,
    JoinedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Posts {
    Table,
    Id,
    AuthorId,
    CircleId,
    Title,
    Body,
    DeviceModel,
    LogUploadId,
    LikeCount,
    CommentCount,
    HotRank,
    Pinned,
    Locked,
    Hidden,
    DeletedAt,
    CreatedAt,
    EditedAt,
    ClientId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PostImages {
    Table,
    PostId,
    Position,
    UploadId,
}

#[derive(DeriveIden, Clone, Copy)]
enum PostRevisions {
    Table,
    Id,
    PostId,
    Title,
    Body,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Comments {
    Table,
    Id,
    PostId,
    ParentId,
    AuthorId,
    Body,
    LikeCount,
    Hidden,
    DeletedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PostLikes {
    Table,
    PostId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommentLikes {
    Table,
    CommentId,
    UserId,
    CreatedAt,
}

fn fk(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden + 'static, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).to_owned();
    for col in cols {
        idx.col(col);
    }
    idx
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        manager
            .create_table(
                Table::create()
                    .table(Circles::Table)
                    .col(string_len(Circles::Id, 36).primary_key())
                    .col(string_len_uniq(Circles::Name, 64))
                    .col(string_len(Circles::Kind, 16))
                    .col(text(Circles::Description))
                    .col(string_len_null(Circles::IconUploadId, 36))
                    .col(big_integer(Circles::MemberCount).default(0))
                    .col(big_integer(Circles::PostCount).default(0))
                    .col(timestamp_with_time_zone(Circles::CreatedAt))
                    .col(timestamp_with_time_zone(Circles::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CircleMembers::Table)
                    .col(string_len(CircleMembers::CircleId, 36))
                    .col(string_len(CircleMembers::UserId, 36))
                    .col(timestamp_with_time_zone(CircleMembers::JoinedAt))
                    .primary_key(
                        Index::create()
                            .col(CircleMembers::CircleId)
                            .col(CircleMembers::UserId),
                    )
                    .foreign_key(&mut fk(
                        (CircleMembers::Table, CircleMembers::CircleId),
                        (Circles::Table, Circles::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CircleMembers::Table, CircleMembers::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_circle_members_user",
                CircleMembers::Table,
                vec![
                    CircleMembers::UserId.into_iden(),
                    CircleMembers::JoinedAt.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(string_len(Posts::Id, 36).primary_key())
                    .col(string_len_null(Posts::AuthorId, 36))
                    .col(string_len_null(Posts::CircleId, 36))
                    .col(string_len(Posts::Title, 400))
                    .col(text(Posts::Body))
                    .col(string_len_null(Posts::DeviceModel, 128))
                    .col(string_len_null(Posts::LogUploadId, 36))
                    .col(big_integer(Posts::LikeCount).default(0))
                    .col(big_integer(Posts::CommentCount).default(0))
                    .col(double(Posts::HotRank))
                    .col(boolean(Posts::Pinned).default(false))
                    .col(boolean(Posts::Locked).default(false))
                    .col(boolean(Posts::Hidden).default(false))
                    .col(timestamp_with_time_zone_null(Posts::DeletedAt))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .col(timestamp_with_time_zone_null(Posts::EditedAt))
                    .col(string_len_null(Posts::ClientId, 64))
                    .foreign_key(&mut fk(
                        (Posts::Table, Posts::AuthorId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        (Posts::Table, Posts::CircleId),
                        (Circles::Table, Circles::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_posts_new", vec![Posts::Pinned, Posts::Id]),
            (
                "idx_posts_hot",
                vec![Posts::Pinned, Posts::HotRank, Posts::Id],
            ),
            (
                "idx_posts_circle_new",
                vec![Posts::CircleId, Posts::Pinned, Posts::Id],
            ),
            (
                "idx_posts_circle_hot",
                vec![Posts::CircleId, Posts::Pinned, Posts::HotRank, Posts::Id],
            ),
            ("idx_posts_author", vec![Posts::AuthorId, Posts::Id]),
        ] {
            let cols = cols.into_iter().map(IntoIden::into_iden).collect();
            manager
                .create_index(index(name, Posts::Table, cols))
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_client_id")
                    .table(Posts::Table)
                    .col(Posts::AuthorId)
                    .col(Posts::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostImages::Table)
                    .col(string_len(PostImages::PostId, 36))
                    .col(integer(PostImages::Position))
                    .col(string_len(PostImages::UploadId, 36))
                    .primary_key(
                        Index::create()
                            .col(PostImages::PostId)
                            .col(PostImages::Position),
                    )
                    .foreign_key(&mut fk(
                        (PostImages::Table, PostImages::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (PostImages::Table, PostImages::UploadId),
                        (Uploads::Table, Uploads::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostRevisions::Table)
                    .col(string_len(PostRevisions::Id, 36).primary_key())
                    .col(string_len(PostRevisions::PostId, 36))
                    .col(string_len(PostRevisions::Title, 400))
                    .col(text(PostRevisions::Body))
                    .col(timestamp_with_time_zone(PostRevisions::CreatedAt))
                    .foreign_key(&mut fk(
                        (PostRevisions::Table, PostRevisions::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_post_revisions_post",
                PostRevisions::Table,
                vec![
                    PostRevisions::PostId.into_iden(),
                    PostRevisions::Id.into_iden(),
                ],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(string_len(Comments::Id, 36).primary_key())
                    .col(string_len(Comments::PostId, 36))
                    .col(string_len_null(Comments::ParentId, 36))
                    .col(string_len_null(Comments::AuthorId, 36))
                    .col(text(Comments::Body))
                    .col(big_integer(Comments::LikeCount).default(0))
                    .col(boolean(Comments::Hidden).default(false))
                    .col(timestamp_with_time_zone_null(Comments::DeletedAt))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .foreign_key(&mut fk(
                        (Comments::Table, Comments::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Comments::Table, Comments::ParentId),
                        (Comments::Table, Comments::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (Comments::Table, Comments::AuthorId),
                        (Users::Table, Users::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_comments_post",
                Comments::Table,
                vec![Comments::PostId.into_iden(), Comments::Id.into_iden()],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_comments_author",
                Comments::Table,
                vec![Comments::AuthorId.into_iden()],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostLikes::Table)
                    .col(string_len(PostLikes::PostId, 36))
                    .col(string_len(PostLikes::UserId, 36))
                    .col(timestamp_with_time_zone(PostLikes::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PostLikes::PostId)
                            .col(PostLikes::UserId),
                    )
                    .foreign_key(&mut fk(
                        (PostLikes::Table, PostLikes::PostId),
                        (Posts::Table, Posts::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (PostLikes::Table, PostLikes::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommentLikes::Table)
                    .col(string_len(CommentLikes::CommentId, 36))
                    .col(string_len(CommentLikes::UserId, 36))
                    .col(timestamp_with_time_zone(CommentLikes::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CommentLikes::CommentId)
                            .col(CommentLikes::UserId),
                    )
                    .foreign_key(&mut fk(
                        (CommentLikes::Table, CommentLikes::CommentId),
                        (Comments::Table, Comments::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        (CommentLikes::Table, CommentLikes::UserId),
                        (Users::Table, Users::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_post_likes_user",
                PostLikes::Table.into_iden(),
                PostLikes::UserId.into_iden(),
            ),
            (
                "idx_comment_likes_user",
                CommentLikes::Table.into_iden(),
                CommentLikes::UserId.into_iden(),
            ),
        ] {
            manager.create_index(index(name, table, vec![col])).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CommentLikes::Table.into_iden(),
            PostLikes::Table.into_iden(),
            Comments::Table.into_iden(),
            PostRevisions::Table.into_iden(),
            PostImages::Table.into_iden(),
            Posts::Table.into_iden(),
            CircleMembers::Table.into_iden(),
            Circles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
