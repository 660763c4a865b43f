//! Endpoint helpers for beta programs.
use chrono::{Duration, Utc};
use reqwest::Response;
use serde_json::{json, Value};

use super::{expect_status, HasId, TestApp, TestUser};

/// A program open now for the Xiaomi 15, with one question; it asks for
/// the installed apps and watches a launcher that blocks and a store that
/// does not.
pub fn program_body(capacity: u32) -> Value {
    let now = Utc::now();
    json!({
        "name": "HyperOS 3 developer beta",
        "description": "The next system build, a month early.",
        "device_models": ["Xiaomi 15", "Xiaomi 15 Pro"],
        "capacity": capacity,
        "opens_at": (now - Duration::hours(1)).to_rfc3339(),
        "closes_at": (now + Duration::days(7)).to_rfc3339(),
        "ends_at": (now + Duration::days(30)).to_rfc3339(),
        "questions": ["How do you use your phone every day?"],
        "installed_apps_reason": "The build breaks one launcher; we check that you do not have it.",
        "watched_apps": [
            { "package": "com.bad.launcher", "blocks": true },
            { "package": "com.other.store", "blocks": false },
        ],
    })
}

/// An application from a Xiaomi 15 that answers the one question.
pub fn beta_application(phone: &str, installed: Option<&[&str]>) -> Value {
    let mut body = json!({
        "contact_phone": phone,
        "device_model": "Xiaomi 15",
        "answers": ["Photos and maps, every day."],
    });
    if let Some(apps) = installed {
        body["installed_apps"] = json!(apps);
    }
    body
}

impl TestApp {
    /// An admin opens a program; its id.
    pub async fn open_program(&self, body: &Value) -> String {
        let admin = self.admin().await;
        expect_status(
            self.post_as(&admin, "/admin/beta/programs", body).await,
            201,
        )
        .await
        .id()
    }

    pub async fn apply_to_program(&self, user: &TestUser, program: &str, body: &Value) -> Response {
        self.post_as(
            user,
            &format!("/beta/programs/{program}/applications"),
            body,
        )
        .await
    }

    /// A new user, with the grant, applying with `phone` and an installed
    /// apps list holding none of the watched apps; the user and the
    /// application as answered.
    pub async fn beta_applicant(&self, program: &str, phone: &str) -> (TestUser, Value) {
        let user = self.register().await;
        self.grant(&user, "beta_program").await;
        let body = beta_application(phone, Some(&["com.tencent.mm"]));
        let created = expect_status(self.apply_to_program(&user, program, &body).await, 201).await;
        (user, created)
    }

    /// `staff` decides on an application.
    pub async fn decide_beta(
        &self,
        staff: &TestUser,
        program: &str,
        application: &str,
        decision: &str,
        reason: Option<&str>,
    ) -> Response {
        let path = format!("/admin/beta/programs/{program}/applications/{application}/decision");
        let body = json!({ "decision": decision, "reason": reason });
        self.post_as(staff, &path, &body).await
    }
}

/// Moves `program`'s end `days` into the past.
pub async fn beta_program_ended(app: &TestApp, program: &str, days: i64) {
    use sea_orm::ConnectionTrait;
    let when = (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    let cast = super::timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE beta_programs SET opens_at = '{when}'{cast}, closes_at = '{when}'{cast}, ends_at = '{when}'{cast} WHERE id = '{program}'"
        ))
        .await
        .unwrap();
}
