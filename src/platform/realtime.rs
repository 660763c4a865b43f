//! Realtime fan-out and presence. In-process by default (a broadcast
//! channel per connected user, connection counts in memory); with Redis,
//! every event goes through one pub/sub channel so that it reaches the
//! user's connections on any instance, and presence lives in Redis with a
//! TTL so that a crashed instance's connections expire on their own.
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::sync::broadcast;

use super::cache::RedisConn;

/// One serialized event, shared by every connection it goes to.
pub type Frame = Arc<str>;

/// An instruction to a user's connections, carried like an event (so that
/// it reaches every instance through the bus) but never forwarded to a
/// client: events are JSON objects, controls start with `!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// These sessions ended (logout, revoked): their sockets close.
    SessionsEnded(Vec<String>),
    /// Every session but `except` ended (a password change; `None`: all of
    /// them, as when a deregistration begins).
    AllSessionsEnded { except: Option<String> },
}

impl Control {
    pub fn frame(&self) -> Frame {
        match self {
            Self::SessionsEnded(ids) => format!("!ended {}", ids.join(",")).into(),
            Self::AllSessionsEnded { except: None } => "!ended-all".into(),
            Self::AllSessionsEnded { except: Some(id) } => format!("!ended-all-but {id}").into(),
        }
    }

    /// The control a frame carries; `None` for an event.
    pub fn parse(frame: &str) -> Option<Self> {
        let rest = frame.strip_prefix('!')?;
        let (verb, arg) = rest.split_once(' ').unwrap_or((rest, ""));
        match verb {
            "ended" => Some(Self::SessionsEnded(
                arg.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )),
            "ended-all" => Some(Self::AllSessionsEnded { except: None }),
            "ended-all-but" => Some(Self::AllSessionsEnded {
                except: Some(arg.to_owned()),
            }),
            _ => None,
        }
    }

    /// Whether a connection of `session` must close.
    pub fn ends(&self, session: &str) -> bool {
        match self {
            Self::SessionsEnded(ids) => ids.iter().any(|id| id == session),
            Self::AllSessionsEnded { except } => except.as_deref() != Some(session),
        }
    }
}

/// How long a connection counts as alive without a heartbeat.
pub const PRESENCE_TTL: Duration = Duration::from_secs(60);
/// Frames buffered per user before a slow connection is told to resync.
const BUFFER: usize = 256;

/// The connections of this instance, by user.
#[derive(Default)]
pub struct LocalHub {
    channels: Mutex<HashMap<String, broadcast::Sender<Frame>>>,
}

impl LocalHub {
    pub fn subscribe(&self, user: &str) -> broadcast::Receiver<Frame> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(user.to_owned())
            .or_insert_with(|| broadcast::channel(BUFFER).0)
            .subscribe()
    }

    /// Hands `frame` to every local connection of `users`.
    pub fn dispatch(&self, users: &[String], frame: &Frame) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        for user in users {
            if let Some(tx) = channels.get(user) {
                if tx.send(frame.clone()).is_err() {
                    channels.remove(user);
                }
            }
        }
    }
}

/// Where events and presence go: this process, or Redis.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    async fn publish(&self, to: &[String], frame: Frame) -> anyhow::Result<()>;
    /// Records a live connection; true when it is the user's first.
    async fn join(&self, user: &str, conn: &str) -> anyhow::Result<bool>;
    /// Keeps a connection alive.
    async fn beat(&self, user: &str, conn: &str) -> anyhow::Result<()>;
    /// Forgets a connection; true when the user has none left.
    async fn leave(&self, user: &str, conn: &str) -> anyhow::Result<bool>;
    async fn online(&self, user: &str) -> anyhow::Result<bool>;
}

#[derive(Clone)]
pub struct Realtime {
    pub local: Arc<LocalHub>,
    pub bus: Arc<dyn Bus>,
}

impl Realtime {
    pub fn in_process() -> Self {
        let local = Arc::new(LocalHub::default());
        Self {
            bus: Arc::new(InProcessBus {
                local: local.clone(),
                conns: Mutex::default(),
            }),
            local,
        }
    }

    /// Publishes through Redis and relays what arrives there to local
    /// connections (a background task that reconnects after failures).
    pub fn redis(redis: RedisConn) -> Self {
        let local = Arc::new(LocalHub::default());
        let channel = redis.key("realtime");
        tokio::spawn(relay(redis.clone(), channel.clone(), local.clone()));
        Self {
            bus: Arc::new(RedisBus { redis, channel }),
            local,
        }
    }

    /// Sends an event to every connection of `to`, logging (never failing)
    /// when the bus is down: the history and notifications stay the record.
    pub async fn send(&self, to: &[String], frame: Frame) {
        if let Err(err) = self.bus.publish(to, frame).await {
            tracing::warn!(error = %format!("{err:#}"), "realtime publish failed");
        }
    }
}

struct InProcessBus {
    local: Arc<LocalHub>,
    conns: Mutex<HashMap<String, HashSet<String>>>,
}

#[async_trait]
impl Bus for InProcessBus {
    async fn publish(&self, to: &[String], frame: Frame) -> anyhow::Result<()> {
        self.local.dispatch(to, &frame);
        Ok(())
    }

    async fn join(&self, user: &str, conn: &str) -> anyhow::Result<bool> {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        let set = conns.entry(user.to_owned()).or_default();
        set.insert(conn.to_owned());
        Ok(set.len() == 1)
    }

    async fn beat(&self, _user: &str, _conn: &str) -> anyhow::Result<()> {
        Ok(())
    }

    async fn leave(&self, user: &str, conn: &str) -> anyhow::Result<bool> {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        let Some(set) = conns.get_mut(user) else {
            return Ok(true);
        };
        set.remove(conn);
        let last = set.is_empty();
        if last {
            conns.remove(user);
        }
        Ok(last)
    }

    async fn online(&self, user: &str) -> anyhow::Result<bool> {
        let conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conns.get(user).is_some_and(|s| !s.is_empty()))
    }
}

struct RedisBus {
    redis: RedisConn,
    channel: String,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl RedisBus {
    fn presence_key(&self, user: &str) -> String {
        self.redis.key(&format!("presence:{user}"))
    }

    /// Adds (or refreshes) `conn`, drops expired ones, and counts the rest.
    async fn touch(&self, user: &str, conn: &str) -> anyhow::Result<i64> {
        let key = self.presence_key(user);
        let now = now_ms();
        let ttl = PRESENCE_TTL.as_millis() as i64;
        let mut c = self.redis.conn().await?;
        let (count,): (i64,) = redis::pipe()
            .atomic()
            .zadd(&key, conn, now + ttl)
            .ignore()
            .zrembyscore(&key, "-inf", now)
            .ignore()
            .pexpire(&key, ttl)
            .ignore()
            .zcard(&key)
            .query_async(&mut c)
            .await?;
        Ok(count)
    }
}

#[async_trait]
impl Bus for RedisBus {
    async fn publish(&self, to: &[String], frame: Frame) -> anyhow::Result<()> {
        let payload = serde_json::json!({ "to": to, "frame": &*frame }).to_string();
        let mut c = self.redis.conn().await?;
        let _: i64 = redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(payload)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    async fn join(&self, user: &str, conn: &str) -> anyhow::Result<bool> {
        Ok(self.touch(user, conn).await? == 1)
    }

    async fn beat(&self, user: &str, conn: &str) -> anyhow::Result<()> {
        self.touch(user, conn).await.map(|_| ())
    }

    async fn leave(&self, user: &str, conn: &str) -> anyhow::Result<bool> {
        let key = self.presence_key(user);
        let mut c = self.redis.conn().await?;
        let (count,): (i64,) = redis::pipe()
            .atomic()
            .zrem(&key, conn)
            .ignore()
            .zrembyscore(&key, "-inf", now_ms())
            .ignore()
            .zcard(&key)
            .query_async(&mut c)
            .await?;
        Ok(count == 0)
    }

    async fn online(&self, user: &str) -> anyhow::Result<bool> {
        let mut c = self.redis.conn().await?;
        let live: i64 = redis::cmd("ZCOUNT")
            .arg(self.presence_key(user))
            .arg(now_ms())
            .arg("+inf")
            .query_async(&mut c)
            .await?;
        Ok(live > 0)
    }
}

#[derive(serde::Deserialize)]
struct Envelope {
    to: Vec<String>,
    frame: String,
}

/// Relays the instance-wide channel to local connections, forever.
async fn relay(redis: RedisConn, channel: String, local: Arc<LocalHub>) {
    let mut wait = Duration::from_millis(200);
    loop {
        match subscribe(&redis, &channel).await {
            Ok(mut messages) => {
                wait = Duration::from_millis(200);
                while let Some(msg) = messages.next().await {
                    let Ok(payload) = msg.get_payload::<String>() else {
                        continue;
                    };
                    if let Ok(env) = serde_json::from_str::<Envelope>(&payload) {
                        local.dispatch(&env.to, &Frame::from(env.frame));
                    }
                }
                tracing::warn!("realtime relay lost its Redis subscription; reconnecting");
            }
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), retry_in_ms = wait.as_millis() as u64, "realtime relay cannot subscribe");
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
}

async fn subscribe(redis: &RedisConn, channel: &str) -> anyhow::Result<redis::aio::PubSubStream> {
    let mut pubsub = redis.client().get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub.into_on_message())
}

#[cfg(test)]
mod tests {
    use super::Control;

    #[test]
    fn controls_survive_the_wire_and_say_which_sockets_close() {
        for control in [
            Control::SessionsEnded(vec!["a".into(), "b".into()]),
            Control::AllSessionsEnded { except: None },
            Control::AllSessionsEnded {
                except: Some("keep".into()),
            },
        ] {
            assert_eq!(Control::parse(&control.frame()), Some(control));
        }
        assert!(Control::SessionsEnded(vec!["a".into()]).ends("a"));
        assert!(!Control::SessionsEnded(vec!["a".into()]).ends("b"));
        let but = Control::AllSessionsEnded {
            except: Some("keep".into()),
        };
        assert!(but.ends("other") && !but.ends("keep"));
        // Events are never taken for controls.
        assert_eq!(Control::parse(r#"{"type":"message.created"}"#), None);
    }
}
