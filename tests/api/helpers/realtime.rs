//! The realtime socket from a client's side, and presence.
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::{net::TcpStream, time::timeout};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{self, client::IntoClientRequest, handshake::client::Response, Message},
    MaybeTlsStream, WebSocketStream,
};

use super::{expect_status, TestApp, TestUser};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long an expected event may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

/// Opens a socket with these extra headers; on refusal, the HTTP status.
pub async fn open_socket(
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

/// The `Authorization` header of `token`.
pub fn bearer(token: &str) -> Vec<(&'static str, String)> {
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

pub async fn ping_pong(ws: &mut Ws) {
    ws.send(Message::text(json!({ "type": "ping" }).to_string()))
        .await
        .unwrap();
    next_event(ws, "pong").await;
}

/// The next text frame, as JSON; control frames are passed over.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = ws.next().await.expect("the socket closed").unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// The next event of this type that `wanted` accepts; others are passed over.
pub async fn next_matching(ws: &mut Ws, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
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
pub async fn events_until(ws: &mut Ws, kind: &str) -> Vec<Value> {
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

/// Waits for the server to close the socket with `code`; fails if it does
/// not within `WAIT`, or closes it another way.
pub async fn expect_closed(ws: &mut Ws, code: u16) {
    let closed = timeout(WAIT, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(err)) => panic!("the socket failed instead of closing: {err}"),
                None => return None,
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the socket was not closed within {WAIT:?}"));
    assert_eq!(closed, Some(code));
}

/// Closes the socket and waits until the server has closed its side too.
pub async fn close(mut ws: Ws) {
    let _ = ws.close(None).await;
    let _ = timeout(WAIT, async { while let Some(Ok(_)) = ws.next().await {} }).await;
}

pub fn is_presence_of(event: &Value, user: &TestUser) -> bool {
    event["type"] == "presence" && event["user_id"] == user.id
}

impl TestApp {
    /// Whether `viewer` sees the user online.
    pub async fn presence(&self, viewer: &TestUser, user_id: &str) -> bool {
        let resp = self
            .get_as(viewer, &format!("/users/{user_id}/presence"))
            .await;
        expect_status(resp, 200).await["online"].as_bool().unwrap()
    }

    /// Polls presence until the user shows offline; fails after `WAIT`.
    pub async fn until_offline(&self, viewer: &TestUser, user_id: &str) {
        for _ in 0..50 {
            if !self.presence(viewer, user_id).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{user_id} still shows online after {WAIT:?}");
    }
}
