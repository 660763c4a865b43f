//! An upload's end: it goes when the last thing showing it goes, when its
//! owner deletes it, or when nothing used it within a day; its links stop
//! working with it.
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{assert_problem, run_purge, spawn_app, spawn_app_with, HasId};

/// Is the file still served at its link?
async fn served(app: &crate::helpers::TestApp, url: &str) -> bool {
    match app.fetch(url).await.status().as_u16() {
        200 => true,
        404 => false,
        other => panic!("{url}: unexpected {other}"),
    }
}

fn url(upload: &Value) -> String {
    upload["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn i_delete_my_upload_once_nothing_shows_it_and_its_link_dies() {
    let app = spawn_app().await;
    let (me, other) = (app.register().await, app.register().await);
    let image = app.upload_avatar(&me).await;
    let path = format!("/uploads/{}", image.id());
    // Someone else's is not there for them.
    assert_problem(app.delete_as(&other, &path).await, 404, "not_found").await;
    // In use as my avatar: refused until it is not.
    let avatar = json!({ "avatar_upload_id": image["id"] });
    assert_eq!(app.update_profile(&me, avatar).await.status(), 200);
    assert_problem(app.delete_as(&me, &path).await, 409, "conflict").await;
    assert!(served(&app, &url(&image)).await);
    let cleared = json!({ "avatar_upload_id": null });
    assert_eq!(app.update_profile(&me, cleared).await.status(), 200);
    // The replaced avatar went on its own; deleting it again finds nothing.
    assert!(!served(&app, &url(&image)).await);
    assert_problem(app.delete_as(&me, &path).await, 404, "not_found").await;

    let spare = app.upload_image(&me, "spare.png").await;
    let path = format!("/uploads/{}", spare.id());
    assert_eq!(app.delete_as(&me, &path).await.status(), 204);
    assert!(!served(&app, &url(&spare)).await);
    assert_eq!(app.count("uploads").await, 0);
    assert_eq!(app.media_files(), 0);
}

#[tokio::test]
async fn a_recalled_attachment_goes_with_its_message() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let conversation = app.open_conversation(&a, &b).await;
    let file = app
        .upload_attachment(&a, b"minutes of the meeting\n".to_vec(), "m.txt")
        .await;
    let sent = app
        .send_upload(&a, &conversation, "file", &file["id"])
        .await;
    assert_eq!(sent.status(), 201);
    let message = app.messages(&b, &conversation).await[0].clone();
    let signed = message["attachment"]["url"].as_str().unwrap().to_owned();
    assert!(served(&app, &signed).await);
    assert_eq!(app.recall(&a, &message).await.status(), 204);
    assert!(!served(&app, &signed).await, "the signed link died with it");
    assert_eq!(app.count("uploads").await, 0);
    assert_eq!(app.media_files(), 0, "the file is gone from the store");
}

#[tokio::test]
async fn an_upload_nothing_used_goes_after_the_orphan_period_and_a_used_one_stays() {
    let app = spawn_app_with(|c| c.upload_orphan_after = Duration::from_millis(300)).await;
    let me = app.register().await;
    let used = app.upload_image(&me, "used.png").await;
    let unused = app.upload_image(&me, "unused.png").await;
    let body = json!({ "title": "holiday", "body": "look", "image_upload_ids": [used["id"]] });
    app.create_post_from(&me, body).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    run_purge(&app).await;
    assert!(served(&app, &url(&used)).await);
    assert!(!served(&app, &url(&unused)).await);
    assert_eq!(app.count("uploads").await, 1);
}

#[tokio::test]
async fn a_post_removed_for_good_takes_its_images_along() {
    let app = spawn_app().await;
    let me = app.register().await;
    let image = app.upload_image(&me, "gone.png").await;
    let body = json!({ "title": "soon gone", "body": "x", "image_upload_ids": [image["id"]] });
    let post = app.create_post_from(&me, body).await.id();
    assert_eq!(app.delete_post(&me, &post).await.status(), 204);
    // During the grace the file is kept (a moderator may need it), but no
    // longer public: its plain link stops working at once.
    run_purge(&app).await;
    assert!(!served(&app, &url(&image)).await);
    assert_eq!(app.count("uploads").await, 1);
    assert_eq!(app.media_files(), 1);
    // Thirty days later.
    use sea_orm::ConnectionTrait;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339();
    let cast = crate::helpers::timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE posts SET deleted_at = '{long_ago}'{cast} WHERE id = '{post}'"
        ))
        .await
        .unwrap();
    run_purge(&app).await;
    assert!(!served(&app, &url(&image)).await);
    assert_eq!(app.count("uploads").await, 0);
    assert_eq!(app.media_files(), 0);
}

#[tokio::test]
async fn a_hidden_posts_images_are_not_public_until_it_is_restored() {
    let app = spawn_app().await;
    let (me, moderator) = (app.register().await, app.moderator().await);
    let image = app.upload_image(&me, "shown.png").await;
    let body = json!({ "title": "reported", "body": "x", "image_upload_ids": [image["id"]] });
    let post = app.create_post_from(&me, body).await.id();
    assert!(served(&app, &url(&image)).await);
    app.moderate(&moderator, "posts", &post, "hide").await;
    assert!(!served(&app, &url(&image)).await);
    app.moderate(&moderator, "posts", &post, "restore").await;
    assert!(served(&app, &url(&image)).await);
}

#[tokio::test]
async fn a_users_uploads_are_capped_in_all_and_deleting_frees_room() {
    let app = spawn_app_with(|c| c.upload_quota = 4096).await;
    let me = app.register().await;
    let first = app.upload_attachment(&me, vec![b'a'; 3000], "a.txt").await;
    let resp = app
        .upload_to("/uploads/attachments", &me, vec![b'b'; 3000], "b.txt")
        .await;
    let problem = assert_problem(resp, 413, "payload_too_large").await;
    assert_eq!(problem["errors"][0]["code"], "quota_exceeded");
    // Someone else's room is their own.
    let other = app.register().await;
    app.upload_attachment(&other, vec![b'c'; 3000], "c.txt")
        .await;
    // Deleting what I no longer use makes room again.
    let path = format!("/uploads/{}", first.id());
    assert_eq!(app.delete_as(&me, &path).await.status(), 204);
    app.upload_attachment(&me, vec![b'b'; 3000], "b.txt").await;
}
