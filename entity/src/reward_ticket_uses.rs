use sea_orm::entity::prelude::*;

/// A partner ticket handed in: its random id (the ticket names its holder
/// only inside its encryption; this row names no one), so that the same
/// ticket counts once. Kept until the ticket would have expired.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_ticket_uses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
