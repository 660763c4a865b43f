//! Claims: delivery details masked to staff and revealed only with a
//! reason, the winner told of each step, cancellation with a refund, and
//! what becomes of the details on withdrawal, deregistration and after
//! the tax period.
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, balance, create_prize, delivery_body, deregister_and_purge,
    expect_status, give_coins, give_delivery, guardian_code_for, items_of, national_id, new_phone,
    prize_body, redeem, run_purge, short_cooling_off, spawn_app, spawn_app_with, stock, stored,
    TestApp, TestUser,
};

/// A physical prize `user` redeemed; the claim.
async fn physical_claim(app: &TestApp, admin: &TestUser, user: &TestUser) -> String {
    give_coins(app, admin, &user.id, 50).await;
    let prize = create_prize(app, admin, &prize_body(50, 3, "physical")).await;
    redeem(app, user, &prize).await
}

#[tokio::test]
async fn delivery_details_are_masked_to_staff_revealed_with_a_reason_and_the_winner_is_told() {
    let app = spawn_app().await;
    let (admin, user) = (app.admin().await, app.register().await);
    let claim = physical_claim(&app, &admin, &user).await;
    let mine = app.get_json_as(&user, &format!("/me/claims/{claim}")).await;
    assert_eq!(mine["status"], "awaiting_details");
    let number = national_id("19900307", 123);
    let phone = new_phone();
    let details = delivery_body("winner", &number, &phone);
    // Sensitive items: the grant first.
    assert_problem(
        give_delivery(&app, &user, &claim, &details).await,
        403,
        "consent_required",
    )
    .await;
    app.grant(&user, "prize_delivery").await;
    let mut bad = details.clone();
    bad["national_id_number"] = json!("110105194912310021");
    let resp = give_delivery(&app, &user, &claim, &bad).await;
    assert_invalid(resp, "national_id_number", Some("invalid_national_id")).await;
    assert_eq!(stored(&app, &claim, "real_name").await, 0);
    let given = expect_status(give_delivery(&app, &user, &claim, &details).await, 200).await;
    assert_eq!(given["status"], "submitted");
    assert_eq!(given["delivery"]["national_id_number"], number.as_str());
    assert_eq!(given["delivery"]["shipping_address"], "winner-address");
    // Stored encrypted.
    let plain = app
        .sql_count(&format!("SELECT COUNT(*) FROM reward_claims WHERE real_name = 'winner-name' OR national_id = '{number}' OR contact_phone LIKE '%{}' OR shipping_address = 'winner-address'", &phone[3..]))
        .await;
    assert_eq!(plain, 0);

    // Staff see it masked.
    let list = app
        .get_as(&admin, "/admin/rewards/claims?status=submitted")
        .await;
    let text = expect_status(list, 200).await.to_string();
    assert!(
        !text.contains(&number) && !text.contains("winner-name") && !text.contains(&phone[3..]),
        "{text}"
    );
    let listed = serde_json::from_str::<Value>(&text).unwrap();
    let masked = &items_of(&listed)[0]["masked"];
    assert_eq!(masked["real_name"], "w**********");
    assert!(!text.contains("winner-address"), "{text}");
    assert_eq!(masked["shipping_address"], "winner…");
    assert!(masked["national_id_number"]
        .as_str()
        .unwrap()
        .ends_with(&number[14..]));
    // And in full only with a reason, which the winner reads too.
    let path = format!("/admin/rewards/claims/{claim}/reveal");
    let reveal = json!({ "items": ["shipping_address"], "reason": "courier lost" });
    let full = expect_status(app.post_as(&admin, &path, &reveal).await, 200).await;
    assert_eq!(full["shipping_address"], "winner-address");
    assert!(full["national_id_number"].is_null(), "{full}");
    let noreason = json!({ "items": ["real_name"], "reason": " " });
    assert_invalid(app.post_as(&admin, &path, &noreason).await, "reason", None).await;
    let log = items_of(&app.get_json_as(&user, "/me/processing-log").await);
    let seen = log
        .iter()
        .find(|e| e["operation_id"] == "admin_reveal_claim")
        .unwrap_or_else(|| panic!("{log:?}"));
    assert_eq!(seen["reason"], "courier lost");
    assert_eq!(seen["actor_id"], admin.id.as_str());
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log?limit=50").await);
    assert!(audit.iter().any(|e| e["action"] == "reveal"
        && e["target_type"] == "prize_claim"
        && e["subject_id"] == user.id.as_str()));

    // Shipped, once; then the details no longer change.
    let ship = json!({ "carrier": "SF Express", "tracking_number": "SF123456" });
    let path = format!("/admin/rewards/claims/{claim}/shipment");
    let shipped = expect_status(app.post_as(&admin, &path, &ship).await, 200).await;
    assert_eq!(shipped["status"], "shipped");
    assert_problem(app.post_as(&admin, &path, &ship).await, 409, "conflict").await;
    let cancel = format!("/admin/rewards/claims/{claim}/cancellation");
    let why = json!({ "reason": "too late" });
    assert_problem(app.post_as(&admin, &cancel, &why).await, 409, "conflict").await;
    assert_problem(
        give_delivery(&app, &user, &claim, &details).await,
        409,
        "conflict",
    )
    .await;
    let path = format!("/admin/rewards/claims/{claim}/delivered");
    let done = expect_status(app.post_as(&admin, &path, &json!({})).await, 200).await;
    assert_eq!(done["status"], "delivered");
    let told = items_of(&app.get_json_as(&user, "/me/notifications").await);
    let about: Vec<&Value> = told.iter().filter(|n| n["kind"] == "prize_claim").collect();
    assert_eq!(about.len(), 2, "{told:?}");
    assert!(about.iter().all(|n| n["claim_id"] == claim.as_str()));
    let mine = app.get_json_as(&user, &format!("/me/claims/{claim}")).await;
    assert_eq!(mine["tracking_number"], "SF123456");
}

#[tokio::test]
async fn nobody_reaches_anothers_claim() {
    let app = spawn_app().await;
    let (admin, user, other) = (
        app.admin().await,
        app.register().await,
        app.register().await,
    );
    let claim = physical_claim(&app, &admin, &user).await;
    app.grant(&other, "prize_delivery").await;
    let resp = app.get_as(&other, &format!("/me/claims/{claim}")).await;
    assert_problem(resp, 404, "not_found").await;
    let details = delivery_body("thief", &national_id("19900101", 5), &new_phone());
    assert_problem(
        give_delivery(&app, &other, &claim, &details).await,
        404,
        "not_found",
    )
    .await;
    assert!(items_of(&app.get_json_as(&other, "/me/claims").await).is_empty());
    assert_eq!(stored(&app, &claim, "real_name").await, 0);
    let reveal = json!({ "items": ["real_name"], "reason": "curious" });
    let path = format!("/admin/rewards/claims/{claim}/reveal");
    assert_problem(app.post_as(&other, &path, &reveal).await, 403, "forbidden").await;
}

#[tokio::test]
async fn under_fourteen_a_guardian_consents_before_the_details_are_kept() {
    let app = spawn_app().await;
    let (admin, child) = (app.admin().await, app.register().await);
    let claim = physical_claim(&app, &admin, &child).await;
    app.grant(&child, "prize_delivery").await;
    let birth = (chrono::Utc::now() - chrono::Duration::days(365 * 10))
        .format("%Y%m%d")
        .to_string();
    let details = delivery_body("kid", &national_id(&birth, 8), &new_phone());
    let resp = give_delivery(&app, &child, &claim, &details).await;
    assert_problem(resp, 403, "guardian_consent_required").await;
    assert_eq!(stored(&app, &claim, "real_name").await, 0);
    app.grant(&child, "guardian_verification").await;
    let guardian = new_phone();
    let subject = json!({ "kind": "prize_claim", "id": claim });
    let ask = json!({ "subject": subject, "guardian_phone": guardian });
    let resp = app.post_as(&child, "/guardian-consents/codes", &ask).await;
    assert_eq!(resp.status(), 202);
    let code = guardian_code_for(&app, &child, ("prize_claim", &claim), &guardian);
    let right = json!({ "subject": subject, "guardian_phone": guardian, "sms_code": code });
    assert_eq!(
        app.post_as(&child, "/guardian-consents", &right)
            .await
            .status(),
        201
    );
    let given = expect_status(give_delivery(&app, &child, &claim, &details).await, 200).await;
    assert_eq!(given["status"], "submitted");
}

#[tokio::test]
async fn withdrawing_erases_unshipped_details_and_leaving_returns_the_stock() {
    let app = spawn_app_with(short_cooling_off).await;
    let (admin, user) = (app.admin().await, app.register().await);
    give_coins(&app, &admin, &user.id, 100).await;
    let mut body = prize_body(30, 4, "physical");
    body["per_user_limit"] = json!(3);
    let prize = create_prize(&app, &admin, &body).await;
    let (shipped, pending) = (
        redeem(&app, &user, &prize).await,
        redeem(&app, &user, &prize).await,
    );
    app.grant(&user, "prize_delivery").await;
    for claim in [&shipped, &pending] {
        let details = delivery_body("w", &national_id("19900101", 7), &new_phone());
        assert_eq!(
            give_delivery(&app, &user, claim, &details).await.status(),
            200
        );
    }
    let ship = json!({ "carrier": "SF Express", "tracking_number": "SF1" });
    let path = format!("/admin/rewards/claims/{shipped}/shipment");
    assert_eq!(app.post_as(&admin, &path, &ship).await.status(), 200);

    app.set_consent(&user, "prize_delivery", false).await;
    let after = app
        .get_json_as(&user, &format!("/me/claims/{pending}"))
        .await;
    assert_eq!(after["status"], "awaiting_details");
    assert!(
        after["delivery"].is_null() && after["details_erased_at"].is_string(),
        "{after}"
    );
    for column in [
        "real_name",
        "national_id",
        "contact_phone",
        "shipping_address",
    ] {
        assert_eq!(stored(&app, &pending, column).await, 0, "{column}");
    }
    // The shipped one keeps its details for the tax period, as the notice says.
    assert_eq!(stored(&app, &shipped, "national_id").await, 1);

    // The tax period runs from delivery, or from the shipment of a claim
    // never marked delivered; past it, the details go and the claim stays.
    let age = |column: &str, claim: &str| {
        let long_ago = chrono::Utc::now() - chrono::Duration::days(3654);
        format!(
            "UPDATE reward_claims SET {column} = '{}'{} WHERE id = '{claim}'",
            long_ago.to_rfc3339(),
            crate::helpers::timestamp_cast()
        )
    };
    let delivered = redeem(&app, &user, &prize).await;
    app.grant(&user, "prize_delivery").await;
    let details = delivery_body("d", &national_id("19900101", 8), &new_phone());
    assert_eq!(
        give_delivery(&app, &user, &delivered, &details)
            .await
            .status(),
        200
    );
    for step in ["shipment", "delivered"] {
        let path = format!("/admin/rewards/claims/{delivered}/{step}");
        assert_eq!(app.post_as(&admin, &path, &ship).await.status(), 200);
    }
    let db = &app.state.db;
    for sql in [age("shipped_at", &shipped), age("shipped_at", &delivered)] {
        sea_orm::ConnectionTrait::execute_unprepared(db, &sql)
            .await
            .unwrap();
    }
    run_purge(&app).await;
    for column in [
        "real_name",
        "national_id",
        "contact_phone",
        "shipping_address",
    ] {
        assert_eq!(stored(&app, &shipped, column).await, 0, "{column}");
    }
    assert_eq!(stored(&app, &shipped, "shipped_at").await, 1);
    // Delivered since: kept until the period after delivery ends.
    assert_eq!(stored(&app, &delivered, "national_id").await, 1);
    let sql = age("delivered_at", &delivered);
    sea_orm::ConnectionTrait::execute_unprepared(db, &sql)
        .await
        .unwrap();
    run_purge(&app).await;
    assert_eq!(stored(&app, &delivered, "national_id").await, 0);

    // Leaving: the unshipped claim's unit goes back to the prize.
    assert_eq!(stock(&app, &prize).await, 1);
    deregister_and_purge(&app, &user, "account", "delete").await;
    assert_eq!(stock(&app, &prize).await, 2);
    let left = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM reward_claims WHERE user_id = '{}'",
            user.id
        ))
        .await;
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_claim_not_yet_shipped_can_be_cancelled_once_and_its_coins_come_back() {
    let app = spawn_app().await;
    let (admin, user) = (app.admin().await, app.register().await);
    give_coins(&app, &admin, &user.id, 100).await;
    let mut body = prize_body(40, 2, "physical");
    body["per_user_limit"] = json!(2);
    let prize = create_prize(&app, &admin, &body).await;
    let (mine, theirs) = (
        redeem(&app, &user, &prize).await,
        redeem(&app, &user, &prize).await,
    );
    assert_eq!(
        (balance(&app, &user).await, stock(&app, &prize).await),
        (20, 0)
    );

    // By me: my coins back, the unit back.
    let path = format!("/me/claims/{mine}/cancellation");
    let cancelled = expect_status(app.post_as(&user, &path, &json!({})).await, 200).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_problem(app.post_as(&user, &path, &json!({})).await, 409, "conflict").await;
    assert_eq!(
        (balance(&app, &user).await, stock(&app, &prize).await),
        (60, 1)
    );
    // Not by anyone else.
    let other = app.register().await;
    let path = format!("/me/claims/{theirs}/cancellation");
    assert_problem(
        app.post_as(&other, &path, &json!({})).await,
        404,
        "not_found",
    )
    .await;

    // By an admin, with a reason the winner reads; what they gave is erased.
    // (Once the details are in, the winner no longer cancels it.)
    app.grant(&user, "prize_delivery").await;
    let details = delivery_body("w", &national_id("19900101", 3), &new_phone());
    assert_eq!(
        give_delivery(&app, &user, &theirs, &details).await.status(),
        200
    );
    let own = format!("/me/claims/{theirs}/cancellation");
    assert_problem(app.post_as(&user, &own, &json!({})).await, 409, "conflict").await;
    let path = format!("/admin/rewards/claims/{theirs}/cancellation");
    let why = json!({ "reason": "no courier reaches the island" });
    let staff_view = expect_status(app.post_as(&admin, &path, &why).await, 200).await;
    assert_eq!(staff_view["status"], "cancelled");
    assert!(staff_view["masked"].is_null(), "{staff_view}");
    assert_eq!(stored(&app, &theirs, "national_id").await, 0);
    assert_eq!(
        (balance(&app, &user).await, stock(&app, &prize).await),
        (100, 2)
    );
    let ledger = items_of(&app.get_json_as(&user, "/me/coins?limit=50").await["ledger"]);
    assert_eq!(ledger[0]["kind"], "refund");
    assert_eq!(ledger[0]["claim_id"], theirs.as_str());
    assert_eq!(ledger[0]["reason"], "no courier reaches the island");
    let told = items_of(&app.get_json_as(&user, "/me/notifications").await);
    assert!(told
        .iter()
        .any(|n| n["kind"] == "prize_claim" && n["claim_id"] == theirs.as_str()));
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log?limit=50").await);
    assert!(audit
        .iter()
        .any(|e| e["action"] == "cancel" && e["target_id"] == theirs.as_str()));
    assert_problem(app.post_as(&admin, &path, &why).await, 409, "conflict").await;
    // The ledger still adds up: the refunds undid the debits.
    let sum = app
        .sql_count(&format!(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM coin_ledger WHERE user_id = '{}'",
            user.id
        ))
        .await;
    assert_eq!(sum, 100);
}

#[tokio::test]
async fn the_shipping_list_holds_claims_waiting_to_ship_and_tells_each_winner() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (ann, bob, cat) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let mut claims = Vec::new();
    for (user, address) in [(&ann, "=cmd|calc"), (&bob, "Bob's, 2 Road")] {
        let claim = physical_claim(&app, &admin, user).await;
        app.grant(user, "prize_delivery").await;
        let mut details = delivery_body("w", &national_id("19900101", 4), &new_phone());
        details["shipping_address"] = json!(address);
        assert_eq!(
            give_delivery(&app, user, &claim, &details).await.status(),
            200
        );
        claims.push(claim);
    }
    // Cat has not given details yet: not on the list.
    let waiting = physical_claim(&app, &admin, &cat).await;
    let path = "/admin/rewards/claims/shipping-list";
    let resp = app.post_as(&ann, path, &json!({ "reason": "x" })).await;
    assert_problem(resp, 403, "forbidden").await;
    assert_invalid(
        app.post_as(&admin, path, &json!({ "reason": "" })).await,
        "reason",
        None,
    )
    .await;
    let resp = app
        .post_as(&admin, path, &json!({ "reason": "courier pickup" }))
        .await;
    assert_eq!(resp.status(), 200);
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&claims[0]) && lines[1].ends_with(",'=cmd|calc"),
        "{csv}"
    );
    assert!(lines[2].ends_with(",\"Bob's, 2 Road\""), "{csv}");
    assert!(!csv.contains(&waiting));
    for user in [&ann, &bob] {
        let log = items_of(&app.get_json_as(user, "/me/processing-log").await);
        let seen = log
            .iter()
            .find(|e| e["operation_id"] == "admin_claims_shipping_list")
            .unwrap_or_else(|| panic!("{log:?}"));
        assert_eq!(seen["reason"], "courier pickup");
    }
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log?limit=50").await);
    let listed = audit
        .iter()
        .filter(|e| e["action"] == "shipping_list")
        .count();
    assert_eq!(listed, 2);
}

#[tokio::test]
async fn a_shorter_configured_tax_period_erases_sooner() {
    let day = std::time::Duration::from_secs(24 * 3600);
    let app = spawn_app_with(move |config| config.prize_delivery_retention = day * 30).await;
    let (admin, user) = (app.admin().await, app.register().await);
    let claim = physical_claim(&app, &admin, &user).await;
    app.grant(&user, "prize_delivery").await;
    let details = delivery_body("w", &national_id("19900101", 6), &new_phone());
    assert_eq!(
        give_delivery(&app, &user, &claim, &details).await.status(),
        200
    );
    let ship = json!({ "carrier": "SF", "tracking_number": "SF1" });
    for step in ["shipment", "delivered"] {
        let path = format!("/admin/rewards/claims/{claim}/{step}");
        assert_eq!(app.post_as(&admin, &path, &ship).await.status(), 200);
    }
    let age = |days: i64| {
        format!(
            "UPDATE reward_claims SET delivered_at = '{}'{} WHERE id = '{claim}'",
            (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339(),
            crate::helpers::timestamp_cast()
        )
    };
    let db = &app.state.db;
    sea_orm::ConnectionTrait::execute_unprepared(db, &age(29))
        .await
        .unwrap();
    run_purge(&app).await;
    assert_eq!(stored(&app, &claim, "national_id").await, 1);
    sea_orm::ConnectionTrait::execute_unprepared(db, &age(31))
        .await
        .unwrap();
    run_purge(&app).await;
    assert_eq!(stored(&app, &claim, "national_id").await, 0);
}
