use sea_orm::entity::prelude::*;

/// An application to join a help group, and, once approved, the
/// membership: the contact phone, QQ number and WeChat ID as ciphertext.
/// A rejected one goes 90 days after the decision; a member's 90 days
/// after leaving or being removed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "help_group_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub group_id: String,
    pub user_id: String,
    pub status: super::enums::ApplicationStatus,
    pub reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub contact_phone: String,
    #[sea_orm(column_type = "Text")]
    pub qq_number: String,
    pub wechat_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub left_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
