use sea_orm::entity::prelude::*;

/// A beta program: whom it admits (device models, capacity, optional
/// minimum level and account age), when people can apply, what it asks
/// (screening questions; the installed-apps list only with a reason) and
/// the apps it watches for. Lists are JSON text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beta_programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub device_models: String,
    pub capacity: i32,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    pub installed_apps_reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub watched_apps: String,
    pub min_level: Option<i32>,
    pub min_account_days: Option<i32>,
    /// The program's feedback circle (closed: its testers and staff).
    pub feedback_circle_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
