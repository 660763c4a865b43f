use sea_orm::entity::prelude::*;

/// An official event. `items` is the JSON list of the registration items
/// it needs, each with its reason; `city` NULL is an online event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub cover_upload_id: Option<String>,
    pub city: Option<String>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub registration_opens_at: DateTimeUtc,
    pub registration_closes_at: DateTimeUtc,
    pub capacity: i32,
    pub ships: bool,
    #[sea_orm(column_type = "Text")]
    pub items: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Once retention erased the registrations: how many ended in each
    /// status (JSON), anonymous.
    #[sea_orm(column_type = "Text", nullable)]
    pub registration_counts: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
