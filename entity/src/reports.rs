use sea_orm::entity::prelude::*;

/// A user's report of a post, comment or user, for moderators to review.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub reporter_id: Option<String>,
    pub target_type: super::enums::TargetType,
    pub target_id: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub status: super::enums::ReportStatus,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
