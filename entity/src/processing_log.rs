use sea_orm::entity::prelude::*;

/// What was collected, when and for which purpose: item keys, never values.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub operation_id: String,
    pub purpose: String,
    /// A JSON array of item keys.
    pub items: String,
    pub created_at: DateTimeUtc,
    /// The staff member who acted on the user's data (a reveal), if any.
    pub actor_id: Option<String>,
    /// Why, as the staff member stated it.
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// No relation to `users` at this level, on purpose: the rows belong to a
/// layer below identity, which must not reach up to accounts. The foreign
/// key (with its cascade) stands in the migration, as the database's own
/// safety net behind each owner's eraser.
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
