//! Liveness, readiness naming what is down, and request ids.
use serde_json::Value;

use crate::helpers::{
    assert_problem, meili_url, pg_url, redis_url, send, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let resp = app.get_root("/healthz").await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn readyz_reports_every_backend_up() {
    let app = spawn_app().await;
    let resp = app.get_root("/readyz").await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["cache"], "ok");
    let expected = if redis_url().is_some() {
        "redis"
    } else {
        "memory"
    };
    assert_eq!(body["checks"]["cache_kind"], expected);
    // What protects each wire: this run's backends are on this machine,
    // reached in clear (or, for PostgreSQL, as its server offers).
    let tls = &body["checks"]["tls"];
    let cache = if redis_url().is_some() {
        "off"
    } else {
        "embedded"
    };
    assert_eq!(tls["cache"], cache);
    let search = if meili_url().is_some() {
        "off"
    } else {
        "embedded"
    };
    assert_eq!(tls["search"], search);
    if pg_url().is_some() {
        let database = tls["database"].as_str().unwrap();
        assert!(["off", "unverified"].contains(&database), "{tls}");
    } else {
        assert_eq!(tls["database"], "embedded");
    }
}

#[tokio::test]
async fn readyz_is_503_naming_the_cache_when_redis_is_unreachable_while_the_api_keeps_working() {
    let app = spawn_app_with(|c| {
        c.redis_url = Some(agora::config::Secret::new("redis://127.0.0.1:1"));
    })
    .await;
    let resp = app.get_root("/readyz").await;
    let body = assert_problem(resp, 503, "unavailable").await;
    assert_eq!(body["checks"]["cache"], "down");
    assert_eq!(body["checks"]["database"], "ok");
    assert!(body["detail"].as_str().unwrap().contains("cache"));
    // Liveness and the database-backed API are unaffected.
    let resp = app.get_root("/healthz").await;
    assert_eq!(resp.status(), 200);
    app.register().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_echoed() {
    let app = spawn_app().await;
    let resp = app.get_root("/healthz").await;
    assert!(resp.headers().get("x-request-id").is_some());
    let resp = send(
        app.client
            .get(format!("{}/healthz", app.address))
            .header("x-request-id", "trace-me-123"),
    )
    .await;
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");
}
