//! Blocking: no conversation, message, comment, reply or like either way
//! while it lasts.
use serde_json::json;

use crate::helpers::{
    assert_invalid, assert_problem, client_id, generous_limits, ids_of, spawn_app, spawn_app_with,
    texts, HasId, NOBODY,
};

#[tokio::test]
async fn a_blocked_user_cannot_open_a_conversation_either_way() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    assert_eq!(app.block(&a, &b.id).await.status(), 204);
    assert_eq!(app.block(&a, &b.id).await.status(), 204, "idempotent");
    assert_problem(app.try_open_conversation(&b, &a.id).await, 403, "blocked").await;
    assert_problem(app.try_open_conversation(&a, &b.id).await, 403, "blocked").await;
    assert!(app.conversations(&b).await.is_empty());
    assert_eq!(ids_of(&app.items(&a, "/me/blocks").await), [b.id.as_str()]);
    assert!(app.items(&b, "/me/blocks").await.is_empty());
}

#[tokio::test]
async fn blocking_stops_messages_both_ways_but_keeps_the_history_until_unblocked() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    app.send_text(&b, &id, "before the block").await;
    assert_eq!(app.block(&a, &b.id).await.status(), 204);

    let body = || json!({ "client_id": client_id(), "kind": "text", "text": "hello?" });
    assert_problem(app.send_message(&b, &id, body()).await, 403, "blocked").await;
    assert_problem(app.send_message(&a, &id, body()).await, 403, "blocked").await;
    assert_eq!(texts(&app.messages(&a, &id).await), ["before the block"]);

    assert_eq!(app.unblock(&a, &b.id).await.status(), 204);
    app.send_text(&b, &id, "after the block").await;
    assert!(app.items(&a, "/me/blocks").await.is_empty());
}

#[tokio::test]
async fn blocking_myself_or_nobody_is_refused() {
    let app = spawn_app().await;
    let a = app.register().await;
    assert_invalid(app.block(&a, &a.id).await, "id", None).await;
    assert_problem(app.block(&a, NOBODY).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_block_ends_follows_and_stops_a_re_follow_either_way() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    app.follow(&b, &a.id).await;
    assert_eq!(app.block(&a, &b.id).await.status(), 204);
    // The blocked user cannot follow again, nor can the blocker.
    assert_problem(app.try_follow(&b, &a.id).await, 403, "blocked").await;
    assert_problem(app.try_follow(&a, &b.id).await, 403, "blocked").await;
    let followers = app.get_json(&format!("/users/{}/followers", a.id)).await;
    assert!(followers["items"].as_array().unwrap().is_empty());
    // After unblocking, following works again.
    assert_eq!(app.unblock(&a, &b.id).await.status(), 204);
    app.follow(&b, &a.id).await;
}

#[tokio::test]
async fn a_block_stops_comments_replies_and_likes_either_way() {
    let app = spawn_app_with(generous_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let a_post = app.create_post(&a, None, "a's post", "words").await.id();
    let b_post = app.create_post(&b, None, "b's post", "words").await.id();
    let a_comment = app.comment(&a, &b_post, "a says").await;
    app.like(&b, &a_post).await;
    assert_eq!(app.block(&a, &b.id).await.status(), 204);
    let say = json!({ "body": "hello" });
    // The blocked one cannot reach the blocker's content...
    assert_problem(
        app.try_comment(&b, &a_post, say.clone()).await,
        403,
        "blocked",
    )
    .await;
    assert_problem(app.try_like(&b, &a_post).await, 403, "blocked").await;
    let reply = json!({ "body": "hello", "parent_id": a_comment["id"] });
    assert_problem(app.try_comment(&b, &b_post, reply).await, 403, "blocked").await;
    let path = format!("/comments/{}/like", a_comment["id"].as_str().unwrap());
    assert_problem(app.put_as(&b, &path).await, 403, "blocked").await;
    // ...nor the blocker the blocked one's.
    assert_problem(
        app.try_comment(&a, &b_post, say.clone()).await,
        403,
        "blocked",
    )
    .await;
    // Taking back a like given before is always possible.
    app.unlike(&b, &a_post).await;
    // Once unblocked, all is as before.
    assert_eq!(app.unblock(&a, &b.id).await.status(), 204);
    assert_eq!(app.try_comment(&b, &a_post, say).await.status(), 201);
}
