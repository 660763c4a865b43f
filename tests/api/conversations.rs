//! Conversations: opening one, the list by latest activity, removing one
//! for myself, and paging.
use crate::helpers::{
    assert_invalid, assert_problem, fields, generous_message_limits, ids_of, json_of, spawn_app,
    spawn_app_with, texts, NOBODY,
};

#[tokio::test]
async fn opening_a_conversation_creates_it_once_for_both_sides() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let resp = app.try_open_conversation(&a, &b.id).await;
    assert_eq!(resp.status(), 201);
    let created = json_of(resp).await;
    assert_eq!(created["peer"]["id"], b.id);
    assert_eq!(created["peer"]["nickname"], "tester");
    assert!(created["last_message"].is_null());
    assert_eq!(created["unread_count"], 0);
    assert!(created["updated_at"].is_string());

    let again = app.try_open_conversation(&a, &b.id).await;
    assert_eq!(again.status(), 200);
    assert_eq!(json_of(again).await["id"], created["id"]);
    let theirs = app.try_open_conversation(&b, &a.id).await;
    assert_eq!(theirs.status(), 200);
    let theirs = json_of(theirs).await;
    assert_eq!(theirs["id"], created["id"]);
    assert_eq!(theirs["peer"]["id"], a.id);
}

#[tokio::test]
async fn conversations_are_listed_by_latest_activity_with_last_message_and_unread_count() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let with_b = app.open_conversation(&b, &a).await;
    let with_c = app.open_conversation(&c, &a).await;
    app.send_text(&c, &with_c, "one").await;
    app.send_text(&c, &with_c, "two").await;
    app.send_text(&b, &with_b, "hello").await;

    let list = app.conversations(&a).await;
    assert_eq!(ids_of(&list), [with_b.as_str(), with_c.as_str()]);
    assert_eq!(list[0]["peer"]["id"], b.id);
    assert_eq!(list[0]["last_message"]["text"], "hello");
    assert_eq!(list[0]["unread_count"], 1);
    assert_eq!(list[1]["peer"]["id"], c.id);
    assert_eq!(list[1]["last_message"]["text"], "two");
    assert_eq!(list[1]["unread_count"], 2);
    // Answering brings a conversation to the top.
    app.send_text(&a, &with_c, "three").await;
    assert_eq!(
        ids_of(&app.conversations(&a).await),
        [with_c.as_str(), with_b.as_str()]
    );
}

#[tokio::test]
async fn removing_a_conversation_clears_it_for_me_until_a_new_message_arrives() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    app.send_text(&a, &id, "before").await;
    app.send_text(&b, &id, "also before").await;
    assert_eq!(app.remove_conversation(&a, &id).await.status(), 204);
    assert!(app.listed(&a, &id).await.is_none());
    assert!(app.messages(&a, &id).await.is_empty());
    // The peer keeps theirs.
    assert!(app.listed(&b, &id).await.is_some());
    assert_eq!(
        texts(&app.messages(&b, &id).await),
        ["also before", "before"]
    );

    app.send_text(&b, &id, "after").await;
    let back = app
        .listed(&a, &id)
        .await
        .expect("a new message brings it back");
    assert_eq!(back["last_message"]["text"], "after");
    assert_eq!(back["unread_count"], 1);
    assert_eq!(texts(&app.messages(&a, &id).await), ["after"]);
}

#[tokio::test]
async fn a_conversation_with_myself_or_with_nobody_is_refused() {
    let app = spawn_app().await;
    let a = app.register().await;
    assert_invalid(
        app.try_open_conversation(&a, &a.id).await,
        "peer_id",
        Some("self"),
    )
    .await;
    let resp = app.try_open_conversation(&a, NOBODY).await;
    let problem = assert_problem(resp, 404, "not_found").await;
    assert_eq!(fields(&problem), ["peer_id"]);
    assert!(app.conversations(&a).await.is_empty());
}

#[tokio::test]
async fn conversations_page_through_the_cursor() {
    let app = spawn_app_with(generous_message_limits).await;
    let me = app.register().await;
    let mut opened = Vec::new();
    for _ in 0..3 {
        let peer = app.register().await;
        opened.push(app.open_conversation(&me, &peer).await);
    }
    opened.reverse();
    assert_eq!(app.walk_pages(&me, "/conversations", 2).await, opened);
}
