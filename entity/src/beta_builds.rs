use sea_orm::entity::prelude::*;

/// A build of a beta program: a package taken over from an admin's upload
/// (its file in the media store), with release notes. Testers fetch the
/// program's newest build through their own signed links; `downloads`
/// counts the downloads started, and nothing records who made them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beta_builds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub program_id: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub content_type: String,
    pub bytes: i64,
    pub downloads: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
