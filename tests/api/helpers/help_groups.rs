//! Endpoint helpers for help groups.
use reqwest::Response;
use serde_json::{json, Value};

use super::{expect_status, HasId, TestApp, TestUser};

/// A group in Shenzhen, managed by `managers`.
pub fn group_body(name: &str, managers: &[&TestUser]) -> Value {
    let ids: Vec<&str> = managers.iter().map(|m| m.id.as_str()).collect();
    json!({
        "name": name,
        "description": "Fans helping fans with repairs and set-up.",
        "city": "Shenzhen",
        "manager_ids": ids,
    })
}

/// What an applicant gives: a phone, a QQ number and, if `wechat`, a
/// WeChat ID.
pub fn application_body(phone: &str, qq: &str, wechat: Option<&str>) -> Value {
    let mut body = json!({ "contact_phone": phone, "qq_number": qq });
    if let Some(wechat) = wechat {
        body["wechat_id"] = json!(wechat);
    }
    body
}

impl TestApp {
    /// An admin defines a group managed by `managers`; its id.
    pub async fn create_group(&self, managers: &[&TestUser]) -> String {
        let admin = self.admin().await;
        let body = group_body("深圳米粉互助组", managers);
        expect_status(self.post_as(&admin, "/admin/help-groups", &body).await, 201)
            .await
            .id()
    }

    pub async fn apply_to(&self, user: &TestUser, group: &str, body: &Value) -> Response {
        self.post_as(user, &format!("/help-groups/{group}/applications"), body)
            .await
    }

    /// `manager` decides on an application.
    pub async fn decide_application(
        &self,
        manager: &TestUser,
        group: &str,
        application: &str,
        decision: &str,
        reason: Option<&str>,
    ) -> Response {
        let path = format!("/admin/help-groups/{group}/applications/{application}/decision");
        let body = json!({ "decision": decision, "reason": reason });
        self.post_as(manager, &path, &body).await
    }
}
