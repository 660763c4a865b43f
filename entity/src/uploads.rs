use sea_orm::entity::prelude::*;

/// A stored file. `storage_key` names the object in the media store.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub owner_id: String,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub kind: super::enums::UploadKind,
    pub content_type: String,
    pub bytes: i64,
    pub created_at: DateTimeUtc,
    /// Sent in a private message, or a diagnostic log: served only through
    /// signed links.
    pub private: bool,
    pub purpose: super::enums::UploadPurpose,
    /// The orphan sweep found it in use once it was old enough; from then
    /// on it goes when the last reference to it goes.
    pub claimed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// No relation to `users` at this level, on purpose: the rows belong to a
/// layer below identity, which must not reach up to accounts. The foreign
/// key (with its cascade) stands in the migration, as the database's own
/// safety net behind each owner's eraser.
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
