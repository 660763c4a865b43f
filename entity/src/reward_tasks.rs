use sea_orm::entity::prelude::*;

/// A task that earns coins, as an admin defined it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: super::enums::TaskKind,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub coins: i64,
    /// Completions credited per user per day (Beijing time).
    pub per_day: i32,
    /// Completions credited per user ever; `None`: no limit but the daily
    /// one.
    pub per_user_ever: Option<i32>,
    /// A `partner` task's partner.
    pub partner_id: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
