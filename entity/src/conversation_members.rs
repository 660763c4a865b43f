use sea_orm::entity::prelude::*;

/// One participant's view of a conversation: whether it is in their list,
/// what they cleared and how far they read.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub peer_id: Option<String>,
    pub listed: bool,
    /// Messages with an id up to this one are gone from this member's view.
    pub cleared_before: Option<String>,
    pub last_read_id: Option<String>,
    /// The last message's time (or creation), for ordering the list.
    pub activity_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
