use sea_orm::entity::prelude::*;

/// A registration for an event: exactly the items the event declared,
/// the sensitive ones as ciphertext, the national ID number also as a
/// keyed blind index. Erased registrations keep only their status and
/// times (`erased_at`), for anonymous counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub status: super::enums::RegistrationStatus,
    pub reason: Option<String>,
    pub real_name: Option<String>,
    pub gender: Option<super::enums::Gender>,
    pub contact_phone: Option<String>,
    pub national_id: Option<String>,
    pub national_id_index: Option<String>,
    pub shipping_address: Option<String>,
    pub city: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    /// When a guardian consented, for a registrant under 14.
    pub guardian_consent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
