//! Deregistration: confirmation, cooling-off and cancel, login only to
//! cancel, held content, what the purge leaves; and the schema walk that
//! keeps the registry of personal data complete.
use std::time::Duration;

use agora::platform::ratelimit::ActionClass;
use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, deregister_and_purge, generous_limits, json_of, run_purge,
    set_limit, short_cooling_off, spawn_app_with, HasId, TestApp, TestUser, PASSWORD, TEST_CODE,
};

fn cooling_off(d: Duration) -> impl FnOnce(&mut agora::config::Config) {
    move |c| {
        generous_limits(c);
        set_limit(c, ActionClass::SmsPhone, "100/1m");
        c.deregistration_cooling_off = d;
    }
}

async fn account_delete(app: &TestApp, user: &TestUser) -> Value {
    let resp = app.request_deregistration(user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    json_of(resp).await
}

/// The status of `method` on `path` as `token`, with a post's body.
async fn status(app: &TestApp, token: &str, method: Method, path: &str) -> u16 {
    let body = json!({ "title": "t", "body": "b" });
    let resp = app.send_json_as(token, method, path, &body).await;
    resp.status().as_u16()
}

async fn new_post(app: &TestApp, user: &TestUser, title: &str) -> String {
    app.create_post(user, None, title, "words").await.id()
}

#[tokio::test]
async fn a_request_must_be_confirmed_by_the_password_or_an_sms_code() {
    let app = spawn_app_with(cooling_off(Duration::from_secs(3600))).await;
    let user = app.register().await;
    let body = json!({ "scope": "service", "content": "delete" });
    assert_invalid(app.deregister(&user, body).await, "password", None).await;
    let body = json!({ "scope": "service", "content": "delete", "password": "not it at all" });
    assert_problem(app.deregister(&user, body).await, 403, "wrong_password").await;
    let body = json!({ "scope": "galaxy", "content": "delete", "password": PASSWORD });
    assert_invalid(app.deregister(&user, body).await, "scope", None).await;
    assert_eq!(app.count("deregistrations").await, 0);

    assert_eq!(app.send_code(&user.phone, "deregister").await.status(), 202);
    let body = json!({ "scope": "service", "content": "delete", "sms_code": TEST_CODE });
    assert_eq!(app.deregister(&user, body).await.status(), 202);
    // One at a time: a pending request can only be cancelled.
    let body = json!({ "scope": "account", "content": "delete", "password": PASSWORD });
    assert_problem(
        app.deregister(&user, body).await,
        403,
        "deregistration_pending",
    )
    .await;
    assert_eq!(app.count("deregistrations").await, 1);
}

#[tokio::test]
async fn during_the_cooling_off_the_account_can_only_cancel() {
    let app = spawn_app_with(cooling_off(Duration::from_secs(3600))).await;
    let user = app.register().await;
    let other_device = app.sign_in(&user).await;
    let requested = account_delete(&app, &user).await;
    let effective =
        chrono::DateTime::parse_from_rfc3339(requested["effective_at"].as_str().unwrap()).unwrap();
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!((effective.timestamp() - in_an_hour.timestamp()).abs() < 60);

    // Every other session was signed out at once.
    assert_eq!(status(&app, &other_device, Method::GET, "/me").await, 401);
    // A fresh login works, but only to cancel.
    let token = app.sign_in(&user).await;
    for (method, path) in [
        (Method::GET, "/me"),
        (Method::POST, "/posts"),
        (Method::POST, "/realtime/tickets"),
    ] {
        let resp = app.send_json_as(&token, method, path, &json!({})).await;
        assert_problem(resp, 403, "deregistration_pending").await;
    }
    // It may still take its data along.
    assert_eq!(app.get_as(&token, "/me/export").await.status(), 200);
    let pending = app.get_json_as(&token, "/me/deregistration").await;
    assert_eq!(pending["id"], requested["id"]);

    // The purge leaves a request in its cooling-off alone.
    run_purge(&app).await;
    assert_eq!(app.count("users").await, 1);

    let resp = app.delete_as(&token, "/me/deregistration").await;
    assert_eq!(resp.status(), 204);
    assert_eq!(status(&app, &token, Method::GET, "/me").await, 200);
    assert_eq!(status(&app, &token, Method::POST, "/posts").await, 201);
    let resp = app.get_as(&token, "/me/deregistration").await;
    assert_problem(resp, 404, "not_found").await;
}

#[tokio::test]
async fn after_the_cooling_off_the_account_is_gone_and_only_a_bare_record_stays() {
    let app = spawn_app_with(cooling_off(Duration::from_millis(200))).await;
    let user = app.register().await;
    let peer = app.register().await;
    new_post(&app, &user, "soon gone").await;
    account_delete(&app, &user).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = run_purge(&app).await;
    assert_eq!(report.completed, 1);

    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 401);
    let resp = app.get_as(&peer, &format!("/users/{}", user.id)).await;
    assert_eq!(resp.status(), 404);
    assert_eq!(app.count("posts").await, 0);
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("deregistrations").await, 1);
    let linked = app
        .sql_count("SELECT COUNT(*) AS n FROM deregistrations WHERE user_id IS NOT NULL")
        .await;
    assert_eq!(linked, 0);
    // Running it again changes nothing.
    assert_eq!(run_purge(&app).await.completed, 0);
}

#[tokio::test]
async fn a_service_deregistration_keeps_the_account_but_not_the_community_presence() {
    let app = spawn_app_with(cooling_off(Duration::from_millis(200))).await;
    let user = app.register().await;
    let peer = app.register().await;
    new_post(&app, &user, "a post of mine").await;
    let resp = app.request_deregistration(&user, "service", "delete").await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    run_purge(&app).await;

    let token = app.sign_in(&user).await;
    let me = json_of(app.me(&token).await).await;
    assert_eq!(me["id"], user.id.as_str());
    assert!(me["signature"].is_null());
    assert_eq!(app.count("posts").await, 0);
    let resp = app.get_as(&peer, &format!("/users/{}", user.id)).await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn content_under_an_open_report_is_held_until_the_report_is_resolved() {
    let app = spawn_app_with(cooling_off(Duration::from_millis(200))).await;
    let user = app.register().await;
    let reader = app.register().await;
    let moderator = app.admin().await;
    let reported = new_post(&app, &user, "reported").await;
    new_post(&app, &user, "not reported").await;
    let resp = app.report(&reader, "post", &reported, "spam").await;
    assert_eq!(resp.status(), 201);
    account_delete(&app, &user).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let report = run_purge(&app).await;
    assert_eq!((report.completed, report.holding), (0, 1));
    assert_eq!(app.count("posts").await, 1, "only the reported post stays");
    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 200);

    let resp = app
        .try_moderate(&moderator, "posts", &reported, "hide", "spam")
        .await;
    assert!(resp.status().is_success());
    let report = run_purge(&app).await;
    assert_eq!((report.completed, report.holding), (1, 0));
    assert_eq!(app.count("posts").await, 0);
    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn anonymized_posts_stay_without_their_author() {
    let app = spawn_app_with(cooling_off(Duration::from_millis(200))).await;
    let user = app.register().await;
    let reader = app.register().await;
    let post = new_post(&app, &user, "keep my words").await;
    let resp = app
        .request_deregistration(&user, "account", "anonymize")
        .await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    run_purge(&app).await;

    let seen = app.get_json_as(&reader, &format!("/posts/{post}")).await;
    assert_eq!(seen["title"], "keep my words");
    assert!(seen["author"].is_null(), "{seen}");
}

/// Tables with a column that refers to a user: a foreign key to `users`,
/// or a column named like one.
async fn tables_referring_to_users(app: &TestApp) -> Vec<String> {
    const NAMES: &[&str] = &[
        "user_id",
        "owner_id",
        "author_id",
        "sender_id",
        "actor_id",
        "reporter_id",
        "moderator_id",
        "follower_id",
        "followee_id",
        "blocker_id",
        "blocked_id",
        "peer_id",
        "user_low",
        "user_high",
    ];
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT m.name, p.name, COALESCE(f.\"table\", '') FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             LEFT JOIN pragma_foreign_key_list(m.name) f ON f.\"from\" = p.name \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT c.table_name::text, c.column_name::text, COALESCE(ccu.table_name::text, '') \
             FROM information_schema.columns c \
             LEFT JOIN information_schema.key_column_usage k \
               ON k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name \
             LEFT JOIN information_schema.referential_constraints rc \
               ON rc.constraint_schema = k.constraint_schema AND rc.constraint_name = k.constraint_name \
             LEFT JOIN information_schema.constraint_column_usage ccu \
               ON ccu.constraint_schema = rc.unique_constraint_schema AND ccu.constraint_name = rc.unique_constraint_name \
             WHERE c.table_schema = current_schema() AND c.table_name <> 'seaql_migrations'"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap();
    let mut tables: Vec<String> = rows
        .into_iter()
        .filter_map(|row| {
            let table: String = row.try_get_by_index(0).unwrap();
            let column: String = row.try_get_by_index(1).unwrap();
            let target: String = row.try_get_by_index(2).unwrap();
            (target == "users" || NAMES.contains(&column.as_str()) || table == "users")
                .then_some(table)
        })
        .collect();
    tables.sort();
    tables.dedup();
    tables
}

fn unowned(app: &TestApp, tables: Vec<String>) -> Vec<String> {
    let owned = app.registries.personal_data.tables();
    tables
        .into_iter()
        .filter(|t| !owned.contains(&t.as_str()))
        .collect()
}

#[tokio::test]
async fn every_table_that_refers_to_users_has_an_owner_in_the_registry() {
    let app = spawn_app_with(|_| {}).await;
    let tables = tables_referring_to_users(&app).await;
    assert!(tables.len() >= 20, "the walk found too little: {tables:?}");
    assert_eq!(unowned(&app, tables), Vec::<String>::new());

    // A table nobody registered is named.
    app.state
        .db
        .execute_unprepared("CREATE TABLE stray_things (id TEXT, user_id TEXT)")
        .await
        .unwrap();
    let tables = tables_referring_to_users(&app).await;
    assert_eq!(unowned(&app, tables), ["stray_things"]);
}

#[tokio::test]
async fn the_password_check_of_a_deregistration_is_limited_per_account_like_a_login() {
    let app = spawn_app_with(|c| {
        generous_limits(c);
        set_limit(c, ActionClass::LoginAccount, "3/1h");
    })
    .await;
    let user = app.register().await;
    let body = json!({ "scope": "account", "content": "delete", "password": "wrong guess 123" });
    for _ in 0..3 {
        assert_problem(
            app.deregister(&user, body.clone()).await,
            403,
            "wrong_password",
        )
        .await;
    }
    // No oracle: further guesses are refused before the password is checked,
    // the right one included.
    assert_problem(app.deregister(&user, body).await, 429, "rate_limited").await;
    let right = json!({ "scope": "account", "content": "delete", "password": PASSWORD });
    assert_problem(app.deregister(&user, right).await, 429, "rate_limited").await;
    // Logins count against the same budget: no second set of guesses.
    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn during_the_cooling_off_public_routes_serve_the_account_as_anonymous() {
    let app = spawn_app_with(|c| {
        generous_limits(c);
        c.deregistration_cooling_off = Duration::from_secs(3600);
    })
    .await;
    let user = app.register().await;
    app.grant(&user, "search_history").await;
    let post = new_post(&app, &user, "liked before leaving").await;
    app.like(&user, &post).await;
    account_delete(&app, &user).await;
    // A login during the cooling-off records none of the grants it carries.
    let resp = app
        .login_with(json!({
            "phone": user.phone, "password": PASSWORD,
            "consents": ["account", "personalized_recommendations"],
        }))
        .await;
    assert_eq!(resp.status(), 200);
    let token = json_of(resp).await["token"].as_str().unwrap().to_owned();
    let grants = app
        .sql_count(&format!(
            "SELECT COUNT(*) AS n FROM consents WHERE user_id = '{}' AND purpose = 'personalized_recommendations'",
            user.id
        ))
        .await;
    assert_eq!(grants, 0);
    // Public routes answer, but as to anyone: nothing personalised, and
    // searching records nothing in the history.
    let seen = app.get_json_as(&token, &format!("/posts/{post}")).await;
    assert_eq!(seen["liked_by_me"], false);
    assert_eq!(app.get_as(&token, "/search?q=liked").await.status(), 200);
    assert_eq!(app.count("search_history").await, 0);
}

#[tokio::test]
async fn reports_about_an_erased_user_go_with_them() {
    let app = spawn_app_with(short_cooling_off).await;
    let (reported, reporter) = (app.register().await, app.register().await);
    let resp = app
        .report(&reporter, "user", &reported.id, "spams everyone")
        .await;
    assert_eq!(resp.status(), 201);
    deregister_and_purge(&app, &reported, "account", "delete").await;
    let about = app
        .sql_count(&format!(
            "SELECT COUNT(*) AS n FROM reports WHERE target_id = '{}'",
            reported.id
        ))
        .await;
    assert_eq!(about, 0);
}
