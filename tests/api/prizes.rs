//! Rewards, second part: prizes that never oversell however many redeem at
//! once, coins that pay once per redemption, retries that answer the claim
//! they made, and what admins may change.
use futures_util::{stream, StreamExt};
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, balance, create_prize, delivery_body, expect_status,
    generous_limits, give_coins, give_delivery, items_of, many_users, national_id, new_phone,
    prize_body, spawn_app, spawn_app_with, stock, try_redeem, HasId, NOBODY,
};

#[tokio::test]
async fn a_thousand_users_at_once_get_no_more_claims_than_units() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let prize = create_prize(&app, &admin, &prize_body(10, 10, "physical")).await;
    let crowd = many_users(&app, 1000).await;
    stream::iter(&crowd)
        .for_each_concurrent(50, |u| give_coins(&app, &admin, &u.id, 15))
        .await;
    // Everyone at once (the server's pool and the database queue them).
    let statuses: Vec<(String, u16, Value)> = stream::iter(&crowd)
        .map(|u| async {
            let resp = try_redeem(&app, u, &prize, "once").await;
            let status = resp.status().as_u16();
            (u.id.clone(), status, resp.json::<Value>().await.unwrap())
        })
        .buffer_unordered(1000)
        .collect()
        .await;
    let won: Vec<&(String, u16, Value)> = statuses.iter().filter(|s| s.1 == 201).collect();
    assert_eq!(won.len(), 10);
    for (_, status, body) in &statuses {
        if *status != 201 {
            assert_eq!(*status, 409, "{body}");
            assert_eq!(body["code"], "out_of_stock", "{body}");
        }
    }
    assert_eq!(stock(&app, &prize).await, 0);
    assert_eq!(app.count("reward_claims").await, 10);
    // Exactly the winners paid, once each.
    let paid = app
        .sql_count(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM coin_ledger WHERE kind = 'debit'",
        )
        .await;
    assert_eq!(paid, -100);
    for (user, _, claim) in won {
        let debits = app
            .sql_count(&format!(
                "SELECT COUNT(*) FROM coin_ledger WHERE user_id = '{user}' AND claim_id = '{}'",
                claim.id()
            ))
            .await;
        assert_eq!(debits, 1);
    }
}

#[tokio::test]
async fn one_user_on_many_devices_pays_once_per_claim_and_keeps_to_the_limit() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let user = app.register().await;
    give_coins(&app, &admin, &user.id, 100).await;
    let mut body = prize_body(30, 50, "physical");
    body["per_user_limit"] = json!(2);
    let prize = create_prize(&app, &admin, &body).await;
    // Ten redemptions at once, each its own client_id: two fit the limit.
    let answers: Vec<(u16, Value)> = stream::iter(0..10)
        .map(|i| {
            let (app, user, prize) = (&app, &user, &prize);
            async move {
                let client_id = format!("device-{i}");
                let resp = try_redeem(app, user, prize, &client_id).await;
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 2, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(
            (*status, body["code"].as_str()),
            (409, Some("limit_reached"))
        );
    }
    assert_eq!(balance(&app, &user).await, 40);
    assert_eq!(stock(&app, &prize).await, 48);
    let resp = try_redeem(&app, &user, &prize, "device-11").await;
    assert_problem(resp, 409, "limit_reached").await;

    // A retry of a redemption that went through answers its claim, 200,
    // and pays nothing more; the same request sent twice at once too.
    let other = create_prize(&app, &admin, &prize_body(15, 5, "virtual")).await;
    let both =
        futures_util::future::join_all((0..2).map(|_| try_redeem(&app, &user, &other, "retry-me")))
            .await;
    let mut codes: Vec<u16> = both.iter().map(|r| r.status().as_u16()).collect();
    codes.sort();
    assert_eq!(codes, [200, 201]);
    let again = expect_status(try_redeem(&app, &user, &other, "retry-me").await, 200).await;
    assert_eq!(balance(&app, &user).await, 25);
    assert_eq!(stock(&app, &other).await, 4);
    // The client_id names that redemption only.
    let resp = try_redeem(&app, &user, &prize, "retry-me").await;
    assert_problem(resp, 409, "conflict").await;
    // A virtual prize is delivered at once and asks for nothing.
    assert_eq!(again["status"], "delivered");
    let details = delivery_body("x", &national_id("19900101", 1), &new_phone());
    app.grant(&user, "prize_delivery").await;
    let resp = give_delivery(&app, &user, &again.id(), &details).await;
    assert_problem(resp, 409, "conflict").await;

    // Coins short: nothing taken, nothing claimed; the same request, once
    // the coins are there, goes through.
    let dear = create_prize(&app, &admin, &prize_body(26, 5, "physical")).await;
    let resp = try_redeem(&app, &user, &dear, "dear").await;
    assert_problem(resp, 409, "insufficient_coins").await;
    assert_eq!(stock(&app, &dear).await, 5);
    assert_eq!(balance(&app, &user).await, 25);
    give_coins(&app, &admin, &user.id, 1).await;
    expect_status(try_redeem(&app, &user, &dear, "dear").await, 201).await;
    assert_eq!(
        (balance(&app, &user).await, stock(&app, &dear).await),
        (0, 4)
    );
    // The ledger shows what each claim cost.
    let ledger = items_of(&app.get_json_as(&user, "/me/coins?limit=50").await["ledger"]);
    let debits: Vec<&Value> = ledger.iter().filter(|e| e["kind"] == "debit").collect();
    assert_eq!(debits.len(), 4);
    assert_eq!(debits[1]["claim_id"], again["id"]);
}

#[tokio::test]
async fn prizes_off_offer_or_unknown_are_refused_and_bad_input_names_its_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.register().await;
    give_coins(&app, &admin, &user.id, 100).await;
    let prize = create_prize(&app, &admin, &prize_body(10, 5, "physical")).await;
    let listed = items_of(&app.get_json_as(&user, "/rewards/prizes").await);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["stock"], 5);
    let first = expect_status(try_redeem(&app, &user, &prize, "first").await, 201).await;
    // The stock moves by what is added, never below zero.
    let path = format!("/admin/rewards/prizes/{prize}");
    let restock = app
        .patch_as(&admin, &path, &json!({ "add_stock": 3 }))
        .await;
    assert_eq!(expect_status(restock, 200).await["stock"], 7);
    let resp = app
        .patch_as(&admin, &path, &json!({ "add_stock": -8, "name": "Gone" }))
        .await;
    let problem = assert_problem(resp, 409, "conflict").await;
    assert_eq!(problem["errors"][0]["field"], "add_stock");
    assert_eq!(stock(&app, &prize).await, 7);
    let listed = items_of(&app.get_json_as(&user, "/rewards/prizes").await);
    assert_eq!(listed[0]["name"], "Community T-shirt");
    // Ended: off the list, and refused.
    let now = chrono::Utc::now();
    let ended = json!({ "starts_at": now - chrono::Duration::hours(2), "ends_at": now - chrono::Duration::hours(1) });
    assert_eq!(app.patch_as(&admin, &path, &ended).await.status(), 200);
    assert!(items_of(&app.get_json_as(&user, "/rewards/prizes").await).is_empty());
    let other = app.register().await;
    give_coins(&app, &admin, &other.id, 100).await;
    assert_problem(try_redeem(&app, &other, &prize, "a").await, 409, "conflict").await;
    assert_problem(
        try_redeem(&app, &other, NOBODY, "b").await,
        404,
        "not_found",
    )
    .await;
    let resp = try_redeem(&app, &other, "not-an-id", "c").await;
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "id", "{problem}");
    // A retry of what went through before the end still answers its claim.
    let again = expect_status(try_redeem(&app, &user, &prize, "first").await, 200).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.count("reward_claims").await, 1);
    assert_eq!(balance(&app, &other).await, 100);
    let resp = app
        .post_as(
            &user,
            &format!("/rewards/prizes/{prize}/redemptions"),
            &json!({ "client_id": "" }),
        )
        .await;
    assert_invalid(resp, "client_id", None).await;
    // Admin input.
    let mut bad = prize_body(10, -1, "physical");
    let resp = app.post_as(&admin, "/admin/rewards/prizes", &bad).await;
    assert_invalid(resp, "stock", None).await;
    bad["stock"] = json!(1);
    bad["kind"] = json!("magic");
    let resp = app.post_as(&admin, "/admin/rewards/prizes", &bad).await;
    assert_invalid(resp, "kind", None).await;
    let backwards = json!({ "ends_at": now - chrono::Duration::days(3) });
    assert_invalid(
        app.patch_as(&admin, &path, &backwards).await,
        "ends_at",
        None,
    )
    .await;
    // Only admins define prizes and handle claims.
    let claim = first.id();
    for who in [&user, &app.moderator().await] {
        let resp = app
            .post_as(who, "/admin/rewards/prizes", &prize_body(1, 1, "virtual"))
            .await;
        assert_problem(resp, 403, "forbidden").await;
        let resp = app.patch_as(who, &path, &json!({ "add_stock": 1 })).await;
        assert_problem(resp, 403, "forbidden").await;
        let resp = app.get_as(who, "/admin/rewards/claims").await;
        assert_problem(resp, 403, "forbidden").await;
        let ship = json!({ "carrier": "SF", "tracking_number": "SF1" });
        for (step, body) in [("shipment", &ship), ("delivered", &json!({}))] {
            let step = format!("/admin/rewards/claims/{claim}/{step}");
            assert_problem(app.post_as(who, &step, body).await, 403, "forbidden").await;
        }
    }
    let ship = json!({ "carrier": "SF", "tracking_number": "SF1" });
    let unknown = format!("/admin/rewards/claims/{NOBODY}/shipment");
    assert_problem(app.post_as(&admin, &unknown, &ship).await, 404, "not_found").await;
    let unknown = format!("/admin/rewards/prizes/{NOBODY}");
    let resp = app
        .patch_as(&admin, &unknown, &json!({ "add_stock": 1 }))
        .await;
    assert_problem(resp, 404, "not_found").await;
    // Every change an admin made is in the audit log, by field name.
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log?limit=50").await);
    let about: Vec<&Value> = audit
        .iter()
        .filter(|e| e["target_id"] == prize.as_str())
        .collect();
    let actions: Vec<(&str, &str)> = about
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("update", "changed: ends_at, starts_at"),
            ("update", "changed: add_stock"),
            ("create", "defined: description, kind, name, price, stock"),
        ]
    );
    assert_eq!(about[0]["target_type"], "prize");
    assert_eq!(about[0]["moderator_id"], admin.id.as_str());
    // Not shipped before its details are in.
    let path = format!("/admin/rewards/claims/{claim}/shipment");
    assert_problem(app.post_as(&admin, &path, &ship).await, 409, "conflict").await;
}
