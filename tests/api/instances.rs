//! Two instances of one deployment: events and presence cross between
//! them through Redis.
use agora::platform::ratelimit::ActionClass;

use crate::helpers::{
    close, connect_ws, next_event, next_matching, redis_url, send, set_limit, skip, spawn_app,
    spawn_app_with, spawn_sibling,
};

#[tokio::test]
async fn messages_and_presence_cross_instances() {
    if redis_url().is_none() {
        return skip(
            "instances::messages_and_presence_cross_instances",
            "two instances need AGORA_TEST_REDIS_URL",
        );
    }
    let one = spawn_app().await;
    let two = spawn_sibling(&one).await;
    let (a, b) = (one.register().await, one.register().await);
    let id = one.open_conversation(&a, &b).await;
    let mut b_socket = connect_ws(&two, &b.token).await;
    let a_socket = connect_ws(&one, &a.token).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], true);
    assert!(two.presence(&b, &a.id).await);

    let sent = one.send_text(&a, &id, "跨实例").await;
    let event = next_event(&mut b_socket, "message.created").await;
    assert_eq!(event["message"]["id"], sent["id"]);
    // B is online, if on the other instance: no notification.
    assert_eq!(two.notifications(&b).await["unread_count"], 0);

    close(a_socket).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], false);
    two.until_offline(&b, &a.id).await;
}

#[tokio::test]
async fn ending_a_session_on_one_instance_closes_its_socket_on_the_other() {
    if redis_url().is_none() {
        return skip(
            "instances::ending_a_session_on_one_instance_closes_its_socket_on_the_other",
            "two instances need AGORA_TEST_REDIS_URL",
        );
    }
    let one = spawn_app().await;
    let two = spawn_sibling(&one).await;
    let a = one.register().await;
    let mut socket = connect_ws(&two, &a.token).await;
    let resp = one.send_as(&a, reqwest::Method::POST, "/auth/logout").await;
    assert_eq!(resp.status(), 204);
    crate::helpers::expect_closed(&mut socket, 4001).await;
}

#[tokio::test]
async fn a_generous_per_ip_quota_holds_across_instances_that_lease_it() {
    if redis_url().is_none() {
        return skip(
            "instances::a_generous_per_ip_quota_holds_across_instances_that_lease_it",
            "two instances sharing a limit need AGORA_TEST_REDIS_URL",
        );
    }
    // 400 reads a day is leased (at most 4 tokens at a time); over a day
    // none comes back during the test.
    let one = spawn_app_with(|c| set_limit(c, ActionClass::ReadIp, "400/1d")).await;
    let two = spawn_sibling(&one).await;
    let mut served = 0;
    let mut refused_at = None;
    for i in 0..500 {
        let app = if i % 2 == 0 { &one } else { &two };
        match send(app.get("/circles")).await.status().as_u16() {
            200 => served += 1,
            429 => {
                refused_at = Some(i);
                break;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused_at.is_some(), "never limited after {served} reads");
    // Together they never serve more than the quota, and lose at most one
    // lease's rest on each instance.
    assert!(served <= 400, "{served} reads served");
    assert!(served >= 400 - 2 * 4, "only {served} of 400 reads served");
    // Neither instance has more than a lease's rest left.
    for app in [&one, &two] {
        let mut extra = 0;
        while send(app.get("/circles")).await.status() == 200 {
            extra += 1;
            assert!(extra <= 4, "an instance kept serving past the quota");
        }
    }
}
