//! Consent: what registration and login grant, optional purposes off by
//! default, receipts for every grant and withdrawal, what a withdrawal
//! erases, and requests that try to get past the check.
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, fields, items_of, json_of, new_phone, notice_version, send,
    spawn_app, TestApp, TestUser, PASSWORD, TEST_CODE,
};

async fn city(app: &TestApp, user: &TestUser) -> Value {
    app.get_json_as(user, "/me").await["city"].clone()
}

#[tokio::test]
async fn registering_without_the_separate_grant_for_the_phone_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let phone = new_phone();
    let resp = send(
        app.post("/auth/sms-codes")
            .json(&json!({ "phone": phone, "purpose": "register" })),
    )
    .await;
    let problem = assert_problem(resp, 403, "consent_required").await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "account", "items": ["phone_number"] }])
    );
    assert_eq!(app.count("sms_codes").await, 0);

    app.send_code(&phone, "register").await;
    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": notice_version(),
    });
    let problem = assert_problem(app.register_raw(body).await, 403, "consent_required").await;
    assert_eq!(problem["purposes"][0]["purpose"], "account");
    assert_eq!(app.count("users").await, 0);

    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": "an-old-version", "consents": ["account", "teleportation"],
    });
    let problem = assert_problem(app.register_raw(body).await, 400, "validation_failed").await;
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(named, ["accepted_notice_version", "consents[1]"]);
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn registering_under_an_earlier_notice_conflicts_and_creates_nothing() {
    let app = spawn_app().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    // Well formed, but not the notice in force: the same 409 as accepting
    // it later would get, naming the field.
    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": "0123456789abcdef", "consents": ["account"],
    });
    let problem = assert_problem(app.register_raw(body).await, 409, "conflict").await;
    assert_eq!(fields(&problem), ["accepted_notice_version"]);
    assert_eq!(problem["errors"][0]["code"], "outdated");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains(notice_version()));
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn optional_purposes_are_off_by_default_and_refused_without_a_grant() {
    let app = spawn_app().await;
    let user = app.register().await;
    let states = app.get_json_as(&user, "/me/consents").await;
    let state = |purpose: &str| {
        states
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["purpose"] == purpose)
            .unwrap()
            .clone()
    };
    let location = state("location");
    assert_eq!(location["necessity"], "optional");
    assert_eq!(location["granted"], false);
    assert_eq!(
        state("profile")["granted"],
        true,
        "essential purposes without sensitive items are on"
    );
    assert_eq!(
        state("account")["granted"],
        true,
        "granted on the registration form"
    );

    let problem = assert_problem(app.set_city(&user, "杭州").await, 403, "consent_required").await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "location", "items": ["city"] }])
    );
    assert!(city(&app, &user).await.is_null());
    assert_eq!(app.count("user_locations").await, 0);
}

#[tokio::test]
async fn a_grant_yields_a_receipt_and_a_withdrawal_stops_processing_and_erases_at_once() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = app.set_consent(&user, "location", true).await;
    assert_eq!(resp.status(), 200);
    let receipt = json_of(resp).await;
    for key in [
        "receipt_id",
        "timestamp",
        "jurisdiction",
        "controller",
        "notice_version",
        "purpose",
        "items",
        "legal_basis",
        "retention",
        "third_parties",
    ] {
        assert!(!receipt[key].is_null(), "receipt lacks {key}: {receipt}");
    }
    assert_eq!(receipt["action"], "grant");
    assert_eq!(receipt["granted"], true);
    assert_eq!(receipt["purpose"], "location");
    assert_eq!(receipt["notice_version"], notice_version());
    assert_eq!(receipt["legal_basis"], "dpv:Consent");
    assert_eq!(receipt["items"][0]["item"], "city");

    assert_eq!(app.set_city(&user, "杭州").await.status(), 204);
    assert_eq!(city(&app, &user).await, "杭州");

    let withdrawal = json_of(app.set_consent(&user, "location", false).await).await;
    assert_eq!(withdrawal["action"], "withdrawal");
    assert_eq!(withdrawal["granted"], false);
    assert!(
        city(&app, &user).await.is_null(),
        "the city is erased with the withdrawal"
    );
    assert_eq!(app.count("user_locations").await, 0);
    assert_problem(app.set_city(&user, "杭州").await, 403, "consent_required").await;

    // Refusing what was never granted is a refusal.
    let refusal = json_of(app.set_consent(&user, "usage_statistics", false).await).await;
    assert_eq!(refusal["action"], "refusal");

    let receipts = items_of(&app.get_json_as(&user, "/me/consent-receipts").await);
    let actions: Vec<(&str, &str)> = receipts
        .iter()
        .map(|r| {
            (
                r["purpose"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("usage_statistics", "refusal"),
            ("location", "withdrawal"),
            ("location", "grant"),
            ("account", "grant")
        ]
    );
    // Receipts are immutable: the first one is unchanged by what followed.
    let first = receipts
        .iter()
        .find(|r| r["receipt_id"] == receipt["receipt_id"])
        .unwrap();
    assert_eq!(first, &receipt);
}

#[tokio::test]
async fn essential_purposes_end_only_by_deregistration_but_sensitive_extras_can_be_withdrawn() {
    let app = spawn_app().await;
    let user = app.register().await;
    for essential in ["account", "profile"] {
        assert_problem(
            app.set_consent(&user, essential, false).await,
            409,
            "consent_not_withdrawable",
        )
        .await;
    }
    assert_eq!(app.set_consent(&user, "browsing", true).await.status(), 200);
    assert_eq!(
        app.set_consent(&user, "browsing", false).await.status(),
        200
    );
    assert_problem(
        app.set_consent(&user, "mind_reading", true).await,
        404,
        "not_found",
    )
    .await;
}

async fn login_with_device_id(app: &TestApp, phone: &str, consents: Value) -> String {
    let body = json!({ "phone": phone, "password": PASSWORD, "consents": consents });
    let resp = send(
        app.post("/auth/login")
            .header("X-Device-Id", "OAID-SECRET-4242")
            .header("X-Device-Model", "Redmi K70")
            .json(&body),
    )
    .await;
    assert_eq!(resp.status(), 200);
    json_of(resp).await["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_sensitive_header_is_dropped_without_its_grant_and_kept_encrypted_with_it() {
    let app = spawn_app().await;
    let user = app.register().await;
    let sessions_where = |condition: &str| {
        let sql = format!("SELECT COUNT(*) FROM sessions WHERE {condition}");
        let app = &app;
        async move { app.sql_count(&sql).await }
    };
    login_with_device_id(&app, &user.phone, json!(["account"])).await;
    assert_eq!(sessions_where("device_id IS NOT NULL").await, 0);
    assert_eq!(
        sessions_where("device_model = 'Redmi K70'").await,
        1,
        "plain device headers are kept"
    );

    login_with_device_id(&app, &user.phone, json!(["account", "browsing"])).await;
    assert_eq!(sessions_where("device_id IS NOT NULL").await, 1);
    assert_eq!(
        sessions_where("device_id LIKE '%OAID%'").await,
        0,
        "stored encrypted"
    );
}

#[tokio::test]
async fn letter_case_in_headers_does_not_get_past_the_consent_check() {
    let app = spawn_app().await;
    let user = app.register().await;
    let location = || app.api(Method::PUT, "/me/location");
    // A content type in capitals is still JSON to the consent check.
    let resp = send(
        location()
            .bearer_auth(&user.token)
            .header("content-type", "Application/JSON")
            .body(r#"{"city":"杭州"}"#),
    )
    .await;
    assert_problem(resp, 403, "consent_required").await;
    // A scheme in capitals is still this user: grants come from the record,
    // never from the request.
    let resp = send(
        location()
            .header("authorization", format!("BEARER {}", user.token))
            .json(&json!({ "city": "杭州", "consents": ["location"] })),
    )
    .await;
    assert_problem(resp, 403, "consent_required").await;
    let resp = send(
        location()
            .header("authorization", format!("Basic {}", user.token))
            .json(&json!({ "city": "杭州" })),
    )
    .await;
    assert_problem(resp, 401, "unauthorized").await;
    assert_eq!(app.count("user_locations").await, 0);
}

#[tokio::test]
async fn a_signed_in_users_grants_do_not_cover_someone_elses_registration() {
    let app = spawn_app().await;
    let user = app.register().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": notice_version(),
    });
    let resp = app.post_as(&user, "/auth/register", &body).await;
    assert_problem(resp, 403, "consent_required").await;
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn what_the_login_form_grants_is_recorded_with_a_receipt() {
    let app = spawn_app().await;
    let user = app.register().await;
    let grant = |consents: Value| {
        app.login_with(json!({ "phone": user.phone, "password": PASSWORD, "consents": consents }))
    };
    assert_eq!(grant(json!(["account", "browsing"])).await.status(), 200);
    let states = app.get_json_as(&user, "/me/consents").await;
    let browsing = states
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["purpose"] == "browsing")
        .unwrap();
    assert_eq!(browsing["granted"], true);
    let receipts = app.get_json_as(&user, "/me/consent-receipts").await;
    assert_eq!(receipts["items"][0]["purpose"], "browsing");
    let resp = grant(json!(["account", "nonsense"])).await;
    assert_invalid(resp, "consents[1]", None).await;
}
