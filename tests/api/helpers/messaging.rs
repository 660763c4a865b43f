//! Endpoint helpers for private messages, blocks and notifications.
use reqwest::Response;
use serde_json::{json, Value};

use super::{expect_status, items_of, json_of, HasId, TestApp, TestUser};

/// A fresh client id for a message.
pub fn client_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The texts of messages, in order.
pub fn texts(messages: &[Value]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

impl TestApp {
    /// The id of the conversation between `me` and `peer`, created if need be.
    pub async fn open_conversation(&self, me: &TestUser, peer: &TestUser) -> String {
        let resp = self.try_open_conversation(me, &peer.id).await;
        let status = resp.status().as_u16();
        assert!(matches!(status, 200 | 201), "{status}");
        json_of(resp).await.id()
    }

    pub async fn try_open_conversation(&self, me: &TestUser, peer_id: &str) -> Response {
        self.post_as(me, "/conversations", &json!({ "peer_id": peer_id }))
            .await
    }

    /// Removes the conversation from `me`'s list.
    pub async fn remove_conversation(&self, me: &TestUser, conversation: &str) -> Response {
        self.delete_as(me, &format!("/conversations/{conversation}"))
            .await
    }

    /// Sends a message with this body.
    pub async fn send_message(&self, me: &TestUser, conversation: &str, body: Value) -> Response {
        let path = format!("/conversations/{conversation}/messages");
        self.post_as(me, &path, &body).await
    }

    /// Sends `text`; returns the created message.
    pub async fn send_text(&self, me: &TestUser, conversation: &str, text: &str) -> Value {
        let body = json!({ "client_id": client_id(), "kind": "text", "text": text });
        expect_status(self.send_message(me, conversation, body).await, 201).await
    }

    /// Sends an upload as a message of `kind` (`image`, `video`, `file`).
    pub async fn send_upload(
        &self,
        me: &TestUser,
        conversation: &str,
        kind: &str,
        upload_id: &Value,
    ) -> Response {
        let body = json!({ "client_id": client_id(), "kind": kind, "upload_id": upload_id });
        self.send_message(me, conversation, body).await
    }

    /// The first page of a list `me` reads, as its items.
    pub async fn items(&self, me: &TestUser, path: &str) -> Vec<Value> {
        items_of(&expect_status(self.get_as(me, path).await, 200).await)
    }

    /// The messages of a conversation as `me` sees them, newest first.
    pub async fn messages(&self, me: &TestUser, conversation: &str) -> Vec<Value> {
        self.items(me, &format!("/conversations/{conversation}/messages"))
            .await
    }

    /// `me`'s conversations, latest activity first.
    pub async fn conversations(&self, me: &TestUser) -> Vec<Value> {
        self.items(me, "/conversations").await
    }

    /// The conversation as it shows in my list, if it does.
    pub async fn listed(&self, me: &TestUser, conversation: &str) -> Option<Value> {
        self.conversations(me)
            .await
            .into_iter()
            .find(|c| c["id"] == conversation)
    }

    /// Marks the conversation read up to the message `up_to`.
    pub async fn mark_read(&self, me: &TestUser, conversation: &str, up_to: &Value) -> Response {
        let path = format!("/conversations/{conversation}/read");
        self.post_as(me, &path, &json!({ "up_to": up_to })).await
    }

    /// Recalls a message.
    pub async fn recall(&self, me: &TestUser, message: &Value) -> Response {
        self.delete_as(me, &format!("/messages/{}", message.id()))
            .await
    }

    pub async fn block(&self, me: &TestUser, user_id: &str) -> Response {
        self.put_as(me, &format!("/users/{user_id}/block")).await
    }

    pub async fn unblock(&self, me: &TestUser, user_id: &str) -> Response {
        self.delete_as(me, &format!("/users/{user_id}/block")).await
    }

    /// `user`'s notifications page.
    pub async fn notifications(&self, user: &TestUser) -> Value {
        let resp = self.get_as(user, "/me/notifications").await;
        expect_status(resp, 200).await
    }

    /// Marks notifications read (`{}` for all, `{ "up_to": id }`).
    pub async fn read_notifications(&self, user: &TestUser, body: Value) {
        let resp = self.post_as(user, "/me/notifications/read", &body).await;
        assert_eq!(resp.status(), 204);
    }
}
