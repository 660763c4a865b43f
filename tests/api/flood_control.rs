//! Flood control on community writes: posts, comments and likes.
use agora::platform::ratelimit::ActionClass;

use crate::helpers::{
    assert_problem, generous_limits, set_limit, spawn_app, spawn_app_with, HasId,
};

#[tokio::test]
async fn one_post_per_fifteen_seconds() {
    let app = spawn_app().await;
    let user = app.register().await;
    app.create_post(&user, None, "first", "正文 body").await;
    let resp = app
        .try_create_post(
            &user,
            serde_json::json!({ "title": "second", "body": "too soon" }),
        )
        .await;
    assert!(resp.headers().get("retry-after").is_some());
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn one_comment_per_five_seconds_and_no_like_past_the_burst() {
    // A burst of fifty likes; over an hour no token comes back while the
    // test runs (at fifty a minute, one would every 1.2 s: on a loaded
    // machine, before the fifty-first like).
    let app = spawn_app_with(|c| {
        generous_limits(c);
        set_limit(c, ActionClass::CommentCreate, "1/5s");
        set_limit(c, ActionClass::Like, "50/1h");
    })
    .await;
    let user = app.register().await;
    let mut ids = Vec::new();
    for i in 0..51 {
        let title = format!("p{i}");
        ids.push(app.create_post(&user, None, &title, "正文 body").await.id());
    }
    let comment =
        |body: &'static str| app.try_comment(&user, &ids[0], serde_json::json!({ "body": body }));
    assert_eq!(comment("first").await.status(), 201);
    assert_problem(comment("second").await, 429, "rate_limited").await;
    for id in &ids[..50] {
        assert_eq!(app.try_like(&user, id).await.status(), 200);
    }
    assert_problem(app.try_like(&user, &ids[50]).await, 429, "rate_limited").await;
}
