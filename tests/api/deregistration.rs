//! Deregistration: confirmation, cooling-off and cancel, login only to
//! cancel, held content, what the purge leaves; and the schema walk that
//! keeps the registry of personal data complete.
use std::time::Duration;

use agora::privacy::purge;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, fields, json_of, spawn_app_with, TestApp, TestUser, PASSWORD, TEST_CODE,
};

fn cooling_off(d: Duration) -> impl FnOnce(&mut agora::config::Config) {
    move |c| {
        crate::helpers::generous_limits(c);
        let codes = "100/1m".parse().unwrap();
        c.rate_limits
            .insert(agora::platform::ratelimit::ActionClass::SmsPhone, codes);
        c.deregistration_cooling_off = d;
    }
}

async fn deregister(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post("/me/deregistration")
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn account_delete(app: &TestApp, user: &TestUser) -> Value {
    let body = json!({ "scope": "account", "content": "delete", "password": PASSWORD });
    let resp = deregister(app, user, body).await;
    assert_eq!(resp.status(), 202);
    json_of(resp).await
}

async fn status(app: &TestApp, token: &str, method: reqwest::Method, path: &str) -> u16 {
    app.api(method, path)
        .bearer_auth(token)
        .json(&json!({ "title": "t", "body": "b" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn new_post(app: &TestApp, user: &TestUser, title: &str) -> String {
    let resp = app
        .post("/posts")
        .bearer_auth(&user.token)
        .json(&json!({ "title": title, "body": "words" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    json_of(resp).await["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_request_must_be_confirmed_by_the_password_or_an_sms_code() {
    let app = spawn_app_with(cooling_off(Duration::from_secs(3600))).await;
    let user = app.register().await;
    let body = json!({ "scope": "service", "content": "delete" });
    let problem = assert_problem(
        deregister(&app, &user, body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["password"]);
    let body = json!({ "scope": "service", "content": "delete", "password": "not it at all" });
    assert_problem(
        deregister(&app, &user, body).await,
        401,
        "invalid_credentials",
    )
    .await;
    let body = json!({ "scope": "galaxy", "content": "delete", "password": PASSWORD });
    let problem = assert_problem(
        deregister(&app, &user, body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), ["scope"]);
    assert_eq!(app.count("deregistrations").await, 0);

    assert_eq!(app.send_code(&user.phone, "deregister").await.status(), 202);
    let body = json!({ "scope": "service", "content": "delete", "sms_code": TEST_CODE });
    assert_eq!(deregister(&app, &user, body).await.status(), 202);
    // One at a time: a pending request can only be cancelled.
    let body = json!({ "scope": "account", "content": "delete", "password": PASSWORD });
    assert_problem(
        deregister(&app, &user, body).await,
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
    let other_device = json_of(app.login(&user.phone, PASSWORD).await).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let requested = account_delete(&app, &user).await;
    let effective =
        chrono::DateTime::parse_from_rfc3339(requested["effective_at"].as_str().unwrap()).unwrap();
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!((effective.timestamp() - in_an_hour.timestamp()).abs() < 60);

    // Every other session was signed out at once.
    assert_eq!(
        status(&app, &other_device, reqwest::Method::GET, "/me").await,
        401
    );
    // A fresh login works, but only to cancel.
    let token = json_of(app.login(&user.phone, PASSWORD).await).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, path) in [
        (reqwest::Method::GET, "/me"),
        (reqwest::Method::POST, "/posts"),
        (reqwest::Method::POST, "/realtime/tickets"),
    ] {
        let resp = app
            .api(method, path)
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_problem(resp, 403, "deregistration_pending").await;
    }
    // It may still take its data along.
    let resp = app
        .get("/me/export")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let pending = json_of(
        app.get("/me/deregistration")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(pending["id"], requested["id"]);

    // The purge leaves a request in its cooling-off alone.
    purge::run(&app.state).await.unwrap();
    assert_eq!(app.count("users").await, 1);

    let resp = app
        .api(reqwest::Method::DELETE, "/me/deregistration")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(status(&app, &token, reqwest::Method::GET, "/me").await, 200);
    assert_eq!(
        status(&app, &token, reqwest::Method::POST, "/posts").await,
        201
    );
    let resp = app
        .get("/me/deregistration")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
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
    let report = purge::run(&app.state).await.unwrap();
    assert_eq!(report.completed, 1);

    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 401);
    let resp = app
        .get(&format!("/users/{}", user.id))
        .bearer_auth(&peer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(app.count("posts").await, 0);
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("deregistrations").await, 1);
    let linked = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM deregistrations WHERE user_id IS NOT NULL",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(linked, 0);
    // Running it again changes nothing.
    assert_eq!(purge::run(&app.state).await.unwrap().completed, 0);
}

#[tokio::test]
async fn a_service_deregistration_keeps_the_account_but_not_the_community_presence() {
    let app = spawn_app_with(cooling_off(Duration::from_millis(200))).await;
    let user = app.register().await;
    let peer = app.register().await;
    new_post(&app, &user, "a post of mine").await;
    let body = json!({ "scope": "service", "content": "delete", "password": PASSWORD });
    assert_eq!(deregister(&app, &user, body).await.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    purge::run(&app.state).await.unwrap();

    let token = json_of(app.login(&user.phone, PASSWORD).await).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = json_of(app.get("/me").bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(me["id"], user.id.as_str());
    assert!(me["signature"].is_null());
    assert_eq!(app.count("posts").await, 0);
    let resp = app
        .get(&format!("/users/{}", user.id))
        .bearer_auth(&peer.token)
        .send()
        .await
        .unwrap();
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
    let resp = app
        .post("/reports")
        .bearer_auth(&reader.token)
        .json(&json!({ "target_type": "post", "target_id": reported, "reason": "spam" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    account_delete(&app, &user).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let report = purge::run(&app.state).await.unwrap();
    assert_eq!((report.completed, report.holding), (0, 1));
    assert_eq!(app.count("posts").await, 1, "only the reported post stays");
    assert_eq!(app.login(&user.phone, PASSWORD).await.status(), 200);

    let resp = app
        .post(&format!("/admin/posts/{reported}/moderation"))
        .bearer_auth(&moderator.token)
        .json(&json!({ "action": "hide", "reason": "spam" }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let report = purge::run(&app.state).await.unwrap();
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
    let body = json!({ "scope": "account", "content": "anonymize", "password": PASSWORD });
    assert_eq!(deregister(&app, &user, body).await.status(), 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    purge::run(&app.state).await.unwrap();

    let seen = json_of(
        app.get(&format!("/posts/{post}"))
            .bearer_auth(&reader.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
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
    let owned = app.state.personal_data.tables();
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
