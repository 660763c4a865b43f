//! Moderation: reports reach moderators, whose decisions on posts and
//! comments take effect at once and are audited.
use serde_json::json;

use crate::helpers::{
    assert_invalid, assert_problem, assert_unknown, generous_limits, items_of, spawn_app_with,
    HasId, TestApp, TestUser, NOBODY,
};

/// A moderation decision on a post, for the reason "rule 3".
async fn moderate_post(
    app: &TestApp,
    who: &TestUser,
    post: &str,
    action: &str,
) -> reqwest::Response {
    app.try_moderate(who, "posts", post, action, "rule 3").await
}

#[tokio::test]
async fn reports_reach_moderators_whose_actions_are_audited() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let reader = app.register().await;
    let moderator = app.moderator().await;
    let bad = app
        .create_post(&author, None, "spam spam", "buy now")
        .await
        .id();
    let good = app.create_post(&author, None, "good", "fine").await.id();

    let resp = app.report(&reader, "post", &bad, "advertising").await;
    assert_eq!(resp.status(), 201);
    let resp = app.report(&reader, "post", NOBODY, "x").await;
    assert_unknown(resp, "target_id").await;

    let resp = app.get_as(&reader, "/admin/reports").await;
    assert_problem(resp, 403, "forbidden").await;
    let queue = app.get_json_as(&moderator, "/admin/reports").await;
    assert_eq!(queue["items"][0]["target_id"], bad.as_str());
    assert_eq!(queue["items"][0]["reason"], "advertising");

    let resp = moderate_post(&app, &reader, &bad, "hide").await;
    assert_problem(resp, 403, "forbidden").await;
    assert_eq!(
        app.plaza_ids(None, "?sort=new").await,
        [good.clone(), bad.clone()],
        "warms the cache"
    );
    let hide = moderate_post(&app, &moderator, &bad, "hide").await;
    assert_eq!(hide.status(), 204);
    assert_eq!(
        app.plaza_ids(None, "?sort=new").await,
        [good.as_str()],
        "hidden at once, cache or not"
    );
    let path = format!("/posts/{bad}");
    assert_problem(app.get_anon(&path).await, 404, "not_found").await;
    assert_eq!(app.get_as(&moderator, &path).await.status(), 200);
    let queue = app.get_json_as(&moderator, "/admin/reports").await;
    assert!(
        items_of(&queue).is_empty(),
        "the decision resolved the report"
    );

    for action in ["restore", "pin"] {
        let resp = moderate_post(&app, &moderator, &bad, action).await;
        assert_eq!(resp.status(), 204, "{action}");
    }
    assert_eq!(
        app.plaza_ids(None, "?sort=new").await,
        [bad.clone(), good.clone()],
        "pinned first"
    );
    let lock = moderate_post(&app, &moderator, &bad, "lock").await;
    assert_eq!(lock.status(), 204);
    let resp = app
        .try_comment(&reader, &bad, json!({ "body": "hi" }))
        .await;
    assert_problem(resp, 409, "locked").await;
    let resp = moderate_post(&app, &moderator, &bad, "explode").await;
    assert_invalid(resp, "action", None).await;

    let cid = app.comment(&reader, &good, "rude").await.id();
    let resp = app
        .try_moderate(&moderator, "comments", &cid, "pin", "x")
        .await;
    assert_invalid(resp, "action", None).await;
    let resp = app
        .try_moderate(&moderator, "comments", &cid, "hide", "rude")
        .await;
    assert_eq!(resp.status(), 204);
    let comments = app.get_json(&format!("/posts/{good}/comments")).await;
    assert!(items_of(&comments).is_empty());

    let log = app.get_json_as(&moderator, "/admin/audit-log").await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["hide", "lock", "pin", "restore", "hide"]);
    assert_eq!(log["items"][0]["moderator_id"], moderator.id.as_str());
    assert_eq!(log["items"][0]["reason"], "rude");
}
