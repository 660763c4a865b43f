//! Partner tasks: a partner registered with a secret shown once, a ticket
//! that names no one, and signed callbacks that credit a task once ever;
//! anything unsigned, stale, tampered with or for someone else's task is
//! refused.
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::helpers::{
    assert_invalid, assert_problem, deregister_and_purge, expect_status, partner_callback,
    short_cooling_off, spawn_app, spawn_app_with, HasId, TestApp, TestUser, NOBODY,
};

struct Partner {
    id: String,
    secret: String,
}

async fn partner(app: &TestApp, admin: &TestUser) -> Partner {
    let resp = app
        .post_as(
            admin,
            "/admin/rewards/partners",
            &json!({ "name": "Starlight" }),
        )
        .await;
    let body = expect_status(resp, 201).await;
    Partner {
        id: body.id(),
        secret: body["secret"].as_str().unwrap().to_owned(),
    }
}

async fn partner_task(app: &TestApp, admin: &TestUser, partner: &str, coins: i64) -> String {
    let body = json!({ "kind": "partner", "partner_id": partner, "title": "Try Starlight",
        "description": "", "coins": coins });
    expect_status(app.post_as(admin, "/admin/rewards/tasks", &body).await, 201)
        .await
        .id()
}

async fn ticket(app: &TestApp, user: &TestUser, task: &str) -> String {
    let path = format!("/rewards/tasks/{task}/tickets");
    let body = expect_status(app.post_as(user, &path, &json!({})).await, 201).await;
    body["ticket"].as_str().unwrap().to_owned()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn a_signed_callback_credits_the_ticket_holder_once() {
    let app = spawn_app_with(short_cooling_off).await;
    let admin = app.admin().await;
    let starlight = partner(&app, &admin).await;
    // The secret is kept only encrypted.
    let plain = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM reward_partners WHERE secret = '{}'",
            starlight.secret
        ))
        .await;
    assert_eq!(plain, 0);
    let task = partner_task(&app, &admin, &starlight.id, 20).await;
    let user = app.register().await;
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert_eq!(tasks[0]["partner_id"], starlight.id.as_str());
    let given = ticket(&app, &user, &task).await;
    // It names no one, and no two tickets of one user look alike.
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&given)
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&user.id) && !text.contains(&user.phone[3..]));
    assert_ne!(given, ticket(&app, &user, &task).await);

    let body = json!({ "ticket": given });
    let resp = partner_callback(&app, &starlight.id, &starlight.secret, now(), &body).await;
    assert_eq!(expect_status(resp, 200).await["outcome"], "accepted");
    let coins = app.get_json_as(&user, "/me/coins").await;
    assert_eq!(coins["balance"], 20);
    // The same ticket again (a replay) is refused.
    let resp = partner_callback(&app, &starlight.id, &starlight.secret, now(), &body).await;
    assert_problem(resp, 409, "already_done").await;
    // A new ticket of the same user pays nothing (once ever), and the
    // partner hears what it hears of anyone's first ticket: it links none.
    let again = json!({ "ticket": ticket(&app, &user, &task).await });
    let resp = partner_callback(&app, &starlight.id, &starlight.secret, now(), &again).await;
    assert_eq!(expect_status(resp, 200).await["outcome"], "accepted");
    assert_eq!(app.get_json_as(&user, "/me/coins").await["balance"], 20);
    // A holder who left since is no one to credit; the partner hears the
    // same.
    let leaver = app.register().await;
    let theirs = json!({ "ticket": ticket(&app, &leaver, &task).await });
    deregister_and_purge(&app, &leaver, "account", "delete").await;
    let resp = partner_callback(&app, &starlight.id, &starlight.secret, now(), &theirs).await;
    assert_eq!(expect_status(resp, 200).await["outcome"], "accepted");
    assert_eq!(app.count("coin_ledger").await, 1);
}

#[tokio::test]
async fn unsigned_stale_tampered_or_foreign_callbacks_credit_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (starlight, other) = (partner(&app, &admin).await, partner(&app, &admin).await);
    let task = partner_task(&app, &admin, &starlight.id, 20).await;
    let user = app.register().await;
    let body = json!({ "ticket": ticket(&app, &user, &task).await });
    let id = &starlight.id;
    // Wrong secret, stale or from the future, unknown partner: 401,
    // saying nothing more.
    for resp in [
        partner_callback(&app, id, "not the secret", now(), &body).await,
        partner_callback(&app, id, &starlight.secret, now() - 600, &body).await,
        partner_callback(&app, id, &starlight.secret, now() + 600, &body).await,
        partner_callback(&app, id, &starlight.secret, i64::MIN + 1, &body).await,
        partner_callback(&app, NOBODY, &starlight.secret, now(), &body).await,
    ] {
        assert_problem(resp, 401, "unauthorized").await;
    }
    // Signed, then changed on the way.
    let raw = serde_json::to_vec(&body).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(starlight.secret.as_bytes()).unwrap();
    let at = now();
    mac.update(format!("{at}.").as_bytes());
    mac.update(&raw);
    let resp = app
        .client
        .post(app.url(&format!("/rewards/partner-callbacks/{id}")))
        .header("Content-Type", "application/json")
        .header("X-Agora-Timestamp", at.to_string())
        .header(
            "X-Agora-Signature",
            hex::encode(mac.finalize().into_bytes()),
        )
        .body(serde_json::to_vec(&json!({ "ticket": "forged" })).unwrap())
        .send()
        .await
        .unwrap();
    assert_problem(resp, 401, "unauthorized").await;
    // Another partner, rightly signed, cannot cash this partner's ticket.
    let resp = partner_callback(&app, &other.id, &other.secret, now(), &body).await;
    assert_invalid(resp, "ticket", Some("invalid_ticket")).await;
    // A ticket agora never issued.
    let forged = json!({ "ticket": "bm90IGEgdGlja2V0" });
    let resp = partner_callback(&app, id, &starlight.secret, now(), &forged).await;
    assert_invalid(resp, "ticket", Some("invalid_ticket")).await;
    assert_eq!(app.count("coin_ledger").await, 0);
    // What is signed is the body as sent, spaces and all.
    let raw = format!(
        "{{ \"ticket\" :  \"{}\" }}",
        body["ticket"].as_str().unwrap()
    );
    let at = now();
    let mut mac = Hmac::<Sha256>::new_from_slice(starlight.secret.as_bytes()).unwrap();
    mac.update(format!("{at}.{raw}").as_bytes());
    let resp = app
        .client
        .post(app.url(&format!("/rewards/partner-callbacks/{id}")))
        .header("Content-Type", "application/json")
        .header("X-Agora-Timestamp", at.to_string())
        .header(
            "X-Agora-Signature",
            hex::encode(mac.finalize().into_bytes()),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(expect_status(resp, 200).await["outcome"], "accepted");
    assert_eq!(app.count("coin_ledger").await, 1);
}

#[tokio::test]
async fn partner_tasks_name_a_known_partner_and_only_they_have_tickets() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let starlight = partner(&app, &admin).await;
    let path = "/admin/rewards/tasks";
    let task = |kind: &str, partner: Option<&str>| json!({ "kind": kind, "partner_id": partner, "title": "t", "description": "", "coins": 5.0 });
    let resp = app.post_as(&admin, path, &task("partner", None)).await;
    assert_invalid(resp, "partner_id", Some("required")).await;
    let resp = app
        .post_as(&admin, path, &task("check_in", Some(&starlight.id)))
        .await;
    assert_invalid(resp, "partner_id", Some("not_a_partner_task")).await;
    let resp = app
        .post_as(&admin, path, &task("partner", Some(NOBODY)))
        .await;
    let problem = assert_problem(resp, 404, "not_found").await;
    assert_eq!(problem["errors"][0]["field"], "partner_id");
    // A whole number written with a fraction is a whole number.
    let check_in = expect_status(
        app.post_as(&admin, path, &task("check_in", None)).await,
        201,
    )
    .await;
    assert_eq!(check_in["coins"], 5);
    let user = app.register().await;
    let tickets = format!("/rewards/tasks/{}/tickets", check_in.id());
    assert_problem(
        app.post_as(&user, &tickets, &json!({})).await,
        409,
        "conflict",
    )
    .await;
    // Only admins register partners.
    let resp = app
        .post_as(&user, "/admin/rewards/partners", &json!({ "name": "x" }))
        .await;
    assert_problem(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn a_rotated_secret_or_a_suspended_partner_signs_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let starlight = partner(&app, &admin).await;
    let task = partner_task(&app, &admin, &starlight.id, 20).await;
    let (ann, bob) = (app.register().await, app.register().await);
    let id = &starlight.id;
    // Rotated: the old secret signs nothing, the new one does.
    let path = format!("/admin/rewards/partners/{id}/secret");
    let rotated = expect_status(app.post_as(&admin, &path, &json!({})).await, 200).await;
    let secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(secret, starlight.secret);
    let body = json!({ "ticket": ticket(&app, &ann, &task).await });
    let resp = partner_callback(&app, id, &starlight.secret, now(), &body).await;
    assert_problem(resp, 401, "unauthorized").await;
    let resp = partner_callback(&app, id, &secret, now(), &body).await;
    assert_eq!(resp.status(), 200);
    // Done once ever: the task shows as done for good.
    let tasks = app.get_json_as(&ann, "/rewards/tasks").await;
    assert_eq!(tasks[0]["done_today"], true);
    // Suspended: even a right signature is refused, until lifted.
    let path = format!("/admin/rewards/partners/{id}");
    let resp = app
        .patch_as(&admin, &path, &json!({ "suspended": true }))
        .await;
    assert!(expect_status(resp, 200).await["suspended_at"].is_string());
    let body = json!({ "ticket": ticket(&app, &bob, &task).await });
    let resp = partner_callback(&app, id, &secret, now(), &body).await;
    assert_problem(resp, 401, "unauthorized").await;
    let resp = app
        .patch_as(&admin, &path, &json!({ "suspended": false }))
        .await;
    assert!(expect_status(resp, 200).await["suspended_at"].is_null());
    assert_eq!(
        partner_callback(&app, id, &secret, now(), &body)
            .await
            .status(),
        200
    );
    assert_eq!(app.get_json_as(&bob, "/me/coins").await["balance"], 20);
    // Only admins, and only known partners.
    let resp = app
        .post_as(
            &ann,
            &format!("/admin/rewards/partners/{id}/secret"),
            &json!({}),
        )
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app
        .patch_as(
            &admin,
            &format!("/admin/rewards/partners/{NOBODY}"),
            &json!({ "suspended": true }),
        )
        .await;
    assert_problem(resp, 404, "not_found").await;
}
