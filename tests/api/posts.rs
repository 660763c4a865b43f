//! Posts: what a post may hold, the grant a diagnostic log needs, edits
//! with history, deletion and who may do either, and resending.
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, fields, generous_limits, json_of, spawn_app, spawn_app_with, HasId, NOBODY,
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
        let problem = assert_problem(
            app.try_create_post(&user, body.clone()).await,
            400,
            "validation_failed",
        )
        .await;
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
async fn a_diagnostic_log_needs_its_optional_grant() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let log = app.upload_image(&user, "log.png").await;
    let body = json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    let problem = assert_problem(
        app.try_create_post(&user, body.clone()).await,
        403,
        "consent_required",
    )
    .await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "diagnostic_logs", "items": ["diagnostic_log"] }])
    );
    assert_eq!(app.count("posts").await, 0);
    app.grant(&user, "diagnostic_logs").await;
    assert_eq!(app.try_create_post(&user, body).await.status(), 201);
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
