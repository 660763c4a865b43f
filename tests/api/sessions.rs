//! Sessions: devices, paging, revoking, logout, expiry, and how tokens
//! are stored.
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, spawn_app, spawn_app_with, TestApp, PASSWORD,
};

async fn login_from(app: &TestApp, phone: &str, device: &str) -> String {
    let resp = app
        .post("/auth/login")
        .header("X-Device-Model", device)
        .json(&json!({ "consents": ["account"], "phone": phone, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sessions_list_devices_and_mark_the_current_one() {
    let app = spawn_app().await;
    let user = app.register().await;
    let phone_token = login_from(&app, &user.phone, "Xiaomi 14").await;
    let body: Value = app.get_json_as(&phone_token, "/auth/sessions").await;
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device_model"], "Xiaomi 14");
    assert!(current[0]["last_seen_at"].is_string());
    assert!(body["next_cursor"].is_null());
}

#[tokio::test]
async fn sessions_paginate_without_repeats() {
    let app = spawn_app().await;
    let user = app.register().await;
    for i in 0..4 {
        login_from(&app, &user.phone, &format!("device {i}")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/auth/sessions?limit=2".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let body: Value = app.get_json_as(&user, &path).await;
        for item in body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5);
}

#[tokio::test]
async fn revoking_a_session_signs_that_device_out() {
    let app = spawn_app().await;
    let user = app.register().await;
    let other = login_from(&app, &user.phone, "old tablet").await;
    let sessions: Value = app.get_json_as(&user, "/auth/sessions").await;
    let tablet = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["device_model"] == "old tablet")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .delete_as(&user, &format!("/auth/sessions/{tablet}"))
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(app.me(&other).await, 401, "unauthorized").await;
    assert_eq!(app.me(&user).await.status(), 200);
}

#[tokio::test]
async fn nobody_can_revoke_someone_elses_session() {
    let app = spawn_app().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let sessions: Value = app.get_json_as(&bob, "/auth/sessions").await;
    let bobs = sessions["items"][0]["id"].as_str().unwrap().to_owned();
    let resp = app
        .delete_as(&alice, &format!("/auth/sessions/{bobs}"))
        .await;
    assert_problem(resp, 404, "not_found").await;
    assert_eq!(app.me(&bob).await.status(), 200);
    // An id that is not one is named as such, for sessions and for
    // search history entries alike.
    for path in ["/auth/sessions/not-an-id", "/me/search-history/not-an-id"] {
        assert_invalid(app.delete_as(&alice, path).await, "id", None).await;
    }
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = app.send_as(&user, Method::POST, "/auth/logout").await;
    assert_eq!(resp.status(), 204);
    assert_problem(app.me(&user).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn garbage_and_missing_tokens_are_401() {
    let app = spawn_app().await;
    assert_problem(app.get_anon("/me").await, 401, "unauthorized").await;
    assert_problem(app.me("agr_not-a-token").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn tokens_are_stored_only_as_their_sha256() {
    let app = spawn_app().await;
    let user = app.register().await;
    use sea_orm::ConnectionTrait;
    use sha2::Digest;
    let backend = app.state.db.get_database_backend();
    let row = app
        .state
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT token_hash FROM sessions".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let stored: String = row.try_get("", "token_hash").unwrap();
    assert_ne!(stored, user.token);
    assert_eq!(
        stored,
        hex::encode(sha2::Sha256::digest(user.token.as_bytes()))
    );
}

#[tokio::test]
async fn an_unused_token_expires_and_a_used_one_slides() {
    let app = spawn_app_with(|c| c.session_ttl = Duration::from_secs(3)).await;
    let idle = app.register().await;
    let busy = app.register().await;
    // The busy user keeps using their token past its first lifetime.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let resp = app.me(&busy).await;
        assert_eq!(resp.status(), 200, "a token in use stays valid");
    }
    let problem = assert_problem(app.me(&idle).await, 401, "unauthorized").await;
    assert!(problem["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = spawn_app().await;
    let user = app.register().await;
    let other = login_from(&app, &user.phone, "laptop").await;
    let resp = app
        .send_json_as(
            &user,
            Method::PUT,
            "/me/password",
            &json!({ "current_password": "not it at all", "new_password": "a new password" }),
        )
        .await;
    let problem = assert_problem(resp, 403, "wrong_password").await;
    assert_eq!(problem["errors"][0]["field"], "current_password");

    let resp = app
        .send_json_as(
            &user,
            Method::PUT,
            "/me/password",
            &json!({ "current_password": PASSWORD, "new_password": "a new password" }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(app.me(&other).await, 401, "unauthorized").await;
    assert_eq!(app.me(&user).await.status(), 200);
    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 401);
    assert_eq!(app.login(&user.phone, "a new password").await.status(), 200);
}
