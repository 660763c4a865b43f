//! Errors as problem+json: malformed and oversized bodies, wrong types,
//! unknown routes, and the error code table.
use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    assert_invalid, assert_problem, fields, new_phone, send, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let resp = app
        .post("/auth/login")
        .header("content-type", "application/json")
        .body("{\"phone\": ")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "malformed_json").await;
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_named() {
    let app = spawn_app().await;
    let resp = send(app.post("/auth/register").json(&json!({ "consents": ["account"], "phone": 13800138000u64, "sms_code": "123456", "password": ["x"] }))).await;
    let problem = assert_problem(resp, 400, "validation_failed").await;
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(
        named,
        ["accepted_notice_version", "nickname", "password", "phone"]
    );
    let codes: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"invalid_type") && codes.contains(&"required"));
}

#[tokio::test]
async fn an_unknown_enum_value_is_named() {
    let app = spawn_app().await;
    let resp = send(
        app.post("/auth/sms-codes")
            .json(&json!({ "consents": ["account"], "phone": new_phone(), "purpose": "lottery" })),
    )
    .await;
    assert_invalid(resp, "purpose", Some("not_allowed")).await;
}

#[tokio::test]
async fn a_json_body_over_the_cap_is_413() {
    let app = spawn_app_with(|c| c.json_body_limit = 1024).await;
    let resp = send(app.post("/auth/login").json(
        &json!({ "consents": ["account"], "phone": new_phone(), "password": "p".repeat(4000) }),
    ))
    .await;
    assert_problem(resp, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_huge_declared_body_is_refused_before_it_is_read() {
    let app = spawn_app_with(|c| {
        c.json_body_limit = 1024;
        c.upload_image_limit = 4096;
    })
    .await;
    let resp = app
        .post("/auth/login")
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_problem(resp, 413, "payload_too_large").await;
}

#[tokio::test]
async fn the_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let resp = app
        .post("/auth/login")
        .header("content-type", "text/plain")
        .body("phone=1")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = spawn_app().await;
    assert_problem(app.get_anon("/no/such/thing").await, 404, "not_found").await;
    let resp = app.api(Method::DELETE, "/auth/login").send().await.unwrap();
    assert_eq!(
        resp.headers()["allow"],
        "POST",
        "RFC 9110: a 405 says what is allowed"
    );
    assert_problem(resp, 405, "method_not_allowed").await;
    let resp = app.api(Method::POST, "/plaza").send().await.unwrap();
    assert_eq!(resp.headers()["allow"], "GET, HEAD");
    assert_problem(resp, 405, "method_not_allowed").await;
    // A literal path beats a template, as the router ranks them: the
    // avatar form is not `DELETE /uploads/{id}`.
    let user = app.register().await;
    let resp = app.send_as(&user, Method::DELETE, "/uploads/avatar").await;
    assert_eq!(resp.headers()["allow"], "POST");
    assert_problem(resp, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_on_a_signed_in_route_is_a_400_not_a_500() {
    let app = spawn_app().await;
    let user = app.register().await;
    for (method, path) in [(Method::PUT, "/me/location"), (Method::POST, "/posts")] {
        let resp = app
            .api_as(&user, method, path)
            .header("content-type", "application/json")
            .body("x")
            .send()
            .await
            .unwrap();
        assert_problem(resp, 400, "malformed_json").await;
    }
}

#[tokio::test]
async fn a_route_that_needs_a_session_answers_401_before_judging_the_form() {
    let app = spawn_app().await;
    // Anonymous, carrying an optional-consent field: the caller is not
    // signed in, which is the answer (not which grant is missing).
    let body = serde_json::json!({ "city": "杭州" });
    let resp = app
        .api(Method::PUT, "/me/location")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 401, "unauthorized").await;
}

#[tokio::test]
async fn bad_paging_parameters_are_named() {
    let app = spawn_app().await;
    let user = app.register().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("limit=abc", "limit"),
        ("cursor=%%%", "cursor"),
    ] {
        let resp = app.get_as(&user, &format!("/auth/sessions?{query}")).await;
        let problem = assert_problem(resp, 400, "validation_failed").await;
        assert_eq!(fields(&problem), [field], "{query}");
    }
}

#[tokio::test]
async fn every_error_code_has_a_distinct_name_and_a_4xx_or_5xx_status() {
    let mut seen = std::collections::HashSet::new();
    for code in agora::error::ErrorCode::ALL {
        assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
        assert!(code.status().is_client_error() || code.status().is_server_error());
        assert!(code
            .as_str()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_'));
    }
}

#[tokio::test]
async fn a_malformed_id_is_a_400_naming_it_in_the_path_and_in_the_body() {
    let app = spawn_app().await;
    let user = app.register().await;
    // Parsed once at the edge: a path id that is not a UUID never reaches
    // a query, and the answer says which parameter it was.
    assert_invalid(
        app.get_anon("/posts/not-an-id").await,
        "id",
        Some("invalid_format"),
    )
    .await;
    assert_invalid(
        app.get_as(&user, "/conversations/42/messages").await,
        "id",
        Some("invalid_format"),
    )
    .await;
    let resp = app
        .post_as(
            &user,
            "/posts",
            &json!({ "title": "t", "body": "b", "circle_id": "nope" }),
        )
        .await;
    assert_invalid(resp, "circle_id", Some("invalid_format")).await;
    let resp = app
        .post_as(&user, "/conversations", &json!({ "peer_id": "../users" }))
        .await;
    assert_invalid(resp, "peer_id", Some("invalid_format")).await;
    // A well-formed id of nothing is still a 404.
    let resp = app
        .get_anon("/posts/01900000-0000-7000-8000-000000000000")
        .await;
    assert_problem(resp, 404, "not_found").await;
}
