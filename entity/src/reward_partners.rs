use sea_orm::entity::prelude::*;

/// A partner whose app or game a task asks users to try: it tells agora,
/// by a signed callback, that a user did.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_partners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    /// The signing secret, encrypted (agora must read it to check a
    /// signature; it is shown to the admin once).
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    pub created_at: DateTimeUtc,
    /// Set while the partner is suspended: its callbacks are refused.
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
