use sea_orm::entity::prelude::*;

/// A one-to-one conversation. The participants are stored ordered
/// (`user_low < user_high`) so that a pair has exactly one conversation;
/// a participant whose account is gone becomes NULL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_low: Option<String>,
    pub user_high: Option<String>,
    pub last_message_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
