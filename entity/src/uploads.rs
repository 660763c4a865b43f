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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::OwnerId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
