//! `GET /api/v1/realtime`: the WebSocket that pushes message, read, recall
//! and presence events to every device of a user; and the short-lived
//! tickets that let browsers (which cannot set headers on a WebSocket)
//! authenticate it.
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use poem::{
    handler,
    web::{
        websocket::{Message, WebSocket, WebSocketStream},
        Data,
    },
    IntoResponse, Request,
};
use poem_openapi::{payload::Json, ApiResponse, Object, OpenApi};
use tokio::sync::broadcast::error::RecvError;

use super::events::announce_presence;
use crate::{
    api::caller::{CallerError, Resolved},
    api::ApiTags,
    error::{AppError, AppResult},
    identity::{caller, BearerAuth},
    platform::{
        crypto::{random_token, token_hash},
        realtime::Control,
    },
    privacy::middleware::admit,
    state::AppState,
};

/// The subprotocol that carries a bearer token: `agora.bearer, <token>`.
pub const BEARER_PROTOCOL: &str = "agora.bearer";
const TICKET_TTL: Duration = Duration::from_secs(60);
const HEARTBEAT: Duration = Duration::from_secs(20);
/// A connection silent for this long is dropped.
const IDLE: Duration = Duration::from_secs(60);
/// The session behind a connection is re-checked this often.
const SESSION_CHECK: Duration = Duration::from_secs(60);

fn ticket_key(ticket: &str) -> String {
    format!("realtime-ticket:{}", token_hash(ticket))
}

pub struct RealtimeApi;

/// A single-use credential for opening the realtime socket.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Ticket {
    /// Pass as `?ticket=` to `GET /api/v1/realtime` within a minute.
    /// 32 random bytes, URL-safe base64.
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Ticket {
    fn example() -> Self {
        Self {
            ticket: "y8VXKyOwR8Xj0Z6DCIQykQsRnpWEzHuSrU5i5nNazx0".into(),
            expires_at: crate::api::examples::time(30, 9, 0) + TICKET_TTL,
        }
    }
}

#[derive(ApiResponse)]
pub enum TicketResponse {
    /// Issued.
    #[oai(status = 201)]
    Created(Json<Ticket>),
}

#[OpenApi(tag = "ApiTags::Messages")]
impl RealtimeApi {
    /// A ticket for the realtime WebSocket.
    ///
    /// `GET /api/v1/realtime` upgrades to a WebSocket, authenticated by
    /// `?ticket=` (from here; single use, valid 60 s), by the subprotocols
    /// `agora.bearer, <token>`, or by an `Authorization: Bearer` header.
    /// The server sends JSON text frames: `message.created` `{message}`,
    /// `message.read` `{conversation_id, reader_id, up_to}`,
    /// `message.recalled` `{conversation_id, message_id}` and `presence`
    /// `{user_id, online}`; it answers `{"type":"ping"}` with
    /// `{"type":"pong"}`. A connection that falls behind is closed with
    /// code 4000: reconnect and fetch what was missed. One whose session
    /// ends (logout, revoked, another device changed the password, a
    /// deregistration begins) is closed at once with code 4001.
    #[oai(
        path = "/realtime/tickets",
        method = "post",
        operation_id = "messages_create_realtime_ticket"
    )]
    async fn ticket(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<TicketResponse> {
        let ticket = random_token(32);
        state
            .cache
            .set(
                &ticket_key(&ticket),
                auth.0.session_id.as_str().as_bytes(),
                TICKET_TTL,
            )
            .await
            .map_err(AppError::internal)?;
        Ok(TicketResponse::Created(Json(Ticket {
            ticket,
            expires_at: Utc::now() + TICKET_TTL,
        })))
    }
}

/// The name the socket passes the account-state checks under (a pending
/// deregistration or an unaccepted notice refuses it like any other call).
const OPERATION: &str = "messages_realtime";

/// The caller behind the upgrade request, or 401; then the same checks
/// every signed-in API call passes.
async fn authenticate(state: &AppState, req: &Request) -> AppResult<Resolved> {
    let resolved = match credential(req)? {
        Credential::Ticket(ticket) => {
            let session = state
                .cache
                .take(&ticket_key(&ticket))
                .await
                .map_err(AppError::internal)?
                .and_then(|v| String::from_utf8(v).ok())
                .ok_or_else(|| AppError::unauthorized("the ticket is invalid, used or expired"))?;
            caller::resolve_session(state, &session).await
        }
        Credential::Token(token) => caller::authenticate_token(state, &token).await,
        Credential::Header(header) => caller::authenticate_header(state, &header).await,
    };
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(CallerError::Invalid(failure)) => return Err(AppError::unauthorized(failure.0)),
        Err(CallerError::Internal(err)) => return Err(err),
    };
    admit(state, &resolved, OPERATION).await?;
    Ok(resolved)
}

enum Credential {
    Ticket(String),
    /// From the bearer subprotocol.
    Token(String),
    /// An `Authorization` header, read as every API call's is.
    Header(String),
}

/// What the upgrade request presents: `?ticket=`, the bearer subprotocol
/// or an `Authorization: Bearer` header.
fn credential(req: &Request) -> AppResult<Credential> {
    let ticket = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "ticket")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(ticket) = ticket {
        return Ok(Credential::Ticket(ticket));
    }
    let from_protocol = req.header("sec-websocket-protocol").and_then(|h| {
        let mut parts = h.split(',').map(str::trim);
        parts.any(|p| p == BEARER_PROTOCOL).then(|| parts.next())?
    });
    if let Some(token) = from_protocol {
        return Ok(Credential::Token(token.to_owned()));
    }
    req.header("authorization")
        .map(|header| Credential::Header(header.to_owned()))
        .ok_or_else(|| AppError::unauthorized("a ticket or a bearer token is required"))
}

#[handler]
pub async fn connect(
    req: &Request,
    ws: WebSocket,
    state: Data<&AppState>,
) -> poem::Result<impl IntoResponse> {
    let caller = authenticate(&state, req).await?;
    let state = state.0.clone();
    Ok(ws
        .protocols([BEARER_PROTOCOL])
        .on_upgrade(move |socket| serve(state, caller.user_id, caller.session_id, socket)))
}

/// Whether the connection's session still stands; a database hiccup does
/// not drop live connections.
async fn session_alive(state: &AppState, session: &str) -> bool {
    match caller::resolve_session(state, session).await {
        Ok(_) => true,
        Err(CallerError::Invalid(_)) => false,
        Err(CallerError::Internal(err)) => {
            tracing::warn!(error = %format!("{err:#}"), "session check failed; the socket stays open");
            true
        }
    }
}

/// One connection: events out, pings answered, presence kept, until the
/// client leaves, falls silent, falls behind or its session ends.
async fn serve(state: AppState, user: String, session: String, socket: WebSocketStream) {
    let conn = uuid::Uuid::now_v7().to_string();
    let mut events = state.realtime.local.subscribe(&user);
    let (mut sink, mut stream) = socket.split();
    presence_changed(
        &state,
        &user,
        state.realtime.bus.join(&user, &conn).await,
        true,
    )
    .await;
    let mut beat = tokio::time::interval(HEARTBEAT);
    beat.tick().await;
    let mut heard = Instant::now();
    let mut checked = Instant::now();
    loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    heard = Instant::now();
                    if is_ping(&text) && sink.send(Message::text(r#"{"type":"pong"}"#)).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => heard = Instant::now(),
            },
            event = events.recv() => match event {
                Ok(frame) => {
                    if !deliver(&frame, &session, &mut sink).await {
                        break;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    let _ = sink.send(Message::close_with(4000u16, "resync")).await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            _ = beat.tick() => {
                if !heartbeat(&state, (&user, &conn, &session), &mut sink, heard, &mut checked).await {
                    break;
                }
            }
        }
    }
    drop(events);
    let left = state.realtime.bus.leave(&user, &conn).await;
    presence_changed(&state, &user, left, false).await;
}

/// After a connection joined or left: when it was the user's first or last,
/// their peers hear of it. Failures are logged, not fatal: presence is a
/// hint, and the connection's own work is done or about to start.
async fn presence_changed(
    state: &AppState,
    user: &str,
    changed: anyhow::Result<bool>,
    online: bool,
) {
    match changed {
        Ok(false) => {}
        Ok(true) => {
            if let Err(err) = announce_presence(state, user, online).await {
                tracing::warn!(error = %format!("{err:#}"), "presence announcement failed");
            }
        }
        Err(err) => tracing::warn!(error = %format!("{err:#}"), "presence bookkeeping failed"),
    }
}

/// Hands an event to the client, or acts on a control meant for this
/// connection (never forwarded). False when the connection ends.
async fn deliver(
    frame: &str,
    session: &str,
    sink: &mut (impl futures_util::Sink<Message> + Unpin),
) -> bool {
    match Control::parse(frame) {
        Some(control) if control.ends(session) => {
            let _ = sink
                .send(Message::close_with(4001u16, "session ended"))
                .await;
            false
        }
        Some(_) => true,
        None => sink.send(Message::text(frame.to_owned())).await.is_ok(),
    }
}

/// A heartbeat's work: drop a silent client, ping, re-check the session
/// now and then, keep presence alive. False when the connection ends.
async fn heartbeat(
    state: &AppState,
    (user, conn, session): (&str, &str, &str),
    sink: &mut (impl futures_util::Sink<Message> + Unpin),
    heard: Instant,
    checked: &mut Instant,
) -> bool {
    if heard.elapsed() > IDLE || sink.send(Message::ping(Vec::new())).await.is_err() {
        return false;
    }
    if checked.elapsed() >= SESSION_CHECK {
        *checked = Instant::now();
        if !session_alive(state, session).await {
            let _ = sink
                .send(Message::close_with(4001u16, "session ended"))
                .await;
            return false;
        }
    }
    if let Err(err) = state.realtime.bus.beat(user, conn).await {
        tracing::warn!(error = %format!("{err:#}"), "presence heartbeat failed");
    }
    true
}

fn is_ping(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("ping"))
}
