use sea_orm::entity::prelude::*;

/// An immutable consent receipt (Kantara v1.1 / ISO/IEC TS 27560 shape),
/// kept as the JSON document handed to the user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_receipts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub purpose: String,
    /// `grant`, `refusal` or `withdrawal`.
    pub action: super::enums::ConsentAction,
    #[sea_orm(column_type = "Text")]
    pub document: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// No relation to `users` at this level, on purpose: the rows belong to a
/// layer below identity, which must not reach up to accounts. The foreign
/// key (with its cascade) stands in the migration, as the database's own
/// safety net behind each owner's eraser.
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
