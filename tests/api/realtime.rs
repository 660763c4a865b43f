//! The realtime socket: the events it carries and how it authenticates.
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::json;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{
    bearer, connect_ws, expect_closed, expect_status, next_event, next_matching, notice_version,
    open_socket, outdate_notice, ping_pong, spawn_app, TestApp, TestUser, PASSWORD, WAIT,
};

/// A one-time ticket to open a socket with.
async fn ticket(app: &TestApp, user: &TestUser) -> String {
    let resp = app.send_as(user, Method::POST, "/realtime/tickets").await;
    let body = expect_status(resp, 201).await;
    assert!(body["expires_at"].is_string());
    body["ticket"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- events

#[tokio::test]
async fn both_participants_receive_each_others_messages_as_they_are_sent() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let mut a_socket = connect_ws(&app, &a.token).await;
    let mut b_socket = connect_ws(&app, &b.token).await;

    let sent = app.send_text(&a, &id, "在吗?").await;
    let event = next_event(&mut b_socket, "message.created").await;
    assert_eq!(event["message"], sent);
    let reply = app.send_text(&b, &id, "在").await;
    let event = next_matching(&mut a_socket, "message.created", |e| {
        e["message"]["id"] == reply["id"]
    })
    .await;
    assert_eq!(event["message"]["text"], "在");
    assert_eq!(event["message"]["sender_id"], b.id);
}

#[tokio::test]
async fn every_device_of_the_sender_receives_its_own_message_too() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let tablet_token = app.sign_in(&a).await;
    let mut phone = connect_ws(&app, &a.token).await;
    let mut tablet = connect_ws(&app, &tablet_token).await;

    let sent = app.send_text(&a, &id, "sent from my phone").await;
    for socket in [&mut phone, &mut tablet] {
        let event = next_event(socket, "message.created").await;
        assert_eq!(event["message"]["id"], sent["id"]);
    }
}

#[tokio::test]
async fn the_server_answers_ping_messages_and_ping_frames() {
    let app = spawn_app().await;
    let a = app.register().await;
    let mut ws = connect_ws(&app, &a.token).await;
    ws.send(Message::text(r#"{"type":"ping"}"#)).await.unwrap();
    assert_eq!(next_event(&mut ws, "pong").await, json!({ "type": "pong" }));

    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let pong = timeout(WAIT, async {
        loop {
            if let Message::Pong(payload) = ws.next().await.unwrap().unwrap() {
                return payload;
            }
        }
    })
    .await
    .expect("no pong frame");
    assert_eq!(pong.as_ref(), b"are you there");
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn a_ticket_opens_exactly_one_socket_for_its_user() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let ticket = ticket(&app, &a).await;
    let query = format!(
        "?ticket={}",
        form_urlencoded::byte_serialize(ticket.as_bytes()).collect::<String>()
    );
    let (mut ws, _) = open_socket(&app, &query, &[])
        .await
        .expect("the ticket opens a socket");
    let sent = app.send_text(&b, &id, "for a").await;
    let event = next_event(&mut ws, "message.created").await;
    assert_eq!(event["message"]["id"], sent["id"]);

    assert_eq!(open_socket(&app, &query, &[]).await.err(), Some(401));
}

#[tokio::test]
async fn the_bearer_subprotocol_authenticates_and_is_echoed() {
    let app = spawn_app().await;
    let a = app.register().await;
    let protocol = vec![(
        "sec-websocket-protocol",
        format!("agora.bearer, {}", a.token),
    )];
    let (mut ws, resp) = open_socket(&app, "", &protocol)
        .await
        .expect("the subprotocol opens a socket");
    assert_eq!(resp.headers()["sec-websocket-protocol"], "agora.bearer");
    ping_pong(&mut ws).await;
    assert!(app.presence(&a, &a.id).await);
}

#[tokio::test]
async fn a_socket_without_valid_credentials_is_refused_with_401() {
    let app = spawn_app().await;
    let a = app.register().await;
    let bad_protocol = vec![("sec-websocket-protocol", "agora.bearer, nope".to_owned())];
    assert_eq!(open_socket(&app, "", &[]).await.err(), Some(401));
    assert_eq!(
        open_socket(&app, "", &bearer("nope")).await.err(),
        Some(401)
    );
    assert_eq!(open_socket(&app, "", &bad_protocol).await.err(), Some(401));
    assert_eq!(
        open_socket(&app, "?ticket=nope", &[]).await.err(),
        Some(401)
    );
    let resp = app.post("/realtime/tickets").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(!app.presence(&a, &a.id).await);
}

#[tokio::test]
async fn a_socket_passes_the_same_account_checks_as_every_signed_in_call() {
    let app = spawn_app().await;
    // A notice changed since the user accepted it: no socket, by any
    // credential, until they accept the new one.
    let a = app.register().await;
    let early_ticket = ticket(&app, &a).await;
    outdate_notice(&app, &a).await;
    let protocol = vec![(
        "sec-websocket-protocol",
        format!("agora.bearer, {}", a.token),
    )];
    assert_eq!(
        open_socket(&app, "", &bearer(&a.token)).await.err(),
        Some(403)
    );
    assert_eq!(open_socket(&app, "", &protocol).await.err(), Some(403));
    let query = format!("?ticket={early_ticket}");
    assert_eq!(open_socket(&app, &query, &[]).await.err(), Some(403));
    let accept = json!({ "version": notice_version() });
    let resp = app
        .send_json_as(&a, Method::PUT, "/me/notice-acceptance", &accept)
        .await;
    assert_eq!(resp.status(), 204);
    connect_ws(&app, &a.token).await;

    // A deregistration in its cooling-off: a ticket issued before it no
    // longer opens a socket, nor does the session's token.
    let b = app.register().await;
    let early_ticket = ticket(&app, &b).await;
    let resp = app.request_deregistration(&b, "account", "delete").await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    let query = format!("?ticket={early_ticket}");
    assert_eq!(open_socket(&app, &query, &[]).await.err(), Some(403));
    assert_eq!(
        open_socket(&app, "", &bearer(&b.token)).await.err(),
        Some(403)
    );
}

#[tokio::test]
async fn ending_a_session_closes_its_sockets_at_once() {
    let app = spawn_app().await;
    let a = app.register().await;
    let mut phone = connect_ws(&app, &a.token).await;
    // Another device, revoked from the phone: its socket closes at once
    // (well before the minute after which it would notice by itself).
    let tablet_token = app.sign_in(&a).await;
    let mut tablet = connect_ws(&app, &tablet_token).await;
    let sessions = app.get_json_as(&a, "/auth/sessions").await;
    let others: Vec<&str> = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["current"] == false)
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(others.len(), 1);
    let path = format!("/auth/sessions/{}", others[0]);
    assert_eq!(app.delete_as(&a, &path).await.status(), 204);
    expect_closed(&mut tablet, 4001).await;
    ping_pong(&mut phone).await;

    // A password change ends every other session's socket, not this one.
    let laptop_token = app.sign_in(&a).await;
    let mut laptop = connect_ws(&app, &laptop_token).await;
    let change = json!({ "current_password": PASSWORD, "new_password": "a new password" });
    let resp = app
        .send_json_as(&a, Method::PUT, "/me/password", &change)
        .await;
    assert_eq!(resp.status(), 204);
    expect_closed(&mut laptop, 4001).await;
    ping_pong(&mut phone).await;

    // Logging out ends this one's.
    let resp = app.send_as(&a, Method::POST, "/auth/logout").await;
    assert_eq!(resp.status(), 204);
    expect_closed(&mut phone, 4001).await;

    // A deregistration request closes every socket of the account, the
    // requesting session's included (it may only cancel now).
    let b = app.register().await;
    let mut own = connect_ws(&app, &b.token).await;
    let resp = app.request_deregistration(&b, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    expect_closed(&mut own, 4001).await;
}
