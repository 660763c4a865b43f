//! Endpoint helpers for prizes and claims.
use reqwest::Response;
use serde_json::{json, Value};

use super::{expect_status, HasId, TestApp, TestUser};

/// A prize on offer from now: `price` coins, `stock` units, `kind`
/// (`physical` or `virtual`), one per person.
pub fn prize_body(price: i64, stock: i64, kind: &str) -> Value {
    json!({
        "name": "Community T-shirt",
        "description": "Cotton.",
        "kind": kind,
        "price": price,
        "stock": stock,
    })
}

/// `admin` defines a prize; its id.
pub async fn create_prize(app: &TestApp, admin: &TestUser, body: &Value) -> String {
    expect_status(app.post_as(admin, "/admin/rewards/prizes", body).await, 201)
        .await
        .id()
}

/// `user` redeems `prize` with `client_id`.
pub async fn try_redeem(app: &TestApp, user: &TestUser, prize: &str, client_id: &str) -> Response {
    let path = format!("/rewards/prizes/{prize}/redemptions");
    app.post_as(user, &path, &json!({ "client_id": client_id }))
        .await
}

/// `user` redeems `prize`; the claim's id.
pub async fn redeem(app: &TestApp, user: &TestUser, prize: &str) -> String {
    let client_id = uuid::Uuid::new_v4().to_string();
    expect_status(try_redeem(app, user, prize, &client_id).await, 201)
        .await
        .id()
}

/// Delivery details: `{name}-name`, `{name}-address`, this ID and phone.
pub fn delivery_body(name: &str, national_id: &str, phone: &str) -> Value {
    json!({
        "real_name": format!("{name}-name"),
        "national_id_number": national_id,
        "contact_phone": phone,
        "shipping_address": format!("{name}-address"),
    })
}

pub async fn give_delivery(app: &TestApp, user: &TestUser, claim: &str, body: &Value) -> Response {
    let path = format!("/me/claims/{claim}/delivery");
    app.send_json_as(user, reqwest::Method::PUT, &path, body)
        .await
}

/// `admin` gives `user` `amount` coins with a correction.
pub async fn give_coins(app: &TestApp, admin: &TestUser, user: &str, amount: i64) {
    let body = json!({ "user_id": user, "amount": amount, "reason": "for the test",
        "client_id": uuid::Uuid::new_v4().to_string() });
    let resp = app
        .post_as(admin, "/admin/rewards/ledger-corrections", &body)
        .await;
    assert_eq!(resp.status(), 201);
}

/// A claim's row straight from the table.
pub async fn stored(app: &TestApp, claim: &str, column: &str) -> i64 {
    app.sql_count(&format!(
        "SELECT COUNT(*) FROM reward_claims WHERE id = '{claim}' AND {column} IS NOT NULL"
    ))
    .await
}

pub async fn stock(app: &TestApp, prize: &str) -> i64 {
    app.sql_count(&format!(
        "SELECT stock FROM reward_prizes WHERE id = '{prize}'"
    ))
    .await
}

pub async fn balance(app: &TestApp, user: &TestUser) -> i64 {
    app.get_json_as(user, "/me/coins").await["balance"]
        .as_i64()
        .unwrap()
}

/// A callback to `partner`'s route, its body signed with `secret` at `at`
/// (Unix seconds), as a partner sends it.
pub async fn partner_callback(
    app: &TestApp,
    partner: &str,
    secret: &str,
    at: i64,
    body: &Value,
) -> Response {
    use hmac::{Hmac, Mac};
    let raw = serde_json::to_vec(body).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{at}.").as_bytes());
    mac.update(&raw);
    let signature = hex::encode(mac.finalize().into_bytes());
    app.client
        .post(app.url(&format!("/rewards/partner-callbacks/{partner}")))
        .header("Content-Type", "application/json")
        .header("X-Agora-Timestamp", at.to_string())
        .header("X-Agora-Signature", signature)
        .body(raw)
        .send()
        .await
        .unwrap()
}
