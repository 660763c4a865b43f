//! What the help-groups API shows and takes.
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::identity::views::PublicUser;

/// An item an application gives: the catalog's `help_group_application`
/// items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ApplicationItem {
    ContactPhone,
    QqNumber,
    WechatId,
}

impl ApplicationItem {
    /// The catalog's key, which is also the application form's field.
    pub fn key(self) -> &'static str {
        match self {
            Self::ContactPhone => "contact_phone",
            Self::QqNumber => "qq_number",
            Self::WechatId => "wechat_id",
        }
    }
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ApplicationStatus {
    /// Waiting for a manager.
    Pending,
    /// A member of the group.
    Approved,
    /// Turned down, with a reason.
    Rejected,
    /// The member left.
    Left,
    /// A manager removed the member, with a reason.
    Removed,
}

crate::convert::mirror!(
    ApplicationStatus,
    entity::enums::ApplicationStatus,
    [Pending, Approved, Rejected, Left, Removed]
);

/// A help group (互助组).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct HelpGroupView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub city: Option<String>,
    pub product: Option<String>,
    /// Approved members.
    pub members: u64,
    /// Who reviews applications, and so sees applicants' contact details
    /// (masked, unless they reveal one with a logged reason).
    pub managers: Vec<PublicUser>,
    pub created_at: DateTime<Utc>,
}

/// What an application gave (for its applicant in full; for managers
/// masked, or in full through a logged reveal).
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ApplicationDetails {
    pub contact_phone: Option<String>,
    pub qq_number: Option<String>,
    pub wechat_id: Option<String>,
}

/// An application, as its applicant sees it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ApplicationView {
    pub id: String,
    pub group_id: String,
    pub status: ApplicationStatus,
    /// Why it was rejected, or the member removed.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    /// When what it gave is erased: 90 days after a rejection, or after
    /// leaving or being removed.
    pub erased_after: Option<DateTime<Utc>>,
    /// What I gave (one application; absent in lists).
    pub details: Option<ApplicationDetails>,
}

impl poem_openapi::types::Example for HelpGroupView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("HelpGroupId"),
            name: "深圳米粉互助组".into(),
            description: "Fans in Shenzhen helping each other with repairs and set-up.".into(),
            city: Some("Shenzhen".into()),
            product: None,
            members: 42,
            managers: vec![PublicUser::example()],
            created_at: crate::api::examples::time(20, 9, 0),
        }
    }
}

impl poem_openapi::types::Example for ApplicationDetails {
    fn example() -> Self {
        Self {
            contact_phone: Some("+8613800138000".into()),
            qq_number: Some("123456789".into()),
            wechat_id: None,
        }
    }
}

impl poem_openapi::types::Example for ApplicationView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("ApplicationId"),
            group_id: crate::api::examples::id("HelpGroupId"),
            status: ApplicationStatus::Approved,
            reason: None,
            created_at: crate::api::examples::time(25, 18, 30),
            decided_at: Some(crate::api::examples::time(26, 10, 5)),
            left_at: None,
            erased_after: None,
            details: None,
        }
    }
}
