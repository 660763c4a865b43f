use sea_orm::entity::prelude::*;

/// A redeemed prize and its delivery. The delivery details are stored
/// encrypted (no blind index: nothing looks a winner up by ID number) and
/// erased the tax period after delivery; the claim itself, its price and
/// its dates stay.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reward_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub prize_id: String,
    pub user_id: String,
    /// The redeeming client's key: a retry finds this claim.
    pub client_id: String,
    /// Coins paid.
    pub price: i64,
    pub status: super::enums::ClaimStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub real_name: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub national_id: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub contact_phone: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub shipping_address: Option<String>,
    pub guardian_consent_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub carrier: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub tracking_number: Option<String>,
    pub created_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub shipped_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// When the delivery details were erased (the tax period ended, or
    /// the grant was withdrawn).
    pub details_erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
