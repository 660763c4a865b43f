//! Rate limits on codes, logins, reads and writes.
use agora::platform::ratelimit::ActionClass;
use serde_json::json;

use crate::helpers::{
    assert_problem, new_phone, retry_after, send, set_limit, spawn_app, spawn_app_with, PASSWORD,
};

#[tokio::test]
async fn one_sms_per_phone_per_minute() {
    let app = spawn_app().await;
    let phone = new_phone();
    assert_eq!(app.send_code(&phone, "register").await.status(), 202);
    let resp = app.send_code(&phone, "register").await;
    let wait = retry_after(&resp);
    assert!((50..=60).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "rate_limited").await;
    // Another number is not held up.
    assert_eq!(app.send_code(&new_phone(), "register").await.status(), 202);
}

#[tokio::test]
async fn ten_sms_per_hour_from_one_ip() {
    let app = spawn_app().await;
    for _ in 0..10 {
        assert_eq!(app.send_code(&new_phone(), "register").await.status(), 202);
    }
    let resp = app.send_code(&new_phone(), "register").await;
    assert!(retry_after(&resp) > 60);
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn five_logins_a_minute_per_account() {
    let app = spawn_app().await;
    let user = app.register().await;
    for _ in 0..5 {
        assert_eq!(app.login(&user.phone, "wrong password").await.status(), 401);
    }
    // Even the right password waits now: that is what stops guessing.
    let resp = app.login(&user.phone, PASSWORD).await;
    assert!(retry_after(&resp) >= 1);
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn ten_logins_a_minute_per_ip() {
    let app = spawn_app().await;
    for _ in 0..10 {
        assert_eq!(app.login(&new_phone(), PASSWORD).await.status(), 401);
    }
    assert_problem(app.login(&new_phone(), PASSWORD).await, 429, "rate_limited").await;
}

#[tokio::test]
async fn limits_are_configurable_per_action_class() {
    let app = spawn_app_with(|c| {
        set_limit(c, ActionClass::ReadAccount, "3/1m");
    })
    .await;
    let user = app.register().await;
    for _ in 0..3 {
        assert_eq!(app.me(&user).await.status(), 200);
    }
    assert_problem(app.me(&user).await, 429, "rate_limited").await;
    // Another account is not affected.
    let other = app.register().await;
    assert_eq!(app.me(&other).await.status(), 200);
}

#[tokio::test]
async fn per_ip_write_limits_apply_to_every_route() {
    let app = spawn_app_with(|c| {
        set_limit(c, ActionClass::WriteIp, "2/1m");
    })
    .await;
    for _ in 0..2 {
        let resp = send(app.post("/auth/login").json(&json!({}))).await;
        assert_eq!(resp.status(), 400);
    }
    let resp = send(app.post("/auth/login").json(&json!({}))).await;
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn behind_a_proxy_the_client_cannot_dodge_per_ip_limits_with_x_forwarded_for() {
    let app = spawn_app_with(|c| {
        c.trust_forwarded_for = true;
        c.trusted_proxies = 1;
        set_limit(c, ActionClass::ReadIp, "3/1h");
    })
    .await;
    // Our proxy appends the address it saw (203.0.113.7); whatever the
    // client wrote before it changes every time.
    let read = |i: u32| {
        let spoofed = format!("10.0.0.{i}, 203.0.113.7");
        send(app.get("/circles").header("x-forwarded-for", spoofed))
    };
    for i in 0..3 {
        assert_eq!(read(i).await.status(), 200);
    }
    assert_problem(read(3).await, 429, "rate_limited").await;
    // Another client behind the same proxy has its own allowance.
    let other = send(
        app.get("/circles")
            .header("x-forwarded-for", "198.51.100.9"),
    )
    .await;
    assert_eq!(other.status(), 200);
    // A proxy that adds a header line of its own rather than extending
    // the client's: the lines are read as one list.
    let two_lines = |i: u32| {
        send(
            app.get("/circles")
                .header("x-forwarded-for", format!("10.9.9.{i}"))
                .header("x-forwarded-for", "192.0.2.50"),
        )
    };
    for i in 0..3 {
        assert_eq!(two_lines(i).await.status(), 200);
    }
    assert_problem(two_lines(3).await, 429, "rate_limited").await;
    // An IPv6 client rotating through its own /64 is one client.
    let v6 = |i: u32| {
        let address = format!("2001:db8:1:2::{i:x}");
        send(app.get("/circles").header("x-forwarded-for", address))
    };
    for i in 1..4 {
        assert_eq!(v6(i).await.status(), 200);
    }
    assert_problem(v6(4).await, 429, "rate_limited").await;
}
