use sea_orm::entity::prelude::*;

/// An account. The phone number is held only as ciphertext plus a keyed
/// blind index used for lookup and uniqueness.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub phone_ciphertext: String,
    #[sea_orm(unique)]
    pub phone_blind_index: String,
    pub password_hash: String,
    pub nickname: String,
    pub avatar_upload_id: Option<String>,
    pub gender: Option<super::enums::Gender>,
    pub birthday: Option<Date>,
    pub region: Option<String>,
    pub signature: Option<String>,
    pub role: super::enums::Role,
    pub level: i32,
    pub experience: i64,
    pub accepted_notice_version: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Whether others may see when I am online.
    pub show_online_status: bool,
    /// A deregistration is pending: until then the account can only cancel it.
    pub deregister_at: Option<DateTimeUtc>,
    /// The community service was deregistered: no profile, content or
    /// search presence, the account alone remains.
    pub community_closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
