use sea_orm::entity::prelude::*;

/// A product circle, a city group (同城会) or a club (俱乐部).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "circles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub name: String,
    pub kind: super::enums::CircleKind,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub icon_upload_id: Option<String>,
    pub member_count: i64,
    pub post_count: i64,
    /// Closed: `"<kind>:<key>"` names who besides staff sees the circle
    /// and its posts (a beta program's feedback circle: its testers).
    pub gate: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::circle_members::Entity")]
    Members,
}

impl Related<super::circle_members::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Members.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
