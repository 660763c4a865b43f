//! Realtime message benchmark: seeds users with sessions (straight into the
//! database), pairs them up with a conversation each (over HTTP), opens one
//! WebSocket per user on `/api/v1/realtime`, then posts text messages over
//! HTTP, spread across the pairs, and times each one from just before its
//! POST to the moment the recipient's socket receives the matching
//! `message.created` frame (matched by `client_id`). Prints the clients
//! connected, the deliveries (every message must arrive; missing ones are
//! listed and the bench exits with 1), send-to-receive latency
//! p50/p95/p99/max and messages/s. Not a test: numbers on shared machines
//! are noisy, so nothing here asserts a speed.
//!
//! ```sh
//! cargo bench --bench messages
//! BENCH_CLIENTS=200 BENCH_MESSAGES=400 cargo bench --bench messages
//! BENCH_RATE=200 BENCH_CONCURRENCY=16 cargo bench --bench messages
//! AGORA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
//! AGORA_BENCH_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench messages
//! ```
//!
//! `BENCH_CLIENTS` (1000) sockets, two per conversation; `BENCH_MESSAGES`
//! (2000) messages; `BENCH_CONCURRENCY` (32) requests or handshakes in
//! flight at most; `BENCH_RATE` messages started per second (0, the
//! default: as fast as the concurrency allows); `BENCH_WAIT_SECS` (10) for
//! late deliveries after the last send. Server warnings go to stderr
//! (`RUST_LOG` to see more).
//!
//! Both ends of every socket live in this process, so the soft limit on
//! open files is raised to about twice `BENCH_CLIENTS` at start; when the
//! hard limit does not allow that, the bench stops at once and says so
//! (`ulimit -n 4096`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use agora::{
    config::{Config, Secret},
    identity::sessions,
    platform::ratelimit::ActionClass,
    startup::Application,
    state::AppState,
};
use chrono::Utc;
use entity::users;
use futures_util::{stream, SinkExt, StreamExt};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Deserialize;
use serde_json::json;
use tokio::{net::TcpStream, sync::Semaphore};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream, WebSocketStream,
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The longest any one handshake or request may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

mod common;
use common::env;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

/// A seeded user and a bearer token of theirs.
struct Client {
    id: String,
    token: String,
}

/// One message of the run: who sends it, in which pair's conversation.
#[derive(Clone, Copy)]
struct Planned {
    pair: usize,
    sender: usize,
    recipient: usize,
}

/// Message `i` goes to pair `i % pairs`, one way on the first round, the
/// other way on the next, and so on.
fn plan(n_messages: usize, pairs: usize) -> Vec<Planned> {
    (0..n_messages)
        .map(|i| {
            let pair = i % pairs;
            let (a, b) = (2 * pair, 2 * pair + 1);
            let (sender, recipient) = if (i / pairs).is_multiple_of(2) {
                (a, b)
            } else {
                (b, a)
            };
            Planned {
                pair,
                sender,
                recipient,
            }
        })
        .collect()
}

/// Users (straight into the database: registration's SMS codes and argon2
/// would dwarf the run) and a session each.
async fn seed(state: &AppState, n: usize) -> Vec<Client> {
    let now = Utc::now();
    let ids: Vec<String> = (0..n).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for (c, chunk) in ids.chunks(500).enumerate() {
        let rows = chunk.iter().enumerate().map(|(i, id)| users::ActiveModel {
            id: Set(id.clone()),
            phone_ciphertext: Set("bench".into()),
            phone_blind_index: Set(id.clone()),
            password_hash: Set("bench".into()),
            nickname: Set(format!("bench {}", c * 500 + i)),
            role: Set(entity::enums::Role::User),
            level: Set(1),
            experience: Set(0),
            accepted_notice_version: Set(agora::openapi::notice_version().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            show_online_status: Set(true),
            // The optional profile fields (and anything newer) stay NULL.
            ..Default::default()
        });
        users::Entity::insert_many(rows)
            .exec(&state.db)
            .await
            .unwrap();
    }
    let ttl = chrono::Duration::hours(2);
    let mut clients = Vec::with_capacity(n);
    for id in ids {
        let issued = sessions::create(&state.db, &id, Default::default(), ttl)
            .await
            .unwrap();
        clients.push(Client {
            id,
            token: issued.token,
        });
    }
    clients
}

/// Serves on its own runtime and threads, so that the clients' scheduling
/// does not leak into the server's. Returns the port, the seeded clients
/// and the name of the backends.
fn start_server(data_dir: PathBuf, n_users: usize) -> (u16, Vec<Client>, String) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut config = Config {
                listen: "127.0.0.1:0".parse().unwrap(),
                data_dir,
                data_key: Some(Secret::new("00".repeat(32))),
                ..Config::default()
            };
            let mut backends = ["SQLite", "in-process realtime"];
            if let Ok(url) = std::env::var("AGORA_BENCH_DATABASE_URL") {
                config.database_url = Some(Secret::new(url));
                backends[0] = "PostgreSQL";
            }
            if let Ok(url) = std::env::var("AGORA_BENCH_REDIS_URL") {
                config.redis_url = Some(Secret::new(url));
                // Keys of this run only; presence and limits expire by TTL.
                config.redis_prefix = format!("agora-bench-{}:", uuid::Uuid::now_v7().simple());
                backends[1] = "Redis pub/sub realtime";
            }
            for class in [
                ActionClass::ReadIp,
                ActionClass::WriteIp,
                ActionClass::ReadAccount,
                ActionClass::WriteAccount,
                ActionClass::MessageSend,
                ActionClass::ConversationCreate,
            ] {
                config
                    .rate_limits
                    .insert(class, "100000000/1m".parse().unwrap());
            }
            let app = Application::build(config).await.unwrap();
            let t = Instant::now();
            let clients = seed(app.state(), n_users).await;
            println!(
                "seeded {n_users} users with sessions in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            tx.send((app.port(), clients, backends.join(", "))).unwrap();
            app.run_until_stopped().await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// The soft and hard limits on open files after raising the soft one
/// towards `want` (never lowering it); None where this is not known.
#[cfg(unix)]
fn open_files_limit(want: u64) -> Option<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `struct rlimit`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < want {
        let raised = libc::rlimit {
            rlim_cur: want.min(limit.rlim_max),
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid `struct rlimit`, read only.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = raised.rlim_cur;
        }
    }
    Some((limit.rlim_cur, limit.rlim_max))
}

#[cfg(not(unix))]
fn open_files_limit(_want: u64) -> Option<(u64, u64)> {
    None
}

fn main() {
    let n_clients = env("BENCH_CLIENTS", 1000, 20) / 2 * 2;
    let n_messages = env("BENCH_MESSAGES", 2000, 40);
    let concurrency = env("BENCH_CONCURRENCY", 32, 4).max(1);
    let rate = env("BENCH_RATE", 0, usize::MAX);
    let wait = Duration::from_secs(env("BENCH_WAIT_SECS", 10, 10) as u64);
    if n_clients < 2 || n_messages == 0 {
        eprintln!("BENCH_CLIENTS must be at least 2 and BENCH_MESSAGES at least 1");
        std::process::exit(2);
    }
    // A socket at each end of every client, the requests in flight on both
    // sides, and room for the database, the index and the runtime.
    let need = (2 * n_clients + 2 * concurrency + 256) as u64;
    match open_files_limit(need) {
        Some((soft, hard)) if soft < need => {
            eprintln!(
                "{n_clients} clients need about {need} open files (a socket at each end, \
                 both in this process), but the limit is {soft} (hard limit {hard}): \
                 raise it, e.g. `ulimit -n 4096`, or lower BENCH_CLIENTS"
            );
            std::process::exit(2);
        }
        Some((soft, _)) => println!("open files limit {soft} (about {need} needed)"),
        None => println!("open files limit unknown: about {need} needed"),
    }
    agora::telemetry::init("text", "warn", std::io::stderr);
    let dir = tempfile::tempdir().unwrap();
    let (port, clients, backends) = start_server(dir.path().to_path_buf(), n_clients);
    println!("backends: {backends}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let complete = rt.block_on(load(port, clients, n_messages, concurrency, rate, wait));
    drop(rt);
    drop(dir);
    if !complete {
        std::process::exit(1);
    }
}

/// A realtime frame, as far as the bench reads it.
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    message: Option<EventMessage>,
}

#[derive(Deserialize)]
struct EventMessage {
    client_id: String,
    sender_id: Option<String>,
}

/// What the sockets saw, filled in by their reader tasks.
struct Tally {
    /// The clock of the run: send times in `client_id`s count from here.
    start: Instant,
    plan: Vec<Planned>,
    /// Send-to-receive time of each message at its recipient.
    latency: Mutex<Vec<Option<Duration>>>,
    delivered: AtomicUsize,
    /// Micros since `start` of the latest delivery.
    last_delivery: AtomicU64,
    duplicates: AtomicUsize,
    /// `message.created` frames at the sender's own socket.
    echoes: AtomicUsize,
    /// `message.created` frames at a socket of neither participant.
    misrouted: AtomicUsize,
    presence: AtomicUsize,
    /// Sockets that ended during the run, and why.
    ended: Mutex<Vec<String>>,
}

impl Tally {
    fn frame(&self, me: usize, my_id: &str, text: &str) {
        let now = self.start.elapsed();
        let Ok(event) = serde_json::from_str::<Event>(text) else {
            return;
        };
        if event.kind == "presence" {
            self.presence.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(message) = event.message.filter(|_| event.kind == "message.created") else {
            return;
        };
        // `bench-{index}-{micros since start, just before the POST}`
        let Some((index, sent_us)) = message
            .client_id
            .strip_prefix("bench-")
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(i, t)| Some((i.parse::<usize>().ok()?, t.parse::<u64>().ok()?)))
            .filter(|(i, _)| *i < self.plan.len())
        else {
            return;
        };
        if message.sender_id.as_deref() == Some(my_id) {
            self.echoes.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.plan[index].recipient != me {
            self.misrouted.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let took = now.saturating_sub(Duration::from_micros(sent_us));
        let mut latency = self.latency.lock().unwrap();
        if latency[index].is_some() {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
            return;
        }
        latency[index] = Some(took);
        drop(latency);
        self.last_delivery
            .fetch_max(now.as_micros() as u64, Ordering::Relaxed);
        self.delivered.fetch_add(1, Ordering::Release);
    }
}

/// A socket for `token` whose server side is subscribed: it answered a
/// ping, which its event loop does only once it listens for events.
async fn open(url: &str, token: &str) -> Result<Ws, String> {
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().map_err(|_| "bad token")?,
    );
    let ready = async {
        let (mut ws, _) = connect_async(request).await.map_err(|e| e.to_string())?;
        ws.send(Message::text(r#"{"type":"ping"}"#))
            .await
            .map_err(|e| e.to_string())?;
        while let Some(frame) = ws.next().await {
            match frame.map_err(|e| e.to_string())? {
                Message::Text(text) if text.as_str().contains(r#""type":"pong""#) => return Ok(ws),
                Message::Close(close) => return Err(format!("closed: {close:?}")),
                _ => {}
            }
        }
        Err("closed before the pong".to_owned())
    };
    tokio::time::timeout(STEP_TIMEOUT, ready)
        .await
        .map_err(|_| format!("no pong within {STEP_TIMEOUT:?}"))?
}

/// Reads one socket until it ends, tallying what arrives.
async fn read_all(
    mut stream: futures_util::stream::SplitStream<Ws>,
    me: usize,
    my_id: String,
    tally: Arc<Tally>,
) {
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(Message::Text(text)) => tally.frame(me, &my_id, text.as_str()),
            Ok(Message::Close(close)) => {
                let why = close.map_or("no reason".to_owned(), |c| {
                    format!("{} {}", c.code, c.reason)
                });
                tally
                    .ended
                    .lock()
                    .unwrap()
                    .push(format!("closed by the server: {why}"));
                return;
            }
            Ok(_) => {}
            Err(err) => {
                tally.ended.lock().unwrap().push(format!("error: {err}"));
                return;
            }
        }
    }
    tally
        .ended
        .lock()
        .unwrap()
        .push("ended without a close frame".to_owned());
}

/// One POST; its HTTP time, or what went wrong.
async fn send_one(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    index: usize,
    start: Instant,
) -> Result<Duration, String> {
    let sent = start.elapsed();
    let body = json!({
        "client_id": format!("bench-{index}-{}", sent.as_micros()),
        "kind": "text",
        "text": format!("bench message {index}: 你好, hello"),
    });
    let resp = http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = resp.status();
    if status != reqwest::StatusCode::CREATED {
        let text = resp.text().await.unwrap_or_default();
        let text: String = text.chars().take(200).collect();
        return Err(format!("{status}: {text}"));
    }
    Ok(start.elapsed() - sent)
}

/// Runs the whole client side; true when every message was sent and arrived.
async fn load(
    port: u16,
    clients: Vec<Client>,
    n_messages: usize,
    concurrency: usize,
    rate: usize,
    wait: Duration,
) -> bool {
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let ws_url = format!("ws://127.0.0.1:{port}/api/v1/realtime");
    let pairs = clients.len() / 2;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(STEP_TIMEOUT)
        .build()
        .unwrap();

    let t = Instant::now();
    let conversations: Vec<String> = stream::iter(0..pairs)
        .map(|pair| {
            let (a, b) = (&clients[2 * pair], &clients[2 * pair + 1]);
            let http = &http;
            let base = &base;
            async move {
                let resp = http
                    .post(format!("{base}/conversations"))
                    .bearer_auth(&a.token)
                    .json(&json!({ "peer_id": b.id }))
                    .send()
                    .await
                    .unwrap();
                let status = resp.status();
                let body: serde_json::Value = resp.json().await.unwrap();
                assert!(
                    status.is_success(),
                    "starting a conversation: {status} {body}"
                );
                body["id"].as_str().unwrap().to_owned()
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    println!(
        "started {pairs} conversations in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let opened: Vec<(Result<Ws, String>, Duration)> = stream::iter(&clients)
        .map(|c| {
            let ws_url = &ws_url;
            async move {
                let t = Instant::now();
                (open(ws_url, &c.token).await, t.elapsed())
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    let took = t.elapsed();
    let failed: Vec<&String> = opened
        .iter()
        .filter_map(|(r, _)| r.as_ref().err())
        .collect();
    if let Some(first) = failed.first() {
        eprintln!(
            "{} of {} clients could not connect; the first: {first}",
            failed.len(),
            clients.len()
        );
        return false;
    }
    let mut handshakes: Vec<Duration> = opened.iter().map(|(_, d)| *d).collect();
    handshakes.sort();
    println!(
        "{} clients connected in {:.1} s, {concurrency} at a time (handshake to first pong: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms)",
        clients.len(),
        took.as_secs_f64(),
        percentile(&handshakes, 0.5),
        percentile(&handshakes, 0.99),
        percentile(&handshakes, 1.0),
    );

    let tally = Arc::new(Tally {
        start: Instant::now(),
        plan: plan(n_messages, pairs),
        latency: Mutex::new(vec![None; n_messages]),
        delivered: AtomicUsize::new(0),
        last_delivery: AtomicU64::new(0),
        duplicates: AtomicUsize::new(0),
        echoes: AtomicUsize::new(0),
        misrouted: AtomicUsize::new(0),
        presence: AtomicUsize::new(0),
        ended: Mutex::new(Vec::new()),
    });
    let mut sinks = Vec::with_capacity(clients.len());
    for (me, (ws, _)) in opened.into_iter().enumerate() {
        let (sink, stream) = ws.unwrap().split();
        sinks.push(sink);
        tokio::spawn(read_all(stream, me, clients[me].id.clone(), tally.clone()));
    }

    // Sends start on a fixed schedule (or back to back), at most
    // `concurrency` in flight; each is timed from just before its POST.
    let clients = Arc::new(clients);
    let conversations = Arc::new(conversations);
    let permits = Arc::new(Semaphore::new(concurrency));
    let sending = Instant::now();
    let first_send = tally.start.elapsed();
    let mut tasks = Vec::with_capacity(n_messages);
    for index in 0..n_messages {
        if rate > 0 {
            let due = sending + Duration::from_secs_f64(index as f64 / rate as f64);
            tokio::time::sleep_until(due.into()).await;
        }
        let permit = permits.clone().acquire_owned().await.unwrap();
        let (http, clients, conversations, tally) = (
            http.clone(),
            clients.clone(),
            conversations.clone(),
            tally.clone(),
        );
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let planned = tally.plan[index];
            let url = format!(
                "{base}/conversations/{}/messages",
                conversations[planned.pair]
            );
            let token = &clients[planned.sender].token;
            let outcome = send_one(&http, &url, token, index, tally.start).await;
            drop(permit);
            outcome
        }));
    }
    let mut http_times = Vec::with_capacity(n_messages);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(took) => http_times.push(took),
            Err(err) => *errors.entry(err).or_default() += 1,
        }
    }
    let send_time = sending.elapsed();
    let accepted = http_times.len();
    http_times.sort();

    // Late deliveries get `wait` after the last response.
    let deadline = Instant::now() + wait;
    while tally.delivered.load(Ordering::Acquire) < accepted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Anything past the count (a failed POST that was stored all the same) gets a moment too.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let pace = if rate > 0 {
        format!("paced at {rate}/s")
    } else {
        "unpaced".to_owned()
    };
    println!(
        "{n_messages} messages sent over HTTP in {:.1} s, {concurrency} in flight at most, {pace}: {:.0} sends/s; 201 in p50 {:.1} ms, p99 {:.1} ms; {} errors",
        send_time.as_secs_f64(),
        n_messages as f64 / send_time.as_secs_f64(),
        percentile(&http_times, 0.5),
        percentile(&http_times, 0.99),
        n_messages - accepted,
    );
    for (err, count) in &errors {
        println!("  {count} × {err}");
    }

    let latency = tally.latency.lock().unwrap().clone();
    let mut delivered: Vec<Duration> = latency.iter().flatten().copied().collect();
    delivered.sort();
    let missing: Vec<usize> = (0..n_messages).filter(|&i| latency[i].is_none()).collect();
    println!(
        "delivered {} of {n_messages} to the recipient's socket; {} echoes to the sender's own socket; {} duplicates, {} to a stranger's socket; {} presence frames",
        delivered.len(),
        tally.echoes.load(Ordering::Relaxed),
        tally.duplicates.load(Ordering::Relaxed),
        tally.misrouted.load(Ordering::Relaxed),
        tally.presence.load(Ordering::Relaxed),
    );
    if !missing.is_empty() {
        println!(
            "MISSING {} deliveries, e.g. messages {:?} (plus any whose POST failed)",
            missing.len(),
            &missing[..missing.len().min(10)]
        );
    }
    println!(
        "send-to-receive latency: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&delivered, 0.5),
        percentile(&delivered, 0.95),
        percentile(&delivered, 0.99),
        percentile(&delivered, 1.0),
    );
    let last = Duration::from_micros(tally.last_delivery.load(Ordering::Relaxed));
    let span = last.saturating_sub(first_send).as_secs_f64();
    println!(
        "throughput: {:.0} messages/s delivered (first send to last delivery, {span:.1} s)",
        delivered.len() as f64 / span
    );
    let ended = tally.ended.lock().unwrap().clone();
    if !ended.is_empty() {
        let mut why: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &ended {
            *why.entry(e.as_str()).or_default() += 1;
        }
        println!("{} sockets ended during the run: {why:?}", ended.len());
    }

    // Say goodbye, so that the server sees every client leave.
    stream::iter(sinks)
        .for_each_concurrent(concurrency, |mut sink| async move {
            let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;
        })
        .await;
    missing.is_empty() && errors.is_empty() && ended.is_empty()
}
