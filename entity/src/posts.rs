use sea_orm::entity::prelude::*;

/// A post to the plaza (no circle) or to a circle. `hot_rank` is stored
/// and indexed; it depends on score and creation time only.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `None` once the author is gone and the post was anonymised.
    pub author_id: Option<String>,
    pub circle_id: Option<String>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub device_model: Option<String>,
    pub log_upload_id: Option<String>,
    pub like_count: i64,
    pub comment_count: i64,
    pub hot_rank: f64,
    pub pinned: bool,
    pub locked: bool,
    pub hidden: bool,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    /// The author's idempotency key: a repeat returns the first post.
    pub client_id: Option<String>,
    /// Its circle's gate, copied when posted (a circle's gate never
    /// changes): a closed circle's posts are read without a join.
    pub gate: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AuthorId",
        to = "super::users::Column::Id",
        on_delete = "SetNull"
    )]
    Author,
}

impl ActiveModelBehavior for ActiveModel {}
