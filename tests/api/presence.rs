//! Presence: who shows online to whom, as sockets open and close, as
//! users hide their status or block each other.
use serde_json::json;

use crate::helpers::{
    assert_problem, close, connect_ws, events_until, is_presence_of, next_matching, spawn_app,
    NOBODY,
};

#[tokio::test]
async fn presence_follows_the_socket_and_reaches_conversation_peers() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    app.open_conversation(&a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    assert!(!app.presence(&b, &a.id).await);

    let a_socket = connect_ws(&app, &a.token).await;
    assert!(app.presence(&b, &a.id).await);
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], true);

    close(a_socket).await;
    app.until_offline(&b, &a.id).await;
    let event = next_matching(&mut b_socket, "presence", |e| e["user_id"] == a.id).await;
    assert_eq!(event["online"], false);
}

#[tokio::test]
async fn a_user_who_hides_their_status_shows_offline() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let set = |show: bool| app.update_profile(&a, json!({ "show_online_status": show }));
    let me = app.get_json_as(&a, "/me").await;
    assert_eq!(me["show_online_status"], true, "shown by default");
    assert_eq!(set(false).await.status(), 200);
    let me = app.get_json_as(&a, "/me").await;
    assert_eq!(me["show_online_status"], false);

    let mut b_socket = connect_ws(&app, &b.token).await;
    let _a_socket = connect_ws(&app, &a.token).await;
    assert!(!app.presence(&b, &a.id).await);
    // Had a presence event gone out on connecting, it would come first.
    app.send_text(&a, &id, "I am not here").await;
    let seen = events_until(&mut b_socket, "message.created").await;
    assert!(!seen.iter().any(|e| is_presence_of(e, &a)), "{seen:?}");

    assert_eq!(set(true).await.status(), 200);
    assert!(app.presence(&b, &a.id).await);
}

#[tokio::test]
async fn closing_one_of_two_devices_keeps_me_online() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let tablet_token = app.sign_in(&a).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let phone = connect_ws(&app, &a.token).await;
    let _tablet = connect_ws(&app, &tablet_token).await;
    close(phone).await;
    assert!(app.presence(&b, &a.id).await);
    // Had an offline event gone out, it would come before this message.
    app.send_text(&a, &id, "still here on the tablet").await;
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
    app.open_conversation(&a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let _a_socket = connect_ws(&app, &a.token).await;
    let online = next_matching(&mut b_socket, "presence", |e| is_presence_of(e, &a)).await;
    assert_eq!(online["online"], true);
    let resp = app
        .update_profile(&a, json!({ "show_online_status": false }))
        .await;
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
    assert!(app.presence(&b, &a.id).await);
    assert_eq!(app.block(&a, &b.id).await.status(), 204);
    assert!(!app.presence(&b, &a.id).await);
    assert!(!app.presence(&a, &b.id).await);
    assert!(app.presence(&c, &a.id).await, "others still see a");
}

#[tokio::test]
async fn presence_of_an_unknown_user_is_404() {
    let app = spawn_app().await;
    let a = app.register().await;
    let resp = app.get_as(&a, &format!("/users/{NOBODY}/presence")).await;
    assert_problem(resp, 404, "not_found").await;
}
