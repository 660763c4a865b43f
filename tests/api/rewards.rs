//! Rewards, first part: tasks admins define, the daily check-in credited
//! once a day however many devices ask, a ledger whose balance is the sum
//! of its entries and never goes below zero, and admins' corrections with
//! a reason in the audit log.
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, deregister_and_purge, expect_status, generous_limits, items_of,
    short_cooling_off, spawn_app, spawn_app_with, HasId, TestApp, TestUser, NOBODY,
};

/// An admin defines a check-in task worth `coins`; its id.
async fn check_in_task(app: &TestApp, coins: i64) -> String {
    let admin = app.admin().await;
    let body =
        json!({ "kind": "check_in", "title": "Daily check-in", "description": "", "coins": coins });
    expect_status(
        app.post_as(&admin, "/admin/rewards/tasks", &body).await,
        201,
    )
    .await
    .id()
}

async fn check_in(app: &TestApp, user: &TestUser, task: &str) -> reqwest::Response {
    app.post_as(user, &format!("/rewards/tasks/{task}/check-in"), &json!({}))
        .await
}

async fn correct(app: &TestApp, admin: &TestUser, user: &str, amount: i64) -> reqwest::Response {
    let client_id = uuid::Uuid::new_v4().to_string();
    let body = json!({ "user_id": user, "amount": amount, "reason": "a correction", "client_id": client_id });
    app.post_as(admin, "/admin/rewards/ledger-corrections", &body)
        .await
}

/// The balance equals the sum of the ledger, read straight from the tables.
async fn assert_ledger_adds_up(app: &TestApp, user: &TestUser) -> i64 {
    let coins = app.get_json_as(user, "/me/coins?limit=50").await;
    let sum = app
        .sql_count(&format!(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM coin_ledger WHERE user_id = '{}'",
            user.id
        ))
        .await;
    assert_eq!(coins["balance"].as_i64().unwrap(), sum, "{coins}");
    assert!(sum >= 0);
    sum
}

#[tokio::test]
async fn a_check_in_earns_the_tasks_coins_once_a_day() {
    let app = spawn_app().await;
    let task = check_in_task(&app, 5).await;
    let user = app.register().await;
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert_eq!(tasks[0]["id"], task.as_str());
    assert_eq!(tasks[0]["done_today"], false);

    let entry = expect_status(check_in(&app, &user, &task).await, 201).await;
    assert_eq!(entry["amount"], 5);
    assert_eq!(entry["balance_after"], 5);
    assert_eq!(entry["task_id"], task.as_str());
    assert_problem(check_in(&app, &user, &task).await, 409, "already_done").await;

    let coins = app.get_json_as(&user, "/me/coins").await;
    assert_eq!(coins["balance"], 5);
    assert_eq!(items_of(&coins["ledger"]).len(), 1);
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert_eq!(tasks[0]["done_today"], true);
    assert_eq!(tasks[0]["completions"], 1);
    assert_eq!(assert_ledger_adds_up(&app, &user).await, 5);
    // Not a task, or one that has ended: nothing credited.
    assert_problem(check_in(&app, &user, NOBODY).await, 404, "not_found").await;
    let admin = app.admin().await;
    let ended = json!({ "ends_at": chrono::Utc::now() - chrono::Duration::minutes(1), "starts_at": chrono::Utc::now() - chrono::Duration::hours(1) });
    let path = format!("/admin/rewards/tasks/{task}");
    assert_eq!(app.patch_as(&admin, &path, &ended).await.status(), 200);
    let other = app.register().await;
    assert_problem(check_in(&app, &other, &task).await, 409, "conflict").await;
    assert!(app
        .get_json_as(&other, "/rewards/tasks")
        .await
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn checking_in_from_many_devices_at_once_credits_once() {
    let app = spawn_app_with(generous_limits).await;
    let task = check_in_task(&app, 7).await;
    let user = app.register().await;
    let statuses: Vec<u16> = join_all((0..20).map(|_| check_in(&app, &user, &task)))
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(assert_ledger_adds_up(&app, &user).await, 7);
}

#[tokio::test]
async fn corrections_never_take_a_balance_below_zero_and_are_audited() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let user = app.register().await;
    assert_eq!(correct(&app, &admin, &user.id, 100).await.status(), 201);
    // Ten debits of 30 at once: three fit.
    let statuses: Vec<u16> = join_all((0..10).map(|_| correct(&app, &admin, &user.id, -30)))
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(assert_ledger_adds_up(&app, &user).await, 10);
    let resp = correct(&app, &admin, &user.id, -11).await;
    assert_problem(resp, 409, "insufficient_coins").await;
    // A retried correction (same client_id) is applied once.
    let once =
        json!({ "user_id": user.id, "amount": 5, "reason": "retried", "client_id": "ticket-1" });
    let path = "/admin/rewards/ledger-corrections";
    assert_eq!(app.post_as(&admin, path, &once).await.status(), 201);
    assert_problem(app.post_as(&admin, path, &once).await, 409, "already_done").await;
    assert_eq!(assert_ledger_adds_up(&app, &user).await, 15);
    // Refused for someone with no coins at all: nothing is written.
    let fresh = app.register().await;
    assert_problem(
        correct(&app, &admin, &fresh.id, -1).await,
        409,
        "insufficient_coins",
    )
    .await;
    let held = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM coin_accounts WHERE user_id = '{}'",
            fresh.id
        ))
        .await;
    assert_eq!(held, 0);

    // Every correction is in the audit log, with its reason.
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log?limit=50").await);
    let corrections: Vec<&Value> = audit.iter().filter(|e| e["action"] == "correct").collect();
    assert_eq!(corrections.len(), 5);
    assert_eq!(corrections[0]["subject_id"], user.id.as_str());
    assert_eq!(corrections[0]["reason"], "retried");
    // And the user reads why.
    let coins = app.get_json_as(&user, "/me/coins").await;
    assert_eq!(items_of(&coins["ledger"])[0]["kind"], "reversal");
    assert_eq!(items_of(&coins["ledger"])[0]["reason"], "retried");
}

#[tokio::test]
async fn admin_routes_check_the_role_first_and_name_bad_fields() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moderator = app.moderator().await;
    let user = app.register().await;
    let task = check_in_task(&app, 5).await;
    for who in [&user, &moderator] {
        for (method, path) in [
            (reqwest::Method::POST, "/admin/rewards/tasks".to_owned()),
            (
                reqwest::Method::PATCH,
                format!("/admin/rewards/tasks/{task}"),
            ),
            (
                reqwest::Method::POST,
                "/admin/rewards/ledger-corrections".to_owned(),
            ),
        ] {
            for body in [
                json!({ "coins": "lots" }),
                json!({ "user_id": user.id, "amount": 5, "reason": "x" }),
            ] {
                let resp = app.send_json_as(who, method.clone(), &path, &body).await;
                assert_problem(resp, 403, "forbidden").await;
            }
        }
    }
    assert_eq!(app.count("coin_ledger").await, 0);
    let resp = correct(&app, &admin, NOBODY, 5).await;
    let problem = assert_problem(resp, 404, "not_found").await;
    assert_eq!(problem["errors"][0]["field"], "user_id");
    assert_invalid(
        correct(&app, &admin, &user.id, 0).await,
        "amount",
        Some("zero"),
    )
    .await;
    assert_invalid(
        correct(&app, &admin, &user.id, 1_000_001).await,
        "amount",
        None,
    )
    .await;
    let lots = json!({ "kind": "check_in", "title": "t", "description": "", "coins": "lots" });
    let resp = app.post_as(&admin, "/admin/rewards/tasks", &lots).await;
    assert_invalid(resp, "coins", None).await;
    let backwards = json!({ "kind": "check_in", "title": "t", "description": "", "coins": 1,
        "starts_at": chrono::Utc::now(), "ends_at": chrono::Utc::now() - chrono::Duration::days(1) });
    let resp = app
        .post_as(&admin, "/admin/rewards/tasks", &backwards)
        .await;
    assert_invalid(resp, "ends_at", None).await;
    assert_eq!(app.count("reward_tasks").await, 1);
}

#[tokio::test]
async fn tasks_i_have_not_done_today_come_first() {
    let app = spawn_app().await;
    let first = check_in_task(&app, 5).await;
    let second = check_in_task(&app, 3).await;
    let user = app.register().await;
    let ids = |tasks: &Value| -> Vec<String> {
        tasks.as_array().unwrap().iter().map(|t| t.id()).collect()
    };
    assert_eq!(
        ids(&app.get_json_as(&user, "/rewards/tasks").await),
        [first.clone(), second.clone()]
    );
    assert_eq!(check_in(&app, &user, &first).await.status(), 201);
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert_eq!(ids(&tasks), [second.clone(), first.clone()]);
    assert_eq!(tasks[1]["done_today"], true);
}

#[tokio::test]
async fn deregistering_deletes_my_coins_and_leaves_my_corrections_nameless() {
    let app = spawn_app_with(short_cooling_off).await;
    let task = check_in_task(&app, 5).await;
    let (user, admin) = (app.register().await, app.admin().await);
    assert_eq!(check_in(&app, &user, &task).await.status(), 201);
    let other = app.register().await;
    assert_eq!(correct(&app, &admin, &other.id, 9).await.status(), 201);
    deregister_and_purge(&app, &user, "service", "delete").await;
    for table in ["coin_ledger", "coin_accounts"] {
        let left = app
            .sql_count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE user_id = '{}'",
                user.id
            ))
            .await;
        assert_eq!(left, 0, "{table}");
    }
    deregister_and_purge(&app, &admin, "account", "delete").await;
    let named = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM coin_ledger WHERE staff_id = '{}'",
            admin.id
        ))
        .await;
    assert_eq!(named, 0);
    // The other user's correction stands.
    assert_eq!(assert_ledger_adds_up(&app, &other).await, 9);
}
