//! Retention rules, run by the purge: what is past its time goes, what is
//! not stays; and two purges at once carry a deregistration out once.
use std::time::Duration;

use chrono::Utc;
use entity::{posts, sessions, sms_codes, uploads};
use sea_orm::{sea_query::Expr, ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{
    generous_limits, generous_message_limits, run_purge, spawn_app_with, HasId, TestApp,
};

fn days_ago(days: i64) -> chrono::DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}

async fn purge_once(app: &TestApp) {
    assert!(run_purge(app).await.ran);
}

#[tokio::test]
async fn ended_sessions_go_ninety_days_after_they_ended() {
    let app = spawn_app_with(|_| {}).await;
    let user = app.register().await;
    let old = app.sign_in(&user).await;
    let recent = app.sign_in(&user).await;
    for (token, ended) in [(&old, 91), (&recent, 89)] {
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
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let old = app.create_post(&user, None, "old", "gone soon").await.id();
    let recent = app.create_post(&user, None, "recent", "not yet").await.id();
    for id in [&old, &recent] {
        assert_eq!(app.delete_post(&user, id).await.status(), 204);
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
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    app.grant(&user, "diagnostic_logs").await;
    let log = app.upload_log_ok(&user).await;
    let loose = app.upload_log_ok(&user).await;
    let fresh = app.upload_log_ok(&user).await;
    let key_of = |upload: &serde_json::Value| {
        let url = upload["url"].as_str().unwrap();
        let path = url.split('?').next().unwrap();
        path.rsplit('/').next().unwrap().to_owned()
    };
    let key = key_of(&log);
    let body =
        serde_json::json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    let post = crate::helpers::json_of(app.try_create_post(&user, body).await).await;
    let post = post["id"].as_str().unwrap().to_owned();
    // The clock starts at the upload, attached or not.
    uploads::Entity::update_many()
        .col_expr(uploads::Column::CreatedAt, Expr::value(days_ago(181)))
        .filter(uploads::Column::Id.is_in([log["id"].as_str(), loose["id"].as_str()]))
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
    assert!(app.state.media.get(&key).await.unwrap().is_none());
    assert!(app
        .state
        .media
        .get(&key_of(&loose))
        .await
        .unwrap()
        .is_none());
    let left: Vec<String> = uploads::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(left, [fresh["id"].as_str().unwrap()], "a recent log stays");
}

#[tokio::test]
async fn messages_go_once_neither_participant_keeps_them() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    app.send_text(&a, &id, "hello").await;
    app.send_text(&b, &id, "hi").await;
    assert_eq!(app.remove_conversation(&a, &id).await.status(), 204);
    purge_once(&app).await;
    assert_eq!(app.count("messages").await, 2, "B still reads them");
    assert_eq!(app.remove_conversation(&b, &id).await.status(), 204);
    purge_once(&app).await;
    assert_eq!(app.count("messages").await, 0);
}

#[tokio::test]
async fn messages_nobody_keeps_take_their_attachments_along() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let file = app
        .upload_attachment(&a, b"the plan\n".to_vec(), "plan.txt")
        .await;
    let sent = app.send_upload(&a, &id, "file", &file["id"]).await;
    assert_eq!(sent.status(), 201);
    for who in [&a, &b] {
        assert_eq!(app.remove_conversation(who, &id).await.status(), 204);
    }
    purge_once(&app).await;
    assert_eq!(app.count("messages").await, 0);
    assert_eq!(app.count("uploads").await, 0, "the attachment went too");
    assert_eq!(app.media_files(), 0);
}

#[tokio::test]
async fn two_purges_at_once_carry_a_deregistration_out_once() {
    let app = spawn_app_with(|c| c.deregistration_cooling_off = Duration::from_millis(100)).await;
    let user = app.register().await;
    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (one, two) = tokio::join!(run_purge(&app), run_purge(&app));
    assert_eq!(one.completed + two.completed, 1);
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn report_reasons_go_after_ninety_days() {
    use entity::{enums::ReportStatus, reports};
    let app = spawn_app_with(generous_limits).await;
    let (author, reporter) = (app.register().await, app.register().await);
    let post = app.create_post(&author, None, "p", "b").await.id();
    for reason in ["old resolved", "old open", "recent"] {
        let resp = app.report(&reporter, "post", &post, reason).await;
        assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    }
    let set = |reason: &'static str, status: ReportStatus| {
        let app = &app;
        async move {
            reports::Entity::update_many()
                .col_expr(reports::Column::CreatedAt, Expr::value(days_ago(91)))
                .col_expr(reports::Column::Status, Expr::value(status.to_value()))
                .filter(reports::Column::Reason.eq(reason))
                .exec(&app.state.db)
                .await
                .unwrap();
        }
    };
    set("old resolved", ReportStatus::Resolved).await;
    set("old open", ReportStatus::Open).await;
    purge_once(&app).await;
    let mut reasons: Vec<String> = reports::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.reason)
        .collect();
    reasons.sort();
    // The old resolved one went; the old open one keeps its place, not its words.
    assert_eq!(reasons, ["", "recent"]);
}
