use sea_orm::entity::prelude::*;

/// A user's explicit grant or withdrawal for one purpose.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub purpose: String,
    pub granted: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// No relation to `users` at this level, on purpose: the rows belong to a
/// layer below identity, which must not reach up to accounts. The foreign
/// key (with its cascade) stands in the migration, as the database's own
/// safety net behind each owner's eraser.
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
