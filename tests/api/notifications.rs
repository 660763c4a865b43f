//! Notifications: the fallback for a recipient who is offline.
use serde_json::json;

use crate::helpers::{connect_ws, events_until, items_of, spawn_app};

#[tokio::test]
async fn an_offline_recipient_gets_notifications_that_can_be_marked_read() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let first = app.send_text(&a, &id, "are you there?").await;
    let page = app.notifications(&b).await;
    assert_eq!(page["unread_count"], 1);
    let items = items_of(&page);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "message");
    assert_eq!(items[0]["actor"]["id"], a.id);
    assert_eq!(items[0]["conversation_id"], id.as_str());
    assert_eq!(items[0]["message_id"], first["id"]);
    assert_eq!(items[0]["read"], false);
    assert!(!page.to_string().contains("are you there"), "no content");
    assert_eq!(app.notifications(&a).await["unread_count"], 0);

    app.send_text(&a, &id, "hello?").await;
    let page = app.notifications(&b).await;
    assert_eq!(page["unread_count"], 2);
    let older = page["items"][1]["id"].clone();
    app.read_notifications(&b, json!({ "up_to": older })).await;
    let page = app.notifications(&b).await;
    assert_eq!(page["unread_count"], 1);
    assert_eq!(page["items"][0]["read"], false);
    assert_eq!(page["items"][1]["read"], true);
    app.read_notifications(&b, json!({})).await;
    assert_eq!(app.notifications(&b).await["unread_count"], 0);
}

#[tokio::test]
async fn reading_the_conversation_reads_its_notifications() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    app.send_text(&a, &id, "one").await;
    let last = app.send_text(&a, &id, "two").await;
    assert_eq!(app.notifications(&b).await["unread_count"], 2);
    assert_eq!(app.mark_read(&b, &id, &last["id"]).await.status(), 204);
    assert_eq!(app.notifications(&b).await["unread_count"], 0);
}

#[tokio::test]
async fn a_recalled_message_takes_its_notification_with_it() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let oops = app.send_text(&a, &id, "not for you").await;
    assert_eq!(app.notifications(&b).await["unread_count"], 1);
    assert_eq!(app.recall(&a, &oops).await.status(), 204);
    let page = app.notifications(&b).await;
    assert_eq!(page["unread_count"], 0);
    assert!(!page.to_string().contains(oops["id"].as_str().unwrap()));
}

#[tokio::test]
async fn an_online_recipient_gets_the_event_and_no_notification() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    app.send_text(&a, &id, "you are online").await;
    let seen = events_until(&mut b_socket, "message.created").await;
    assert!(
        !seen.iter().any(|e| e["type"] == "notification"),
        "{seen:?}"
    );
    let page = app.notifications(&b).await;
    assert_eq!(page["unread_count"], 0);
    assert!(items_of(&page).is_empty());
}
