use sea_orm::entity::prelude::*;

/// Why a user's experience grew: one row per source event (a post, a
/// comment, a like received, a task credited), so that nothing counts
/// twice (a like taken back and given again counts once).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "experience_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    /// What earned it: `post`, `comment`, `like` or `task`.
    pub source: String,
    /// Unique per user: the source event (for a like, a keyed hash of the
    /// post and the liker, never the liker's id).
    pub source_key: String,
    pub points: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
