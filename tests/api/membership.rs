//! Rewards, third part: tasks the server credits from what users do (the
//! day's first post and first comment), and membership levels that grow
//! with the coins tasks credit and bring a bonus on every task.
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, expect_status, generous_limits, items_of, spawn_app_with, HasId, TestApp,
};

/// An admin defines a task of `kind` worth `coins`; its id.
async fn task(app: &TestApp, kind: &str, coins: i64) -> String {
    let admin = app.admin().await;
    let body = json!({ "kind": kind, "title": kind, "description": "", "coins": coins });
    expect_status(
        app.post_as(&admin, "/admin/rewards/tasks", &body).await,
        201,
    )
    .await
    .id()
}

fn credits_of(coins: &Value, task: &str) -> Vec<i64> {
    items_of(&coins["ledger"])
        .iter()
        .filter(|e| e["task_id"] == task)
        .map(|e| e["amount"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_days_first_post_and_comment_are_credited_once_by_the_server() {
    let app = spawn_app_with(generous_limits).await;
    let first_post = task(&app, "post", 3).await;
    let first_comment = task(&app, "comment", 2).await;
    let user = app.register().await;
    // Not a task one checks in to.
    let path = format!("/rewards/tasks/{first_post}/check-in");
    assert_problem(app.post_as(&user, &path, &json!({})).await, 409, "conflict").await;
    let post = app.create_post(&user, None, "one", "body").await.id();
    app.create_post(&user, None, "two", "body").await;
    app.comment(&user, &post, "first").await;
    app.comment(&user, &post, "second").await;
    let coins = app.get_json_as(&user, "/me/coins?limit=50").await;
    assert_eq!(credits_of(&coins, &first_post), [3]);
    assert_eq!(credits_of(&coins, &first_comment), [2]);
    assert_eq!(coins["balance"], 5);
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["done_today"] == true),
        "{tasks}"
    );
    // Someone else's comment on my post pays them, not me.
    let other = app.register().await;
    app.comment(&other, &post, "hello").await;
    let theirs = app.get_json_as(&other, "/me/coins").await;
    assert_eq!(credits_of(&theirs, &first_comment), [2]);
    assert_eq!(app.get_json_as(&user, "/me/coins").await["balance"], 5);
}

#[tokio::test]
async fn levels_grow_with_the_coins_tasks_credit_and_bring_a_bonus() {
    let app = spawn_app_with(|config| {
        generous_limits(config);
        config.membership_levels = vec![0, 10, 30];
    })
    .await;
    let check_in = task(&app, "check_in", 10).await;
    let first_post = task(&app, "post", 10).await;
    let user = app.register().await;
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(mine["next_level_at"], 10);
    assert_eq!(mine["benefits"].as_array().unwrap().len(), 1, "{mine}");

    let path = format!("/rewards/tasks/{check_in}/check-in");
    let entry = expect_status(app.post_as(&user, &path, &json!({})).await, 201).await;
    assert_eq!(entry["amount"], 10);
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(2), Some(10))
    );
    assert_eq!(mine["next_level_at"], 30);
    let bonus = &mine["benefits"][1];
    assert_eq!(
        (bonus["kind"].as_str(), bonus["percent"].as_i64()),
        (Some("task_bonus"), Some(10))
    );

    // Level 2: ten per cent more coins; the task's own coins count as
    // experience, and the level shows beside my name.
    let post = app.create_post(&user, None, "t", "b").await;
    let coins = app.get_json_as(&user, "/me/coins").await;
    assert_eq!(credits_of(&coins, &first_post), [11]);
    // The task's ten and the post's own five.
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(mine["experience"], 25);
    let shown = app
        .get_json_as(&user, &format!("/posts/{}", post.id()))
        .await;
    assert_eq!(shown["author"]["level"], 2, "{shown}");
    // A like received counts once per liker, however often it is taken
    // back and given again; my own like counts nothing.
    let fan = app.register().await;
    let post_id = post.id();
    app.like(&fan, &post_id).await;
    app.unlike(&fan, &post_id).await;
    app.like(&fan, &post_id).await;
    app.like(&user, &post_id).await;
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(2), Some(26))
    );
    // A comment: two more, and the next level.
    app.comment(&fan, &post_id, "nice").await;
    app.comment(&user, &post_id, "thanks").await;
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(2), Some(28))
    );
    app.comment(&user, &post_id, "and again").await;
    app.comment(&user, &post_id, "once more").await;
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(3), Some(32))
    );
    assert!(mine["next_level_at"].is_null(), "{mine}");
    // The export says why.
    let export = app.get_json_as(&user, "/me/export").await;
    let sources: Vec<&str> = export["sections"]["experience"]
        .as_array()
        .unwrap_or_else(|| panic!("{export}"))
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        ["task", "task", "post", "like", "comment", "comment", "comment"]
    );
    // Spending coins takes no experience away.
    let admin = app.admin().await;
    let prize =
        crate::helpers::create_prize(&app, &admin, &crate::helpers::prize_body(21, 1, "virtual"))
            .await;
    crate::helpers::redeem(&app, &user, &prize).await;
    assert_eq!(
        app.get_json_as(&user, "/me/membership").await["experience"],
        32
    );
}

#[tokio::test]
async fn the_level_follows_the_configured_thresholds_at_login() {
    let app = spawn_app_with(|config| config.membership_levels = vec![0, 10, 30]).await;
    let user = app.register().await;
    // Experience the thresholds place at level 3, with the level stale (as
    // after the thresholds changed).
    let sql = format!(
        "UPDATE users SET experience = 40, level = 1 WHERE id = '{}'",
        user.id
    );
    sea_orm::ConnectionTrait::execute_unprepared(&app.state.db, &sql)
        .await
        .unwrap();
    let resp = app.login(&user.phone, crate::helpers::PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let mine = app.get_json_as(&user, "/me/membership").await;
    assert_eq!(
        (mine["level"].as_i64(), mine["experience"].as_i64()),
        (Some(3), Some(40))
    );
}

#[tokio::test]
async fn a_task_pays_within_its_limits_per_day_and_ever_even_when_asked_at_once() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let path = "/admin/rewards/tasks";
    let body = json!({ "kind": "post", "title": "Post", "description": "", "coins": 2,
        "per_day": 3, "per_user_ever": 4 });
    let posting = expect_status(app.post_as(&admin, path, &body).await, 201).await;
    assert_eq!(
        (
            posting["per_day"].as_i64(),
            posting["per_user_ever"].as_i64()
        ),
        (Some(3), Some(4))
    );
    let posting = posting.id();
    // A check-in is once a day.
    let twice =
        json!({ "kind": "check_in", "title": "t", "description": "", "coins": 1, "per_day": 2 });
    crate::helpers::assert_invalid(
        app.post_as(&admin, path, &twice).await,
        "per_day",
        Some("check_in_once"),
    )
    .await;
    let user = app.register().await;
    // Five posts at once: three paid today.
    let titles: Vec<String> = (0..5).map(|i| format!("p{i}")).collect();
    futures_util::future::join_all(titles.iter().map(|t| app.create_post(&user, None, t, "b")))
        .await;
    let coins = app.get_json_as(&user, "/me/coins?limit=50").await;
    assert_eq!(credits_of(&coins, &posting), [2, 2, 2]);
    let tasks = app.get_json_as(&user, "/rewards/tasks").await;
    assert_eq!(tasks[0]["done_today"], true);
    assert_eq!(tasks[0]["completions"], 3);
    // Tomorrow (the entries moved back a day): one more, then never again.
    let sql = format!(
        "UPDATE coin_ledger SET created_at = '{}'{} WHERE user_id = '{}'",
        (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
        crate::helpers::timestamp_cast(),
        user.id
    );
    sea_orm::ConnectionTrait::execute_unprepared(&app.state.db, &sql)
        .await
        .unwrap();
    for i in 0..3 {
        app.create_post(&user, None, &format!("q{i}"), "b").await;
    }
    let coins = app.get_json_as(&user, "/me/coins?limit=50").await;
    assert_eq!(credits_of(&coins, &posting).len(), 4);
    assert_eq!(
        app.get_json_as(&user, "/rewards/tasks").await[0]["done_today"],
        true
    );
}
