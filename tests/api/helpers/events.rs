//! Endpoint helpers for events.
use chrono::{Duration, Utc};
use reqwest::Response;
use serde_json::{json, Value};

use super::{expect_status, TestApp, TestUser};

/// A valid resident ID number for a birth date (`YYYYMMDD`), unique by
/// `sequence` (three digits).
pub fn national_id(birth: &str, sequence: u32) -> String {
    agora::identity::national_id::with_check("440305", birth, &format!("{:03}", sequence % 1000))
}

/// An event in Shenzhen ten days from now, open for registration now,
/// collecting `items` (`(item, reason)`).
pub fn event_body(title: &str, items: &[&str], ships: bool) -> Value {
    let now = Utc::now();
    let items: Vec<Value> = items
        .iter()
        .map(|item| json!({ "item": item, "reason": format!("we need the {item}") }))
        .collect();
    json!({
        "title": title,
        "description": "Hands-on with the new phones.",
        "city": "Shenzhen",
        "starts_at": now + Duration::days(10),
        "ends_at": now + Duration::days(10) + Duration::hours(3),
        "registration_opens_at": now - Duration::hours(1),
        "registration_closes_at": now + Duration::days(9),
        "capacity": 50,
        "ships": ships,
        "items": items,
    })
}

/// Every item an event can ask for.
pub const ALL_EVENT_ITEMS: [&str; 6] = [
    "real_name",
    "gender",
    "contact_phone",
    "national_id_number",
    "shipping_address",
    "city",
];

/// The code `user`'s guardian at `phone` (as typed, a mainland number)
/// receives now for `event`, derived with this server's keys.
pub fn guardian_code(app: &TestApp, user: &TestUser, event: &str, phone: &str) -> String {
    guardian_code_for(app, user, ("event", event), phone)
}

/// The code for a subject of any kind (`("prize_claim", claim)`).
pub fn guardian_code_for(
    app: &TestApp,
    user: &TestUser,
    (kind, id): (&'static str, &str),
    phone: &str,
) -> String {
    use agora::identity::guardian::{derive, window, Subject};
    let subject = Subject { kind, id };
    derive(
        &app.state.crypto,
        &user.id,
        &subject,
        &format!("+86{phone}"),
        window(Utc::now()),
    )
}

impl TestApp {
    pub async fn try_create_event(&self, staff: &TestUser, body: &Value) -> Response {
        self.post_as(staff, "/admin/events", body).await
    }

    /// `staff` publishes an event; its view.
    pub async fn create_event(&self, staff: &TestUser, body: &Value) -> Value {
        expect_status(self.try_create_event(staff, body).await, 201).await
    }

    pub async fn register_for(&self, user: &TestUser, event: &str, body: &Value) -> Response {
        self.post_as(user, &format!("/events/{event}/registrations"), body)
            .await
    }
}
