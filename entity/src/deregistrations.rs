use sea_orm::entity::prelude::*;

/// A deregistration request. Once carried out, `user_id` is NULL and what
/// is left (a random id, the scope and the times) is proof, not personal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deregistrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Option<String>,
    pub scope: super::enums::ErasureScope,
    pub content: super::enums::ErasureContent,
    pub requested_at: DateTimeUtc,
    pub effective_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
