//! Private messages: sending and listing, resending, bad bodies, read
//! positions, recall, who may touch what, and flood control.
use std::time::Duration;

use agora::platform::ratelimit::ActionClass;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, assert_unknown, client_id, connect_ws, generous_message_limits,
    json_of, next_event, png_bytes, retry_after, send, set_limit, spawn_app, spawn_app_with, texts,
    HasId, NOBODY,
};

// ---------------------------------------------------------------- messages

#[tokio::test]
async fn text_messages_are_listed_newest_first_for_both_participants() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let first = app.send_text(&a, &id, "你好").await;
    assert_eq!(first["conversation_id"], id.as_str());
    assert_eq!(first["sender_id"], a.id);
    assert_eq!(first["kind"], "text");
    assert_eq!(first["recalled"], false);
    assert!(first["attachment"].is_null());
    assert!(first["client_id"].is_string() && first["created_at"].is_string());
    app.send_text(&b, &id, "hi").await;
    app.send_text(&a, &id, "周末一起拍照?").await;

    for user in [&a, &b] {
        let seen = app.messages(user, &id).await;
        assert_eq!(texts(&seen), ["周末一起拍照?", "hi", "你好"]);
        assert_eq!(seen[2], first);
    }
}

#[tokio::test]
async fn messages_page_through_the_cursor_newest_first() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(app.send_text(&a, &id, &format!("message {i}")).await.id());
    }
    sent.reverse();
    let path = format!("/conversations/{id}/messages");
    assert_eq!(app.walk_pages(&b, &path, 2).await, sent);
}

#[tokio::test]
async fn resending_with_the_same_client_id_returns_the_first_message() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let body = json!({ "client_id": "phone-7f3a-1", "kind": "text", "text": "只发一次" });
    let first = app.send_message(&a, &id, body.clone()).await;
    assert_eq!(first.status(), 201);
    let first = json_of(first).await;
    let again = app.send_message(&a, &id, body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(json_of(again).await["id"], first["id"]);
    assert_eq!(app.messages(&b, &id).await.len(), 1);
    // The same client id from the peer is the peer's own message.
    let theirs = app.send_message(&b, &id, body).await;
    assert_eq!(theirs.status(), 201);
    assert_ne!(json_of(theirs).await["id"], first["id"]);
    assert_eq!(app.messages(&a, &id).await.len(), 2);
}

#[tokio::test]
async fn bad_message_bodies_are_named() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let text = |text: Value| json!({ "client_id": "c", "kind": "text", "text": text });
    let client = |client_id: Value| json!({ "client_id": client_id, "kind": "text", "text": "hi" });
    let cases = [
        (
            json!({ "client_id": "c", "kind": "text" }),
            "text",
            Some("required"),
        ),
        (text(json!("")), "text", Some("required")),
        (text(json!(" \n ")), "text", Some("required")),
        (text(json!("字".repeat(5001))), "text", Some("too_long")),
        (
            json!({ "client_id": "c", "kind": "sticker", "text": "hi" }),
            "kind",
            None,
        ),
        (json!({ "kind": "text", "text": "hi" }), "client_id", None),
        (client(json!("")), "client_id", None),
        (client(json!("c".repeat(65))), "client_id", None),
    ];
    for (body, field, code) in cases {
        assert_invalid(app.send_message(&a, &id, body).await, field, code).await;
    }
    assert!(app.messages(&a, &id).await.is_empty());
    // 5000 characters is still fine, however many bytes they take.
    app.send_text(&a, &id, &"字".repeat(5000)).await;
}

// ---------------------------------------------------------------- read, recall

#[tokio::test]
async fn reading_lowers_my_unread_count_and_tells_the_sender() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let mut a_socket = connect_ws(&app, &a.token).await;
    let first = app.send_text(&a, &id, "one").await;
    let last = app.send_text(&a, &id, "two").await;
    let unread = |user| {
        let (app, id) = (&app, &id);
        async move { app.listed(user, id).await.unwrap()["unread_count"].clone() }
    };
    assert_eq!(unread(&b).await, 2);

    assert_eq!(app.mark_read(&b, &id, &first["id"]).await.status(), 204);
    assert_eq!(unread(&b).await, 1);
    let event = next_event(&mut a_socket, "message.read").await;
    assert_eq!(event["conversation_id"], id.as_str());
    assert_eq!(event["reader_id"], b.id);
    assert_eq!(event["up_to"], first["id"]);

    assert_eq!(app.mark_read(&b, &id, &last["id"]).await.status(), 204);
    assert_eq!(unread(&b).await, 0);
    assert_eq!(
        next_event(&mut a_socket, "message.read").await["up_to"],
        last["id"]
    );
    // My own messages are never unread for me.
    assert_eq!(unread(&a).await, 0);
}

#[tokio::test]
async fn reading_up_to_a_message_of_another_conversation_is_refused() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let ours = app.open_conversation(&a, &b).await;
    let other = app.open_conversation(&a, &c).await;
    app.send_text(&a, &ours, "unread").await;
    let elsewhere = app.send_text(&a, &other, "elsewhere").await;
    let resp = app.mark_read(&b, &ours, &elsewhere["id"]).await;
    assert_unknown(resp, "up_to").await;
    let resp = app.mark_read(&b, &ours, &json!(NOBODY)).await;
    assert_unknown(resp, "up_to").await;
    assert_eq!(app.listed(&b, &ours).await.unwrap()["unread_count"], 1);
}

#[tokio::test]
async fn a_sender_recalls_messages_within_the_window_for_both_sides() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let oops = app.send_text(&a, &id, "wrong chat, sorry").await;
    let image = app.upload_attachment(&a, png_bytes(), "a.png").await;
    let photo = json_of(app.send_upload(&a, &id, "image", &image["id"]).await).await;
    for message in [&oops, &photo] {
        assert_eq!(app.recall(&a, message).await.status(), 204);
        let event = next_event(&mut b_socket, "message.recalled").await;
        assert_eq!(event["conversation_id"], id.as_str());
        assert_eq!(event["message_id"], message["id"]);
    }
    for user in [&a, &b] {
        for seen in app.messages(user, &id).await {
            assert_eq!(seen["recalled"], true);
            assert!(seen["text"].is_null() && seen["attachment"].is_null());
        }
    }
    // Nothing is left for b to read.
    assert_eq!(app.listed(&b, &id).await.unwrap()["unread_count"], 0);
}

#[tokio::test]
async fn recalling_after_the_window_is_409() {
    let app = spawn_app_with(|c| c.message_recall_window = Duration::from_millis(200)).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let late = app.send_text(&a, &id, "too late to take back").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_problem(app.recall(&a, &late).await, 409, "recall_window_passed").await;
    assert_eq!(
        texts(&app.messages(&b, &id).await),
        ["too late to take back"]
    );
}

#[tokio::test]
async fn recalling_the_peers_message_is_403() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let theirs = app.send_text(&b, &id, "mine to keep").await;
    assert_problem(app.recall(&a, &theirs).await, 403, "forbidden").await;
    assert_eq!(app.messages(&b, &id).await[0]["recalled"], false);
}

// ---------------------------------------------------------------- who may

#[tokio::test]
async fn an_outsider_gets_404_on_every_route_of_someone_elses_conversation() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let id = app.open_conversation(&a, &b).await;
    let message = app.send_text(&a, &id, "just between us").await;
    let messages = format!("/conversations/{id}/messages");
    let routes = [
        ("list", app.api_as(&c, Method::GET, &messages)),
        (
            "send",
            app.api_as(&c, Method::POST, &messages)
                .json(&json!({ "client_id": "x", "kind": "text", "text": "hi" })),
        ),
        (
            "read",
            app.api_as(&c, Method::POST, &format!("/conversations/{id}/read"))
                .json(&json!({ "up_to": message["id"] })),
        ),
        (
            "remove",
            app.api_as(&c, Method::DELETE, &format!("/conversations/{id}")),
        ),
        (
            "recall",
            app.api_as(&c, Method::DELETE, &format!("/messages/{}", message.id())),
        ),
    ];
    for (route, request) in routes {
        let resp = send(request).await;
        assert_eq!(resp.status(), 404, "{route}");
        assert_problem(resp, 404, "not_found").await;
    }
    // Nothing changed for the participants.
    let seen = app.messages(&b, &id).await;
    assert_eq!(texts(&seen), ["just between us"]);
    assert_eq!(app.listed(&b, &id).await.unwrap()["unread_count"], 1);
    assert!(app.listed(&a, &id).await.is_some());
}

// ---------------------------------------------------------------- flood control

#[tokio::test]
async fn the_fourth_message_in_a_minute_is_429() {
    let app = spawn_app_with(|c| set_limit(c, ActionClass::MessageSend, "3/1m")).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    for i in 0..3 {
        app.send_text(&a, &id, &format!("message {i}")).await;
    }
    let body = json!({ "client_id": client_id(), "kind": "text", "text": "one more" });
    let resp = app.send_message(&a, &id, body).await;
    let wait = retry_after(&resp);
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "rate_limited").await;
    assert_eq!(app.messages(&b, &id).await.len(), 3);
    // The peer is not held up.
    app.send_text(&b, &id, "my turn").await;
}

#[tokio::test]
async fn only_new_conversations_count_against_the_daily_limit() {
    let app = spawn_app_with(|c| set_limit(c, ActionClass::ConversationCreate, "2/1d")).await;
    let a = app.register().await;
    let (b, c, d) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let with_b = app.open_conversation(&a, &b).await;
    app.open_conversation(&a, &c).await;
    let resp = app.try_open_conversation(&a, &d.id).await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_problem(resp, 429, "rate_limited").await;

    let existing = app.try_open_conversation(&a, &b.id).await;
    assert_eq!(existing.status(), 200);
    assert_eq!(json_of(existing).await["id"], with_b.as_str());
    // The limit is per user: d may still start one with a.
    assert_eq!(app.try_open_conversation(&d, &a.id).await.status(), 201);
}
