use sea_orm::entity::prelude::*;

/// An application to a beta program: the contact phone as ciphertext, the
/// device model, the answers (JSON), and the screening verdict. Of an
/// installed-apps list only which watched apps were present is kept.
/// What the applicant gave is erased (the columns emptied, `erased_at`
/// set) after the program ends.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "beta_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub program_id: String,
    pub user_id: String,
    pub status: super::enums::BetaStatus,
    pub reason: Option<String>,
    pub contact_phone: Option<String>,
    pub device_model: Option<String>,
    pub answers: Option<String>,
    pub eligible: bool,
    /// The screening rules not met (JSON list of rule keys).
    #[sea_orm(column_type = "Text")]
    pub unmet: String,
    /// The program's watched apps that were installed (JSON list); absent
    /// when no list was checked.
    pub watched_present: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
