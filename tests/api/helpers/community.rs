//! Endpoint helpers for the community: circles, posts, comments, likes,
//! follows, reports and moderation. `x` asserts success and returns the
//! body; `try_x` returns the response for tests that expect a refusal.
use reqwest::{Method, Response};
use serde_json::{json, Value};

use super::{expect_status, ids_of, items_of, Bearer, TestApp, TestUser};

impl TestApp {
    /// An admin creates a circle described as `all about {name}`.
    pub async fn create_circle(&self, admin: &TestUser, name: &str, kind: &str) -> Value {
        let description = format!("all about {name}");
        self.create_circle_described(admin, name, kind, &description)
            .await
    }

    /// An admin creates a circle.
    pub async fn create_circle_described(
        &self,
        admin: &TestUser,
        name: &str,
        kind: &str,
        description: &str,
    ) -> Value {
        let resp = self.try_create_circle(admin, name, kind, description).await;
        expect_status(resp, 201).await
    }

    pub async fn try_create_circle(
        &self,
        who: &TestUser,
        name: &str,
        kind: &str,
        description: &str,
    ) -> Response {
        let body = json!({ "name": name, "kind": kind, "description": description });
        self.post_as(who, "/admin/circles", &body).await
    }

    /// `user` joins the circle; the membership answer.
    pub async fn join_circle(&self, user: &TestUser, circle: &str) -> Value {
        let resp = self
            .put_as(user, &format!("/circles/{circle}/membership"))
            .await;
        expect_status(resp, 200).await
    }

    /// `user` leaves the circle; the membership answer.
    pub async fn leave_circle(&self, user: &TestUser, circle: &str) -> Value {
        let resp = self
            .delete_as(user, &format!("/circles/{circle}/membership"))
            .await;
        expect_status(resp, 200).await
    }

    /// `user` posts `title` and `body`, in `circle` or on the plaza.
    pub async fn create_post(
        &self,
        user: &TestUser,
        circle: Option<&str>,
        title: &str,
        body: &str,
    ) -> Value {
        let mut post = json!({ "title": title, "body": body });
        if let Some(circle) = circle {
            post["circle_id"] = json!(circle);
        }
        self.create_post_from(user, post).await
    }

    /// `user` posts this body; the created post.
    pub async fn create_post_from(&self, user: &TestUser, post: Value) -> Value {
        expect_status(self.try_create_post(user, post).await, 201).await
    }

    pub async fn try_create_post(&self, user: &TestUser, post: Value) -> Response {
        self.post_as(user, "/posts", &post).await
    }

    pub async fn edit_post(&self, who: &TestUser, post: &str, changes: Value) -> Response {
        self.patch_as(who, &format!("/posts/{post}"), &changes)
            .await
    }

    pub async fn delete_post(&self, who: &TestUser, post: &str) -> Response {
        self.delete_as(who, &format!("/posts/{post}")).await
    }

    /// `user` comments on `post`; the created comment.
    pub async fn comment(&self, user: &TestUser, post: &str, body: &str) -> Value {
        let resp = self.try_comment(user, post, json!({ "body": body })).await;
        expect_status(resp, 201).await
    }

    /// `user` answers the comment `parent` on `post`; the created reply.
    pub async fn reply(&self, user: &TestUser, post: &str, parent: &str, body: &str) -> Value {
        let comment = json!({ "body": body, "parent_id": parent });
        expect_status(self.try_comment(user, post, comment).await, 201).await
    }

    pub async fn try_comment(&self, user: &TestUser, post: &str, comment: Value) -> Response {
        self.post_as(user, &format!("/posts/{post}/comments"), &comment)
            .await
    }

    pub async fn delete_comment(&self, who: &TestUser, comment: &str) -> Response {
        self.delete_as(who, &format!("/comments/{comment}")).await
    }

    /// `who` likes the post; `{ liked, like_count }`.
    pub async fn like(&self, who: &(impl Bearer + ?Sized), post: &str) -> Value {
        expect_status(self.try_like(who, post).await, 200).await
    }

    pub async fn try_like(&self, who: &(impl Bearer + ?Sized), post: &str) -> Response {
        self.put_as(who, &format!("/posts/{post}/like")).await
    }

    /// `who` takes back their like; `{ liked, like_count }`.
    pub async fn unlike(&self, who: &TestUser, post: &str) -> Value {
        let resp = self.delete_as(who, &format!("/posts/{post}/like")).await;
        expect_status(resp, 200).await
    }

    /// `who` likes the comment; `{ liked, like_count }`.
    pub async fn like_comment(&self, who: &TestUser, comment: &str) -> Value {
        let resp = self.put_as(who, &format!("/comments/{comment}/like")).await;
        expect_status(resp, 200).await
    }

    /// `me` follows the user `whom`.
    pub async fn follow(&self, me: &TestUser, whom: &str) {
        assert_eq!(self.try_follow(me, whom).await.status(), 204);
    }

    pub async fn try_follow(&self, me: &TestUser, whom: &str) -> Response {
        self.put_as(me, &format!("/users/{whom}/follow")).await
    }

    /// `me` stops following the user `whom`.
    pub async fn unfollow(&self, me: &TestUser, whom: &str) {
        let resp = self.delete_as(me, &format!("/users/{whom}/follow")).await;
        assert_eq!(resp.status(), 204);
    }

    /// `who` reports a post or comment.
    pub async fn report(
        &self,
        who: &TestUser,
        target_type: &str,
        target: &str,
        reason: &str,
    ) -> Response {
        let body = json!({ "target_type": target_type, "target_id": target, "reason": reason });
        self.post_as(who, "/reports", &body).await
    }

    /// `who` takes a moderation `action` on a post or comment; `target` is
    /// `posts` or `comments`.
    pub async fn try_moderate(
        &self,
        who: &TestUser,
        target: &str,
        id: &str,
        action: &str,
        reason: &str,
    ) -> Response {
        let body = json!({ "action": action, "reason": reason });
        let path = format!("/admin/{target}/{id}/moderation");
        self.send_json_as(who, Method::POST, &path, &body).await
    }

    /// A moderator takes `action` on a post or comment (`target` is `posts`
    /// or `comments`); panics unless it works.
    pub async fn moderate(&self, moderator: &TestUser, target: &str, id: &str, action: &str) {
        let resp = self
            .try_moderate(moderator, target, id, action, "rule 3")
            .await;
        assert_eq!(resp.status(), 204);
    }

    /// The ids of the plaza's first page, as `viewer` or anonymously.
    pub async fn plaza_ids(&self, viewer: Option<&TestUser>, query: &str) -> Vec<String> {
        let path = format!("/plaza{query}");
        let page = match viewer {
            Some(user) => self.get_json_as(user, &path).await,
            None => self.get_json(&path).await,
        };
        ids_of(&items_of(&page))
    }
}
