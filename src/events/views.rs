//! What the events API shows and takes.
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::{identity::views::Gender, privacy::catalog};

/// An item an event may ask for: the catalog's `event_registration` items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Enum, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EventItem {
    RealName,
    Gender,
    ContactPhone,
    NationalIdNumber,
    ShippingAddress,
    City,
}

impl EventItem {
    pub const ALL: [Self; 6] = [
        Self::RealName,
        Self::Gender,
        Self::ContactPhone,
        Self::NationalIdNumber,
        Self::ShippingAddress,
        Self::City,
    ];

    /// The catalog's key, which is also the registration form's field.
    pub fn key(self) -> &'static str {
        match self {
            Self::RealName => "real_name",
            Self::Gender => "gender",
            Self::ContactPhone => "contact_phone",
            Self::NationalIdNumber => "national_id_number",
            Self::ShippingAddress => "shipping_address",
            Self::City => "city",
        }
    }
}

/// An item an event collects, and why.
#[derive(Clone, Debug, Object, serde::Serialize, serde::Deserialize)]
pub struct DeclaredItem {
    /// privacy: not personal
    pub item: EventItem,
    /// Why the event needs it, as registrants will read it.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub reason: String,
}

/// What an event collects, as the public sees it.
#[derive(Debug, Object)]
pub struct CollectedItem {
    pub item: EventItem,
    pub name_en: String,
    pub name_zh: String,
    pub reason: String,
    /// Sensitive: registering needs the `event_registration` grant.
    pub sensitive: bool,
}

impl CollectedItem {
    pub fn of(declared: &DeclaredItem) -> Self {
        let item = catalog::item(declared.item.key());
        Self {
            item: declared.item,
            name_en: item.map(|i| i.name_en).unwrap_or_default().to_owned(),
            name_zh: item.map(|i| i.name_zh).unwrap_or_default().to_owned(),
            reason: declared.reason.clone(),
            sensitive: item.is_some_and(|i| i.sensitivity == catalog::Sensitivity::Sensitive),
        }
    }
}

/// An official event.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct EventView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub cover_url: Option<String>,
    /// Where it happens; absent for an online event.
    pub city: Option<String>,
    pub online: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i32,
    /// Whether the event sends registrants something by post.
    pub ships: bool,
    /// Everything registering gives the organisers, and why.
    pub collects: Vec<CollectedItem>,
    /// Once what registrants gave is erased (after the event), how the
    /// registrations ended: counts only, nobody's.
    pub final_counts: Option<RegistrationCounts>,
}

/// How many registrations ended in each status.
#[derive(Clone, Debug, Default, Object, serde::Serialize, serde::Deserialize)]
pub struct RegistrationCounts {
    pub pending: u64,
    pub approved: u64,
    pub rejected: u64,
    pub waitlisted: u64,
    pub cancelled: u64,
}

impl RegistrationCounts {
    pub fn add(&mut self, status: entity::enums::RegistrationStatus, n: u64) {
        use entity::enums::RegistrationStatus as S;
        let slot = match status {
            S::Pending => &mut self.pending,
            S::Approved => &mut self.approved,
            S::Rejected => &mut self.rejected,
            S::Waitlisted => &mut self.waitlisted,
            S::Cancelled => &mut self.cancelled,
        };
        *slot += n;
    }
}

/// Where a registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RegistrationStatus {
    Pending,
    Approved,
    Rejected,
    Waitlisted,
    Cancelled,
}

crate::convert::mirror!(
    RegistrationStatus,
    entity::enums::RegistrationStatus,
    [Pending, Approved, Rejected, Waitlisted, Cancelled]
);

/// The values a registration holds (each only if the event asked for it):
/// in full to the registrant and in a reveal (only the items revealed),
/// masked to staff otherwise.
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RegistrationDetails {
    pub real_name: Option<String>,
    pub gender: Option<Gender>,
    pub contact_phone: Option<String>,
    pub national_id_number: Option<String>,
    pub shipping_address: Option<String>,
    pub city: Option<String>,
}

/// One of my registrations.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct RegistrationView {
    pub id: String,
    pub event_id: String,
    pub status: RegistrationStatus,
    /// Why it was rejected, when it was.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// When my guardian consented (registrants under 14 only).
    pub guardian_consent_at: Option<DateTime<Utc>>,
    /// What I gave (in `GET /me/event-registrations/{id}` only; nothing
    /// once withdrawn or past retention).
    pub details: Option<RegistrationDetails>,
}

impl poem_openapi::types::Example for EventView {
    fn example() -> Self {
        let at = crate::api::examples::time;
        Self {
            id: crate::api::examples::id("EventId"),
            title: "Xiaomi 15 launch meet-up".into(),
            description: "Hands-on with the new phones, and a Q&A with the camera team.".into(),
            cover_url: None,
            city: Some("Shenzhen".into()),
            online: false,
            starts_at: at(28, 6, 0),
            ends_at: at(28, 9, 0),
            registration_opens_at: at(1, 0, 0),
            registration_closes_at: at(26, 0, 0),
            capacity: 120,
            ships: false,
            collects: vec![CollectedItem {
                item: EventItem::ContactPhone,
                name_en: "contact phone number".into(),
                name_zh: "联系电话".into(),
                reason: "To reach you if the venue changes.".into(),
                sensitive: true,
            }],
            final_counts: None,
        }
    }
}

impl poem_openapi::types::Example for RegistrationView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("RegistrationId"),
            event_id: crate::api::examples::id("EventId"),
            status: RegistrationStatus::Pending,
            reason: None,
            created_at: crate::api::examples::time(20, 12, 0),
            decided_at: None,
            guardian_consent_at: None,
            details: None,
        }
    }
}

/// A reveal of the contact phone (`RevealRequest`'s example).
impl poem_openapi::types::Example for RegistrationDetails {
    fn example() -> Self {
        Self {
            contact_phone: Some("+8613800138000".into()),
            ..Default::default()
        }
    }
}
