//! Retention rules, run by the purge: what is past its time goes, what is
//! not stays; and two purges at once carry a deregistration out once.
use std::time::Duration;

use agora::privacy::purge;
use chrono::Utc;
use entity::{posts, sessions, sms_codes};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::{
    helpers::{generous_message_limits, json_of, spawn_app_with, TestApp, PASSWORD},
    messages::{new_conversation, send_text},
    search::new_post,
    uploads::upload,
};

fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}

async fn purge_once(app: &TestApp) {
    assert!(purge::run(&app.state).await.unwrap().ran);
}

#[tokio::test]
async fn ended_sessions_go_ninety_days_after_they_ended() {
    let app = spawn_app_with(|_| {}).await;
    let user = app.register().await;
    let old = json_of(app.login(&user.phone, PASSWORD).await).await;
    let recent = json_of(app.login(&user.phone, PASSWORD).await).await;
    for (login, ended) in [(&old, 91), (&recent, 89)] {
        let token = login["token"].as_str().unwrap();
        let hash = agora::platform::crypto::token_hash(token);
        sessions::Entity::update_many()
            .col_expr(sessions::Column::ExpiresAt, Expr::value(days_ago(ended)))
            .filter(sessions::Column::TokenHash.eq(hash))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    assert_eq!(app.count("sessions").await, 3);
    purge_once(&app).await;
    assert_eq!(app.count("sessions").await, 2);
}

#[tokio::test]
async fn expired_sms_codes_go() {
    let app = spawn_app_with(|_| {}).await;
    // Registering used a code, which lives on until it expires.
    app.register().await;
    purge_once(&app).await;
    assert_eq!(app.count("sms_codes").await, 1, "an unexpired code stays");
    sms_codes::Entity::update_many()
        .col_expr(sms_codes::Column::ExpiresAt, Expr::value(days_ago(1)))
        .exec(&app.state.db)
        .await
        .unwrap();
    purge_once(&app).await;
    assert_eq!(app.count("sms_codes").await, 0);
}

#[tokio::test]
async fn deleted_posts_go_for_good_after_thirty_days() {
    let app = spawn_app_with(crate::helpers::generous_limits).await;
    let user = app.register().await;
    let old = new_post(&app, &user, "old", "gone soon", None).await;
    let recent = new_post(&app, &user, "recent", "not yet", None).await;
    for id in [&old, &recent] {
        let resp = app
            .api(reqwest::Method::DELETE, &format!("/posts/{id}"))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204);
    }
    posts::Entity::update_many()
        .col_expr(posts::Column::DeletedAt, Expr::value(Some(days_ago(31))))
        .filter(posts::Column::Id.eq(old.as_str()))
        .exec(&app.state.db)
        .await
        .unwrap();
    purge_once(&app).await;
    let left: Vec<String> = posts::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(left, [recent]);
}

#[tokio::test]
async fn a_diagnostic_log_goes_after_180_days_and_its_file_too() {
    let app = spawn_app_with(crate::helpers::generous_limits).await;
    let user = app.register().await;
    let resp = upload(
        &app,
        &user.token,
        b"log line 1\nlog line 2\n".to_vec(),
        "log.txt",
    )
    .await;
    let log = json_of(resp).await;
    let key = log["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let post = new_post(&app, &user, "bug", "it crashes", None).await;
    posts::Entity::update_many()
        .col_expr(posts::Column::LogUploadId, Expr::value(log["id"].as_str()))
        .col_expr(posts::Column::CreatedAt, Expr::value(days_ago(181)))
        .filter(posts::Column::Id.eq(post.as_str()))
        .exec(&app.state.db)
        .await
        .unwrap();
    assert!(app.state.media.get(&key).await.unwrap().is_some());
    purge_once(&app).await;
    let row = posts::Entity::find_by_id(post)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.log_upload_id.is_none());
    assert_eq!(app.count("uploads").await, 0);
    assert!(app.state.media.get(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn messages_go_once_neither_participant_keeps_them() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    send_text(&app, &a, &id, "hello").await;
    send_text(&app, &b, &id, "hi").await;
    let remove = |who: &crate::helpers::TestUser| {
        app.api(reqwest::Method::DELETE, &format!("/conversations/{id}"))
            .bearer_auth(&who.token)
            .send()
    };
    assert_eq!(remove(&a).await.unwrap().status(), 204);
    purge_once(&app).await;
    assert_eq!(app.count("messages").await, 2, "B still reads them");
    assert_eq!(remove(&b).await.unwrap().status(), 204);
    purge_once(&app).await;
    assert_eq!(app.count("messages").await, 0);
}

#[tokio::test]
async fn two_purges_at_once_carry_a_deregistration_out_once() {
    let app = spawn_app_with(|c| c.deregistration_cooling_off = Duration::from_millis(100)).await;
    let user = app.register().await;
    let resp = app
        .post("/me/deregistration")
        .bearer_auth(&user.token)
        .json(&json!({ "scope": "account", "content": "delete", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (one, two) = tokio::join!(purge::run(&app.state), purge::run(&app.state));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.completed + two.completed, 1);
    assert_eq!(app.count("users").await, 0);
}
