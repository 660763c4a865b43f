use sea_orm::entity::prelude::*;

/// What staff did with someone's data, and why: reveals of masked values,
/// decisions on registrations, shipping lists. Item keys, never values.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub staff_id: Option<String>,
    pub subject_id: Option<String>,
    pub action: super::enums::StaffAction,
    pub target_type: String,
    pub target_id: String,
    pub purpose: String,
    /// A JSON array of item keys.
    #[sea_orm(column_type = "Text")]
    pub items: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
