use sea_orm::entity::prelude::*;

/// A prize coins redeem, as an admin defined it; `stock` is what is left.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_prizes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub image_url: Option<String>,
    pub kind: super::enums::PrizeKind,
    /// Coins one redemption costs.
    pub price: i64,
    /// Left to redeem; never below zero.
    pub stock: i64,
    /// Claims one user may hold of it (cancelled ones aside).
    pub per_user_limit: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
