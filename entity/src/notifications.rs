use sea_orm::entity::prelude::*;

/// Something that happened while the user was away; references only, no
/// content.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub kind: super::enums::NotificationKind,
    pub actor_id: Option<String>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    /// For `event_decision`: the registration decided on.
    pub registration_id: Option<String>,
    /// For `help_group_decision`: the application decided on.
    pub application_id: Option<String>,
    /// For `prize_claim`: the claim that moved on.
    pub claim_id: Option<String>,
    /// For `beta_decision`: the beta application decided on.
    pub beta_application_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
