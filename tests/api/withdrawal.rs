//! Withdrawing a purpose erases at once what was held only for it: every
//! withdrawable purpose that stores something has an eraser, and the
//! erasers reach the rows, the files and the device details.
use std::collections::BTreeSet;

use agora::privacy::{
    catalog::{Retention, Withdrawal, PURPOSES},
    tags::Tag,
};
use serde_json::{json, Value};

use crate::helpers::{generous_limits, send, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn every_withdrawable_purpose_that_stores_something_has_an_eraser() {
    let app = spawn_app().await;
    let collected: BTreeSet<&str> = agora::openapi::annotated()
        .policies
        .operations
        .iter()
        .flat_map(|op| &op.fields)
        .filter_map(|f| match f.tag {
            Tag::Personal { purpose, .. } => Some(purpose.key),
            Tag::NotPersonal => None,
        })
        .collect();
    let erased: BTreeSet<&str> = app.registries.erasers.purposes().into_iter().collect();
    let missing: Vec<&str> = PURPOSES
        .iter()
        .filter(|p| p.withdrawal == Withdrawal::Allowed)
        .filter(|p| p.retention != Retention::Ephemeral)
        .filter(|p| collected.contains(p.key))
        .map(|p| p.key)
        .filter(|key| !erased.contains(key))
        .collect();
    assert!(
        missing.is_empty(),
        "withdrawable purposes whose data nothing erases: {missing:?}"
    );
}

#[tokio::test]
async fn withdrawing_browsing_clears_the_device_details_of_my_sessions() {
    let app = spawn_app().await;
    let user = app.register().await;
    let body =
        json!({ "phone": user.phone, "password": PASSWORD, "consents": ["account", "browsing"] });
    let resp = send(
        app.post("/auth/login")
            .header("X-Device-Id", "OAID-WITHDRAW-77")
            .header("X-Device-Model", "Redmi K70")
            .json(&body),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let with_device = "SELECT COUNT(*) AS n FROM sessions WHERE device_id IS NOT NULL OR device_model IS NOT NULL";
    assert!(app.sql_count(with_device).await >= 1);
    let resp = app.set_consent(&user, "browsing", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(app.sql_count(with_device).await, 0);
    // Signed in still: only the details went.
    assert_eq!(app.me(&user).await.status(), 200);

    // And they are not collected again: the next login's device details
    // are dropped, until a login form grants `browsing` anew.
    let login = |consents: Value| {
        let body = json!({ "phone": user.phone, "password": PASSWORD, "consents": consents });
        send(
            app.post("/auth/login")
                .header("X-Device-Model", "Redmi K70")
                .header("X-OS-Version", "HyperOS 2")
                .json(&body),
        )
    };
    assert_eq!(login(json!(["account"])).await.status(), 200);
    assert_eq!(app.sql_count(with_device).await, 0);
    assert_eq!(login(json!(["account", "browsing"])).await.status(), 200);
    assert_eq!(app.sql_count(with_device).await, 1);
}

#[tokio::test]
async fn withdrawing_diagnostic_logs_takes_the_log_off_its_post_and_deletes_the_file() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    app.grant(&user, "diagnostic_logs").await;
    let log = app.upload_log_ok(&user).await;
    let body = json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    assert_eq!(app.try_create_post(&user, body).await.status(), 201);
    // A second log, never attached, goes too.
    let loose = app.upload_log_ok(&user).await;
    let files = |app: &crate::helpers::TestApp| app.media_files();
    assert_eq!(files(&app), 2);
    let resp = app.set_consent(&user, "diagnostic_logs", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.sql_count("SELECT COUNT(*) AS n FROM posts WHERE log_upload_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(app.count("uploads").await, 0);
    assert_eq!(files(&app), 0, "the file went with the row");
    assert_eq!(app.fetch(log["url"].as_str().unwrap()).await.status(), 404);
    assert_eq!(
        app.fetch(loose["url"].as_str().unwrap()).await.status(),
        404
    );
    // Without the grant, no new log.
    let resp = app.upload_log(&user, b"again\n").await;
    assert_eq!(resp.status(), 403);
}
