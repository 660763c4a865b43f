use sea_orm::entity::prelude::*;

/// A private message. Its text and attachment reference are ciphertext;
/// a recalled message keeps neither.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub conversation_id: String,
    pub sender_id: Option<String>,
    pub client_id: String,
    pub kind: super::enums::MessageKind,
    pub text_ciphertext: Option<String>,
    pub attachment_ciphertext: Option<String>,
    pub created_at: DateTimeUtc,
    pub recalled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
