//! Endpoint helpers for accounts: codes, registration, sessions, profile,
//! consents and deregistration.
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use super::{
    json_of, new_phone, notice_version, send, Bearer, TestApp, TestUser, PASSWORD, TEST_CODE,
};

impl TestApp {
    pub async fn send_code(&self, phone: &str, purpose: &str) -> Response {
        send(
            self.post("/auth/sms-codes")
                .json(&json!({ "consents": ["account"], "phone": phone, "purpose": purpose })),
        )
        .await
    }

    pub async fn register_raw(&self, body: Value) -> Response {
        send(self.post("/auth/register").json(&body)).await
    }

    /// Sends a code and registers `phone`; panics unless it works.
    pub async fn register_phone(&self, phone: &str, nickname: &str) -> TestUser {
        assert_eq!(self.send_code(phone, "register").await.status(), 202);
        let resp = self
            .register_raw(json!({
                "phone": phone,
                "sms_code": TEST_CODE,
                "password": PASSWORD,
                "nickname": nickname,
                "accepted_notice_version": notice_version(),
                "consents": ["account"],
            }))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        TestUser {
            id: body["user"]["id"].as_str().unwrap().to_owned(),
            phone: phone.to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A new user called `tester`.
    pub async fn register(&self) -> TestUser {
        self.register_phone(&new_phone(), "tester").await
    }

    /// A user with the admin role.
    pub async fn admin(&self) -> TestUser {
        let admin = self.register().await;
        self.set_role(&admin.id, "admin").await;
        admin
    }

    /// A user with the moderator role.
    pub async fn moderator(&self) -> TestUser {
        let moderator = self.register().await;
        self.set_role(&moderator.id, "moderator").await;
        moderator
    }

    /// `who` gives the user `target` a role through the admin API.
    pub async fn grant_role(&self, who: &TestUser, target: &str, role: &str) -> Response {
        let path = format!("/admin/users/{target}/role");
        let body = json!({ "role": role });
        self.send_json_as(who, reqwest::Method::PUT, &path, &body)
            .await
    }

    /// Logs in with a password, granting the account purpose only.
    pub async fn login(&self, phone: &str, password: &str) -> Response {
        self.login_with(json!({ "consents": ["account"], "phone": phone, "password": password }))
            .await
    }

    /// Logs in with an SMS code, granting the account purpose only.
    pub async fn login_by_code(&self, phone: &str) -> Response {
        self.login_with(json!({ "consents": ["account"], "phone": phone, "sms_code": TEST_CODE }))
            .await
    }

    /// Logs in with this body.
    pub async fn login_with(&self, body: Value) -> Response {
        send(self.post("/auth/login").json(&body)).await
    }

    /// The token of a new session of `user` (another device).
    pub async fn sign_in(&self, user: &TestUser) -> String {
        let resp = self.login(&user.phone, PASSWORD).await;
        assert_eq!(resp.status(), 200);
        json_of(resp).await["token"].as_str().unwrap().to_owned()
    }

    /// `GET /me` as `who`.
    pub async fn me(&self, who: &(impl Bearer + ?Sized)) -> Response {
        self.get_as(who, "/me").await
    }

    /// `PATCH /me/profile` as `user`.
    pub async fn update_profile(&self, user: &TestUser, changes: Value) -> Response {
        self.patch_as(user, "/me/profile", &changes).await
    }

    /// Grants or withdraws `purpose` for `user`.
    pub async fn set_consent(&self, user: &TestUser, purpose: &str, granted: bool) -> Response {
        let path = format!("/me/consents/{purpose}");
        self.send_json_as(
            user,
            reqwest::Method::PUT,
            &path,
            &json!({ "granted": granted }),
        )
        .await
    }

    /// Grants `purpose` for `user`; panics unless it works.
    pub async fn grant(&self, user: &TestUser, purpose: &str) {
        assert_eq!(self.set_consent(user, purpose, true).await.status(), 200);
    }

    /// Sets `user`'s city (which needs the location grant).
    pub async fn set_city(&self, user: &TestUser, city: &str) -> Response {
        let body = json!({ "city": city });
        self.send_json_as(user, reqwest::Method::PUT, "/me/location", &body)
            .await
    }

    /// Asks to deregister with this body.
    pub async fn deregister(&self, user: &TestUser, body: Value) -> Response {
        self.post_as(user, "/me/deregistration", &body).await
    }

    /// Asks to deregister, confirmed by the password.
    pub async fn request_deregistration(
        &self,
        who: &(impl Bearer + ?Sized),
        scope: &str,
        content: &str,
    ) -> Response {
        let body = json!({ "scope": scope, "content": content, "password": PASSWORD });
        self.post_as(who, "/me/deregistration", &body).await
    }
}
