//! Posts: what a post may hold, the grant a diagnostic log needs and who
//! sees it, edits
//! with history, deletion and who may do either, and resending.
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, assert_unknown, fields, generous_limits, json_of, png_bytes, spawn_app,
    spawn_app_with, HasId, NOBODY,
};

#[tokio::test]
async fn bad_posts_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let other = app.register().await;
    let theirs = app.upload_image(&other, "x.png").await;
    let mine = app.upload_image(&user, "y.png").await;
    let ten: Vec<Value> = (0..10).map(|_| mine["id"].clone()).collect();
    let cases = [
        (json!({ "title": "t".repeat(201), "body": "b" }), "title"),
        (json!({ "title": "t", "body": "b".repeat(50_001) }), "body"),
        (json!({ "title": "   ", "body": "b" }), "title"),
        (
            json!({ "title": "t", "body": "b", "image_upload_ids": ten }),
            "image_upload_ids",
        ),
        (
            json!({ "title": "t", "body": "b", "image_upload_ids": [theirs["id"]] }),
            "image_upload_ids[0]",
        ),
        (
            json!({ "title": "t", "body": "b", "circle_id": NOBODY }),
            "circle_id",
        ),
    ];
    for (body, field) in cases {
        // A reference to nothing of mine is a 404; a bad value a 400.
        let (status, code) = if field.ends_with("_id") || field.ends_with(']') {
            (404, "not_found")
        } else {
            (400, "validation_failed")
        };
        let problem =
            assert_problem(app.try_create_post(&user, body.clone()).await, status, code).await;
        assert_eq!(
            fields(&problem),
            [field],
            "{}",
            &body.to_string()[..body.to_string().len().min(80)]
        );
    }
    assert_eq!(app.count("posts").await, 0);
    assert_eq!(app.count("post_images").await, 0);
}

#[tokio::test]
async fn a_diagnostic_log_needs_its_grant_before_a_byte_is_stored() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let problem = assert_problem(
        app.upload_log(&user, b"E/app: crash\n").await,
        403,
        "consent_required",
    )
    .await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "diagnostic_logs", "items": ["diagnostic_log"] }])
    );
    assert_eq!(app.count("uploads").await, 0);
    let media = app.data_dir.path().join("media");
    let stored = std::fs::read_dir(&media).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "nothing reached the media store");

    app.grant(&user, "diagnostic_logs").await;
    // A log is text or a ZIP, never an image.
    let image = app.upload_image(&user, "x.png").await;
    let resp = app.upload_log(&user, &png_bytes()).await;
    assert_problem(resp, 415, "unsupported_media_type").await;
    let log = app.upload_log_ok(&user).await;
    // An image is no log, and a log no image.
    let as_log = json!({ "title": "bug", "body": "it crashes", "log_upload_id": image["id"] });
    assert_unknown(app.try_create_post(&user, as_log).await, "log_upload_id").await;
    let as_image = json!({ "title": "bug", "body": "x", "image_upload_ids": [log["id"]] });
    assert_unknown(
        app.try_create_post(&user, as_image).await,
        "image_upload_ids[0]",
    )
    .await;
    let body = json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    assert_eq!(app.try_create_post(&user, body).await.status(), 201);
}

#[tokio::test]
async fn a_diagnostic_log_is_private_to_its_author_and_moderators() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let stranger = app.register().await;
    let moderator = app.moderator().await;
    app.grant(&user, "diagnostic_logs").await;
    let log = app.upload_log_ok(&user).await;
    let signed = log["url"].as_str().unwrap().to_owned();
    assert!(signed.contains("sig="), "a signed link: {signed}");
    let plain = signed.split('?').next().unwrap();
    assert_eq!(app.fetch(plain).await.status(), 404, "no link, no log");
    let resp = app.fetch(&signed).await;
    assert_eq!(resp.status(), 200);
    let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.starts_with("private"), "{cache}");

    let body = json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    let post = json_of(app.try_create_post(&user, body).await).await;
    assert_eq!(post["diagnostic_log"]["id"], log["id"]);
    let path = format!("/posts/{}", post["id"].as_str().unwrap());
    let seen = app.get_json_as(&moderator, &path).await;
    let url = seen["diagnostic_log"]["url"].as_str().unwrap();
    assert_eq!(app.fetch(url).await.status(), 200);
    let by_stranger = app.get_json_as(&stranger, &path).await;
    assert!(by_stranger["diagnostic_log"].is_null(), "{by_stranger}");
    assert!(app.get_json(&path).await["diagnostic_log"].is_null());
    let plaza = app.get_json_as(&user, "/plaza").await;
    assert!(
        plaza["items"][0]["diagnostic_log"].is_null(),
        "never in feeds"
    );
    // Never sent on as a message attachment.
    let conversation = app.open_conversation(&user, &stranger).await;
    let resp = app
        .send_message(
            &user,
            &conversation,
            json!({ "client_id": "c1", "kind": "file", "upload_id": log["id"] }),
        )
        .await;
    assert_unknown(resp, "upload_id").await;
}

#[tokio::test]
async fn authors_edit_with_history_and_delete_and_others_may_not() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let stranger = app.register().await;
    let moderator = app.moderator().await;
    let pid = app
        .create_post(&author, None, "v1 title", "正文 body")
        .await
        .id();

    let resp = app
        .edit_post(&stranger, &pid, json!({ "title": "hacked" }))
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app
        .edit_post(&author, &pid, json!({ "title": "v2 title" }))
        .await;
    let edited = json_of(resp).await;
    assert_eq!(edited["title"], "v2 title");
    assert!(edited["edited_at"].is_string());
    let revisions = format!("/posts/{pid}/revisions");
    let history = app.get_json_as(&author, &revisions).await;
    assert_eq!(history[0]["title"], "v1 title");
    assert_eq!(app.get_as(&moderator, &revisions).await.status(), 200);
    assert_problem(app.get_as(&stranger, &revisions).await, 403, "forbidden").await;

    assert_problem(app.delete_post(&stranger, &pid).await, 403, "forbidden").await;
    assert_eq!(app.delete_post(&author, &pid).await.status(), 204);
    assert_problem(
        app.get_anon(&format!("/posts/{pid}")).await,
        404,
        "not_found",
    )
    .await;
    let feed = app.get_json("/plaza").await;
    assert!(
        feed["items"].as_array().unwrap().is_empty(),
        "a deleted post leaves the feed at once"
    );

    let other = app
        .create_post(&stranger, None, "spam", "正文 body")
        .await
        .id();
    assert_eq!(app.delete_post(&moderator, &other).await.status(), 204);
}

#[tokio::test]
async fn a_resent_post_with_the_same_client_id_is_not_posted_twice() {
    let app = spawn_app().await;
    let user = app.register().await;
    let body =
        json!({ "client_id": "3f2c7a9e-retry", "title": "flaky network", "body": "sent twice" });
    let first = json_of(app.try_create_post(&user, body.clone()).await).await;
    // The retry comes within the flood window: it is the same post, not a 429.
    let resp = app.try_create_post(&user, body).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(json_of(resp).await["id"], first["id"]);
    assert_eq!(app.count("posts").await, 1);
    // Another user may use the same key for their own post.
    let other = app.register().await;
    let theirs = app
        .create_post_from(
            &other,
            json!({ "client_id": "3f2c7a9e-retry", "title": "t", "body": "b" }),
        )
        .await;
    assert_ne!(theirs["id"], first["id"]);
}
