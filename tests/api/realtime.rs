//! The realtime socket: how it authenticates, the events it carries,
//! presence, the notification fallback for offline users, and events
//! crossing instances through Redis.
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{net::TcpStream, time::timeout};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{self, client::IntoClientRequest, handshake::client::Response, Message},
    MaybeTlsStream, WebSocketStream,
};

use crate::{
    helpers::{json_of, redis_url, spawn_app, spawn_sibling, TestApp, TestUser, PASSWORD},
    messages::{block, new_conversation, send_text},
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long an expected event may take before the test fails.
const WAIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------- helpers

/// Opens a socket with these extra headers; on refusal, the HTTP status.
async fn open_socket(
    app: &TestApp,
    query: &str,
    headers: &[(&'static str, String)],
) -> Result<(Ws, Response), u16> {
    let url = format!(
        "{}/api/v1/realtime{query}",
        app.address.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    match timeout(WAIT, connect_async(request)).await {
        Err(_) => panic!("the handshake took over {WAIT:?}"),
        Ok(Ok(opened)) => Ok(opened),
        Ok(Err(tungstenite::Error::Http(refused))) => Err(refused.status().as_u16()),
        Ok(Err(other)) => panic!("the handshake failed: {other}"),
    }
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {token}"))]
}

/// A socket for `token`, once the server answers on it.
pub async fn connect_ws(app: &TestApp, token: &str) -> Ws {
    let (mut ws, _) = open_socket(app, "", &bearer(token))
        .await
        .expect("the socket was refused");
    ping_pong(&mut ws).await;
    ws
}

async fn ping_pong(ws: &mut Ws) {
    ws.send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .unwrap();
    next_event(ws, "pong").await;
}

/// The next text frame, as JSON; control frames are skipped.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = ws.next().await.expect("the socket closed").unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// The next event of this type that `wanted` accepts; others are skipped.
async fn next_matching(ws: &mut Ws, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let found = timeout(WAIT, async {
        loop {
            let event = next_json(ws).await;
            if event["type"] == kind && wanted(&event) {
                return event;
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no matching {kind} event within {WAIT:?}"))
}

pub async fn next_event(ws: &mut Ws, kind: &str) -> Value {
    next_matching(ws, kind, |_| true).await
}

/// Every event up to and including the next one of this type.
async fn events_until(ws: &mut Ws, kind: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let collected = timeout(WAIT, async {
        loop {
            let event = next_json(ws).await;
            let last = event["type"] == kind;
            seen.push(event);
            if last {
                return;
            }
        }
    })
    .await;
    assert!(collected.is_ok(), "no {kind} event within {WAIT:?}");
    seen
}

/// Closes the socket and waits until the server has closed its side too.
async fn close(mut ws: Ws) {
    let _ = ws.close(None).await;
    let _ = timeout(WAIT, async { while let Some(Ok(_)) = ws.next().await {} }).await;
}

async fn presence(app: &TestApp, viewer: &TestUser, user_id: &str) -> bool {
    let resp = app
        .get(&format!("/users/{user_id}/presence"))
        .bearer_auth(&viewer.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    json_of(resp).await["online"].as_bool().unwrap()
}

/// Polls presence until the user shows offline; fails after `WAIT`.
async fn until_offline(app: &TestApp, viewer: &TestUser, user_id: &str) {
    for _ in 0..50 {
        if !presence(app, viewer, user_id).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{user_id} still shows online after {WAIT:?}");
}

fn is_presence_of(event: &Value, user: &TestUser) -> bool {
    event["type"] == "presence" && event["user_id"] == user.id
}

async fn second_login(app: &TestApp, user: &TestUser) -> String {
    let resp = app.login(&user.phone, PASSWORD).await;
    assert_eq!(resp.status(), 200);
    json_of(resp).await["token"].as_str().unwrap().to_owned()
}

async fn ticket(app: &TestApp, user: &TestUser) -> String {
    let resp = app
        .post("/realtime/tickets")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body = json_of(resp).await;
    assert!(body["expires_at"].is_string());
    body["ticket"].as_str().unwrap().to_owned()
}

async fn notifications(app: &TestApp, user: &TestUser) -> Value {
    let resp = app
        .get("/me/notifications")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    json_of(resp).await
}

async fn read_notifications(app: &TestApp, user: &TestUser, body: Value) {
    let resp = app
        .post("/me/notifications/read")
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
}

// ---------------------------------------------------------------- events

#[tokio::test]
async fn both_participants_receive_each_others_messages_as_they_are_sent() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mut a_socket = connect_ws(&app, &a.token).await;
    let mut b_socket = connect_ws(&app, &b.token).await;

    let sent = send_text(&app, &a, &id, "在吗?").await;
    let event = next_event(&mut b_socket, "message.created").await;
    assert_eq!(event["message"], sent);
    let reply = send_text(&app, &b, &id, "在").await;
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
    let id = new_conversation(&app, &a, &b).await;
    let tablet_token = second_login(&app, &a).await;
    let mut phone = connect_ws(&app, &a.token).await;
    let mut tablet = connect_ws(&app, &tablet_token).await;

    let sent = send_text(&app, &a, &id, "sent from my phone").await;
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
    let id = new_conversation(&app, &a, &b).await;
    let ticket = ticket(&app, &a).await;
    let query = format!(
        "?ticket={}",
        form_urlencoded::byte_serialize(ticket.as_bytes()).collect::<String>()
    );
    let (mut ws, _) = open_socket(&app, &query, &[])
        .await
        .expect("the ticket opens a socket");
    let sent = send_text(&app, &b, &id, "for a").await;
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
    assert!(presence(&app, &a, &a.id).await);
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
    assert!(!presence(&app, &a, &a.id).await);
}

// ---------------------------------------------------------------- presence

#[tokio::test]
async fn presence_follows_the_socket_and_reaches_conversation_peers() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    new_conversation(&app, &a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    assert!(!presence(&app, &b, &a.id).await);

    let a_socket = connect_ws(&app, &a.token).await;
    assert!(presence(&app, &b, &a.id).await);
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], true);

    close(a_socket).await;
    until_offline(&app, &b, &a.id).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], false);
}

#[tokio::test]
async fn a_user_who_hides_their_status_shows_offline() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let set = |show: bool| {
        app.patch("/me/profile")
            .bearer_auth(&a.token)
            .json(&json!({ "show_online_status": show }))
            .send()
    };
    let me = json_of(app.get("/me").bearer_auth(&a.token).send().await.unwrap()).await;
    assert_eq!(me["show_online_status"], true, "shown by default");
    assert_eq!(set(false).await.unwrap().status(), 200);
    let me = json_of(app.get("/me").bearer_auth(&a.token).send().await.unwrap()).await;
    assert_eq!(me["show_online_status"], false);

    let mut b_socket = connect_ws(&app, &b.token).await;
    let _a_socket = connect_ws(&app, &a.token).await;
    assert!(!presence(&app, &b, &a.id).await);
    // Had a presence event gone out on connecting, it would come first.
    send_text(&app, &a, &id, "I am not here").await;
    let seen = events_until(&mut b_socket, "message.created").await;
    assert!(!seen.iter().any(|e| is_presence_of(e, &a)), "{seen:?}");

    assert_eq!(set(true).await.unwrap().status(), 200);
    assert!(presence(&app, &b, &a.id).await);
}

#[tokio::test]
async fn closing_one_of_two_devices_keeps_me_online() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let tablet_token = second_login(&app, &a).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let phone = connect_ws(&app, &a.token).await;
    let _tablet = connect_ws(&app, &tablet_token).await;
    close(phone).await;
    assert!(presence(&app, &b, &a.id).await);
    // Had an offline event gone out, it would come before this message.
    send_text(&app, &a, &id, "still here on the tablet").await;
    let seen = events_until(&mut b_socket, "message.created").await;
    assert!(
        !seen
            .iter()
            .any(|e| is_presence_of(e, &a) && e["online"] == false),
        "{seen:?}"
    );
}

#[tokio::test]
async fn hiding_my_status_while_connected_tells_my_peers_i_went_offline() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    new_conversation(&app, &a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let _a_socket = connect_ws(&app, &a.token).await;
    let online = next_matching(&mut b_socket, "presence", |e| is_presence_of(e, &a)).await;
    assert_eq!(online["online"], true);
    let resp = app
        .patch("/me/profile")
        .bearer_auth(&a.token)
        .json(&json!({ "show_online_status": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let hidden = next_matching(&mut b_socket, "presence", |e| is_presence_of(e, &a)).await;
    assert_eq!(hidden["online"], false, "b's screen still shows a online");
}

#[tokio::test]
async fn a_blocked_user_sees_the_blocker_offline_and_vice_versa() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let _a_socket = connect_ws(&app, &a.token).await;
    let _b_socket = connect_ws(&app, &b.token).await;
    assert!(presence(&app, &b, &a.id).await);
    assert_eq!(block(&app, &a, &b.id).await.status(), 204);
    assert!(!presence(&app, &b, &a.id).await);
    assert!(!presence(&app, &a, &b.id).await);
    assert!(presence(&app, &c, &a.id).await, "others still see a");
}

#[tokio::test]
async fn presence_of_an_unknown_user_is_404() {
    let app = spawn_app().await;
    let a = app.register().await;
    let resp = app
        .get("/users/01900000-0000-7000-8000-000000000000/presence")
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    crate::helpers::assert_problem(resp, 404, "not_found").await;
}

// ---------------------------------------------------------------- notifications

#[tokio::test]
async fn an_offline_recipient_gets_notifications_that_can_be_marked_read() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let first = send_text(&app, &a, &id, "are you there?").await;
    let page = notifications(&app, &b).await;
    assert_eq!(page["unread_count"], 1);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "message");
    assert_eq!(items[0]["actor"]["id"], a.id);
    assert_eq!(items[0]["conversation_id"], id.as_str());
    assert_eq!(items[0]["message_id"], first["id"]);
    assert_eq!(items[0]["read"], false);
    assert!(!page.to_string().contains("are you there"), "no content");
    assert_eq!(notifications(&app, &a).await["unread_count"], 0);

    send_text(&app, &a, &id, "hello?").await;
    let page = notifications(&app, &b).await;
    assert_eq!(page["unread_count"], 2);
    let older = page["items"][1]["id"].clone();
    read_notifications(&app, &b, json!({ "up_to": older })).await;
    let page = notifications(&app, &b).await;
    assert_eq!(page["unread_count"], 1);
    assert_eq!(page["items"][0]["read"], false);
    assert_eq!(page["items"][1]["read"], true);
    read_notifications(&app, &b, json!({})).await;
    assert_eq!(notifications(&app, &b).await["unread_count"], 0);
}

#[tokio::test]
async fn reading_the_conversation_reads_its_notifications() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    send_text(&app, &a, &id, "one").await;
    let last = send_text(&app, &a, &id, "two").await;
    assert_eq!(notifications(&app, &b).await["unread_count"], 2);
    let resp = app
        .post(&format!("/conversations/{id}/read"))
        .bearer_auth(&b.token)
        .json(&json!({ "up_to": last["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(notifications(&app, &b).await["unread_count"], 0);
}

#[tokio::test]
async fn a_recalled_message_takes_its_notification_with_it() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let oops = send_text(&app, &a, &id, "not for you").await;
    assert_eq!(notifications(&app, &b).await["unread_count"], 1);
    let resp = app
        .delete(&format!("/messages/{}", oops["id"].as_str().unwrap()))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let page = notifications(&app, &b).await;
    assert_eq!(page["unread_count"], 0);
    assert!(!page.to_string().contains(oops["id"].as_str().unwrap()));
}

#[tokio::test]
async fn an_online_recipient_gets_the_event_and_no_notification() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    send_text(&app, &a, &id, "you are online").await;
    let seen = events_until(&mut b_socket, "message.created").await;
    assert!(
        !seen.iter().any(|e| e["type"] == "notification"),
        "{seen:?}"
    );
    let page = notifications(&app, &b).await;
    assert_eq!(page["unread_count"], 0);
    assert!(page["items"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------- instances

#[tokio::test]
async fn messages_and_presence_cross_instances() {
    if redis_url().is_none() {
        println!("skipped: two instances need AGORA_TEST_REDIS_URL");
        return;
    }
    let one = spawn_app().await;
    let two = spawn_sibling(&one).await;
    let (a, b) = (one.register().await, one.register().await);
    let id = new_conversation(&one, &a, &b).await;
    let mut b_socket = connect_ws(&two, &b.token).await;
    let a_socket = connect_ws(&one, &a.token).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], true);
    assert!(presence(&two, &b, &a.id).await);

    let sent = send_text(&one, &a, &id, "跨实例").await;
    let event = next_event(&mut b_socket, "message.created").await;
    assert_eq!(event["message"]["id"], sent["id"]);
    // B is online, if on the other instance: no notification.
    assert_eq!(notifications(&two, &b).await["unread_count"], 0);

    close(a_socket).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], false);
    until_offline(&two, &b, &a.id).await;
}
