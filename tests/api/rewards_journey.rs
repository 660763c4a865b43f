//! The whole of rewards, as a user lives it: a check-in, a post and a
//! partner's game earn coins, the balance grows, a prize is redeemed, the
//! delivery details are given, and the shipment is followed to the door.
use serde_json::json;

use crate::helpers::{
    create_prize, delivery_body, expect_status, generous_limits, give_delivery, items_of,
    national_id, new_phone, partner_callback, prize_body, spawn_app_with, HasId,
};

#[tokio::test]
async fn a_user_earns_redeems_and_follows_the_shipment() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let task = |kind: &str, coins: i64, partner: Option<&str>| json!({ "kind": kind, "title": kind, "description": "", "coins": coins, "partner_id": partner });
    let path = "/admin/rewards/tasks";
    let check_in = expect_status(
        app.post_as(&admin, path, &task("check_in", 10, None)).await,
        201,
    )
    .await
    .id();
    expect_status(
        app.post_as(&admin, path, &task("post", 15, None)).await,
        201,
    )
    .await;
    let partner = expect_status(
        app.post_as(
            &admin,
            "/admin/rewards/partners",
            &json!({ "name": "Starlight" }),
        )
        .await,
        201,
    )
    .await;
    let (partner_id, secret) = (partner.id(), partner["secret"].as_str().unwrap().to_owned());
    let game = task("partner", 25, Some(&partner_id));
    let game = expect_status(app.post_as(&admin, path, &game).await, 201)
        .await
        .id();
    let prize = create_prize(&app, &admin, &prize_body(50, 5, "physical")).await;

    let user = app.register().await;
    let balance = |v: serde_json::Value| v["balance"].as_i64().unwrap();
    let check = format!("/rewards/tasks/{check_in}/check-in");
    assert_eq!(app.post_as(&user, &check, &json!({})).await.status(), 201);
    assert_eq!(balance(app.get_json_as(&user, "/me/coins").await), 10);
    app.create_post(&user, None, "My first photo", "Shot at dusk")
        .await;
    assert_eq!(balance(app.get_json_as(&user, "/me/coins").await), 25);
    let tickets = format!("/rewards/tasks/{game}/tickets");
    let ticket = expect_status(app.post_as(&user, &tickets, &json!({})).await, 201).await;
    let body = json!({ "ticket": ticket["ticket"] });
    let now = chrono::Utc::now().timestamp();
    let resp = partner_callback(&app, &partner_id, &secret, now, &body).await;
    assert_eq!(resp.status(), 200);
    // 10 + 15 + 25, each credited at level 1; the ledger adds up.
    let coins = app.get_json_as(&user, "/me/coins?limit=50").await;
    let sum: i64 = items_of(&coins["ledger"])
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!((balance(coins), sum), (50, 50));

    let redemption = format!("/rewards/prizes/{prize}/redemptions");
    let claim = expect_status(
        app.post_as(&user, &redemption, &json!({ "client_id": "tee-1" }))
            .await,
        201,
    )
    .await;
    assert_eq!(claim["status"], "awaiting_details");
    assert_eq!(balance(app.get_json_as(&user, "/me/coins").await), 0);
    app.grant(&user, "prize_delivery").await;
    let details = delivery_body("winner", &national_id("19950520", 21), &new_phone());
    let given = expect_status(give_delivery(&app, &user, &claim.id(), &details).await, 200).await;
    assert_eq!(given["status"], "submitted");

    let ship = json!({ "carrier": "SF Express", "tracking_number": "SF777" });
    for (step, status) in [("shipment", "shipped"), ("delivered", "delivered")] {
        let path = format!("/admin/rewards/claims/{}/{step}", claim.id());
        assert_eq!(app.post_as(&admin, &path, &ship).await.status(), 200);
        let mine = app
            .get_json_as(&user, &format!("/me/claims/{}", claim.id()))
            .await;
        assert_eq!(mine["status"], status);
        assert_eq!(mine["tracking_number"], "SF777");
    }
    let told = items_of(&app.get_json_as(&user, "/me/notifications").await);
    assert_eq!(
        told.iter().filter(|n| n["kind"] == "prize_claim").count(),
        2
    );
    // The tasks' 50 and the post's own 5: level 2 (from 50), coins spent
    // or not.
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(2), Some(55))
    );
}
