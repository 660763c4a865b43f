//! A real server per test: its own port, temp data dir and — when
//! `AGORA_TEST_DATABASE_URL` / `AGORA_TEST_REDIS_URL` are set — its own
//! PostgreSQL database and Redis key prefix, dropped when the test ends.
use std::{
    io::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
};

use agora::{
    config::{Config, Secret},
    startup::Application,
    state::AppState,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use tempfile::TempDir;

pub const TEST_CODE: &str = "246810";

/// The notice version this build publishes.
pub fn notice_version() -> &'static str {
    agora::privacy::notice::version()
}
pub const PASSWORD: &str = "correct horse battery";

// ---------------------------------------------------------------- logs

#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        if std::env::var("TEST_LOG").is_ok() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOGS: OnceLock<LogBuffer> = OnceLock::new();

fn logs() -> &'static LogBuffer {
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        // Everything down to debug, the framework's too, is captured.
        agora::telemetry::init(
            "json",
            "debug,hyper=info,h2=info,reqwest=info,hyper_util=info",
            move || writer.clone(),
        );
        buffer
    })
}

/// Everything every server in this test binary has logged so far.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&logs().0.lock().unwrap()).into_owned()
}

// ---------------------------------------------------------------- backends

pub fn pg_url() -> Option<String> {
    std::env::var("AGORA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A Meilisearch to run the search suite against, when there is one.
pub fn meili_url() -> Option<String> {
    std::env::var("AGORA_TEST_MEILI_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

pub fn redis_url() -> Option<String> {
    std::env::var("AGORA_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Drops the per-test database and Redis keys, even when the test panics.
struct Cleanup {
    pg: Option<(String, String)>,
    redis: Option<(String, String)>,
    meili: Option<(String, String)>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let pg = self.pg.take();
        let redis = self.redis.take();
        let meili = self.meili.take();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Some((url, index)) = meili {
                    let key = std::env::var("AGORA_TEST_MEILI_KEY").unwrap_or_default();
                    let _ = reqwest::Client::new()
                        .delete(format!("{}/indexes/{index}", url.trim_end_matches('/')))
                        .bearer_auth(key)
                        .send()
                        .await;
                }
                if let Some((admin, name)) = pg {
                    if let Ok(db) = Database::connect(admin).await {
                        let _ = db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                }
                if let Some((url, prefix)) = redis {
                    if let Ok(client) = redis::Client::open(url) {
                        if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
                            let keys: Vec<String> = redis::cmd("KEYS")
                                .arg(format!("{prefix}*"))
                                .query_async(&mut conn)
                                .await
                                .unwrap_or_default();
                            for key in keys {
                                let _: Result<(), _> =
                                    redis::cmd("DEL").arg(key).query_async(&mut conn).await;
                            }
                        }
                    }
                }
            });
        })
        .join();
    }
}

// ---------------------------------------------------------------- app

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub config: Config,
    pub data_dir: TempDir,
    _cleanup: Cleanup,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Config)) -> TestApp {
    logs();
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        sms_test_code: Some(Secret::new(TEST_CODE)),
        data_key: Some(Secret::new(hex_key())),
        ..Config::default()
    };
    let mut cleanup = Cleanup {
        pg: None,
        redis: None,
        meili: None,
    };
    if let Some(url) = meili_url() {
        let index = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
        config.meili_url = Some(url.clone());
        config.meili_key = std::env::var("AGORA_TEST_MEILI_KEY").ok().map(Secret::new);
        config.meili_index = index.clone();
        cleanup.meili = Some((url, index));
    }
    if let Some(admin) = pg_url() {
        let name = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
        let db = Database::connect(admin.clone()).await.unwrap();
        db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        db.close().await.unwrap();
        config.database_url = Some(Secret::new(with_database(&admin, &name)));
        cleanup.pg = Some((admin, name));
    }
    if let Some(url) = redis_url() {
        let prefix = format!("agora-test:{}:", uuid::Uuid::new_v4().simple());
        config.redis_url = Some(Secret::new(url.clone()));
        config.redis_prefix = prefix.clone();
        cleanup.redis = Some((url, prefix));
    }
    customise(&mut config);
    start(config, data_dir, cleanup).await
}

/// Builds and runs the server of `config`.
async fn start(config: Config, data_dir: TempDir, cleanup: Cleanup) -> TestApp {
    let app = Application::build(config.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        config,
        data_dir,
        _cleanup: cleanup,
    }
}

fn hex_key() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{b}")
}

static PHONE_SEQ: AtomicU64 = AtomicU64::new(0);

/// A fresh, valid mainland mobile number, unique in this test binary.
pub fn new_phone() -> String {
    let seq = PHONE_SEQ.fetch_add(1, Ordering::Relaxed);
    let salt = u64::from(std::process::id() % 1000);
    format!("139{:08}", (salt * 100_000 + seq) % 100_000_000)
}

pub struct TestUser {
    pub id: String,
    pub phone: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.api(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.api(Method::POST, path)
    }

    pub async fn send_code(&self, phone: &str, purpose: &str) -> Response {
        self.post("/auth/sms-codes")
            .json(&json!({ "consents": ["account"], "phone": phone, "purpose": purpose }))
            .send()
            .await
            .unwrap()
    }

    pub async fn register_raw(&self, body: Value) -> Response {
        self.post("/auth/register")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Sends a code and registers `phone`; panics unless it works.
    pub async fn register_phone(&self, phone: &str, nickname: &str) -> TestUser {
        assert_eq!(self.send_code(phone, "register").await.status(), 202);
        let resp = self
            .register_raw(json!({
                "phone": phone,
                "sms_code": TEST_CODE,
                "password": PASSWORD,
                "nickname": nickname,
                "accepted_notice_version": notice_version(),
                "consents": ["account"],
            }))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await.unwrap();
        TestUser {
            id: body["user"]["id"].as_str().unwrap().to_owned(),
            phone: phone.to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn register(&self) -> TestUser {
        self.register_phone(&new_phone(), "tester").await
    }

    pub async fn login(&self, phone: &str, password: &str) -> Response {
        self.post("/auth/login")
            .json(&json!({ "consents": ["account"], "phone": phone, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Sets a role straight in the database (the CLI test covers the CLI).
    pub async fn set_role(&self, user_id: &str, role: &str) {
        self.state
            .db
            .execute_unprepared(&format!(
                "UPDATE users SET role = '{role}' WHERE id = '{user_id}'"
            ))
            .await
            .unwrap();
    }

    pub async fn count(&self, table: &str) -> i64 {
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// Asserts a problem+json answer with this status and code; returns the body.
pub async fn assert_problem(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().ends_with(code));
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

/// The fields named by a validation problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Lifts the per-IP SMS limit and flood control, for tests that need many
/// users or many posts quickly.
pub fn generous_limits(config: &mut Config) {
    use agora::platform::ratelimit::ActionClass;
    for class in [
        ActionClass::SmsIp,
        ActionClass::PostCreate,
        ActionClass::CommentCreate,
        ActionClass::Like,
        ActionClass::WriteIp,
        ActionClass::WriteAccount,
    ] {
        config
            .rate_limits
            .insert(class, "100000/1m".parse().unwrap());
    }
}

impl TestApp {
    /// A user with the admin role.
    pub async fn admin(&self) -> TestUser {
        let admin = self.register().await;
        self.set_role(&admin.id, "admin").await;
        admin
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.api(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.api(Method::DELETE, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.api(Method::PATCH, path)
    }
}

/// The JSON body of a response.
pub async fn json_of(resp: Response) -> Value {
    resp.json().await.unwrap()
}

/// `generous_limits`, and flood control on messages and new conversations
/// lifted too.
pub fn generous_message_limits(config: &mut Config) {
    use agora::platform::ratelimit::ActionClass;
    generous_limits(config);
    for class in [ActionClass::MessageSend, ActionClass::ConversationCreate] {
        config
            .rate_limits
            .insert(class, "100000/1m".parse().unwrap());
    }
}

/// A second instance of `app`'s deployment: another server on the same
/// database, data dir and Redis prefix. `app` still owns them and cleans
/// them up, so drop the sibling first; its own `data_dir` is an unused
/// placeholder.
pub async fn spawn_sibling(app: &TestApp) -> TestApp {
    let mut config = app.config.clone();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let cleanup = Cleanup {
        pg: None,
        redis: None,
        meili: None,
    };
    start(config, tempfile::tempdir().unwrap(), cleanup).await
}

// ---------------------------------------------------------------- data rights

use std::time::Duration;

use crate::{
    messages::{new_conversation, send_text},
    search::{q, sync},
    uploads::{png_bytes, upload},
};

/// A random marker to plant in what a user gives and look for afterwards:
/// lowercase letters and digits, so every tokenizer keeps it whole, and
/// short enough to be a nickname.
pub fn marker() -> String {
    format!("mkr{}", &uuid::Uuid::new_v4().simple().to_string()[..20])
}

/// Sends `req`, asserts its status and returns the JSON body (null when
/// there is none).
pub async fn expect(req: RequestBuilder, status: u16) -> Value {
    let resp = req.send().await.unwrap();
    let (path, got) = (resp.url().path().to_owned(), resp.status().as_u16());
    let text = resp.text().await.unwrap();
    assert_eq!(got, status, "{path}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

async fn upload_id(app: &TestApp, user: &TestUser, bytes: Vec<u8>, name: &str) -> String {
    let resp = upload(app, &user.token, bytes, name).await;
    assert_eq!(resp.status(), 201);
    id_of(&json_of(resp).await)
}

/// Everything a busy user did.
pub struct Busy {
    pub user: TestUser,
    /// A second session, signed in with device headers.
    pub device_token: String,
    /// Follows and is followed by the user, talks with them, answered
    /// their comment.
    pub peer: TestUser,
    /// Blocked by the user.
    pub stranger: TestUser,
    pub circle: String,
    /// The user's post, in the circle, with an image and one edit.
    pub post: String,
    pub avatar: String,
    pub image: String,
    /// A text file the user sent the peer.
    pub file: String,
    /// The user's comment on the peer's post, which the peer answered.
    pub comment: String,
    pub peer_post: String,
    pub peer_reply: String,
    pub conversation: String,
    /// Why the user reported the peer's post.
    pub report_reason: String,
}

/// A user who used every feature, everything they typed carrying `marker`
/// (`{marker}-title`, `{marker}-city`, …; the nickname is the marker
/// itself), and a peer whose own content carries `peer_marker`. The second
/// session's device model is `device`. The search outbox is drained.
pub async fn busy_user(app: &TestApp, marker: &str, peer_marker: &str, device: &str) -> Busy {
    let m = marker;
    let pm = peer_marker;
    let admin = app.admin().await;
    let circle_name = format!("club {}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let circle = id_of(
        &expect(
            app.post("/admin/circles").bearer_auth(&admin.token).json(
                &json!({ "name": circle_name, "kind": "club", "description": "busy people" }),
            ),
            201,
        )
        .await,
    );
    let user = app.register_phone(&new_phone(), m).await;
    let peer = app.register_phone(&new_phone(), pm).await;
    let stranger = app.register().await;
    let as_user = |req: RequestBuilder| req.bearer_auth(&user.token);
    let as_peer = |req: RequestBuilder| req.bearer_auth(&peer.token);

    let login = app
        .post("/auth/login")
        .header("X-Device-Model", device)
        .header("X-OS-Version", "Android 15")
        .header("X-App-Version", "3.1.0")
        .json(&json!({ "consents": ["account"], "phone": user.phone, "password": PASSWORD }));
    let device_token = expect(login, 200).await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let avatar = upload_id(app, &user, png_bytes(), "me.png").await;
    let profile = json!({
        "gender": "female", "birthday": "1995-05-20", "avatar_upload_id": avatar,
        "region": format!("{m}-region"), "signature": format!("{m}-signature"),
    });
    expect(as_user(app.patch("/me/profile")).json(&profile), 200).await;
    for purpose in ["location", "search_history"] {
        let path = format!("/me/consents/{purpose}");
        expect(
            as_user(app.put(&path)).json(&json!({ "granted": true })),
            200,
        )
        .await;
    }
    let city = json!({ "city": format!("{m}-city") });
    expect(as_user(app.put("/me/location")).json(&city), 204).await;
    let membership = format!("/circles/{circle}/membership");
    expect(as_user(app.put(&membership)), 200).await;

    let image = upload_id(app, &user, png_bytes(), "post.png").await;
    let body = json!({
        "circle_id": circle, "title": format!("{m}-title"), "body": format!("{m}-body"),
        "image_upload_ids": [image], "device_model": format!("{m}-phone"),
    });
    let post = id_of(&expect(as_user(app.post("/posts")).json(&body), 201).await);
    let edit = json!({ "title": format!("{m}-title-edited") });
    expect(
        as_user(app.patch(&format!("/posts/{post}"))).json(&edit),
        200,
    )
    .await;

    let body = json!({ "title": format!("{pm}-title"), "body": format!("{pm}-body") });
    let peer_post = id_of(&expect(as_peer(app.post("/posts")).json(&body), 201).await);
    let comments = format!("/posts/{peer_post}/comments");
    let body = json!({ "body": format!("{m}-comment") });
    let comment = id_of(&expect(as_user(app.post(&comments)).json(&body), 201).await);
    let body = json!({ "body": format!("{pm}-reply"), "parent_id": comment });
    let peer_reply = id_of(&expect(as_peer(app.post(&comments)).json(&body), 201).await);

    expect(as_user(app.put(&format!("/posts/{peer_post}/like"))), 200).await;
    expect(
        as_user(app.put(&format!("/comments/{peer_reply}/like"))),
        200,
    )
    .await;
    expect(as_peer(app.put(&format!("/posts/{post}/like"))), 200).await;
    expect(as_user(app.put(&format!("/users/{}/follow", peer.id))), 204).await;
    expect(as_peer(app.put(&format!("/users/{}/follow", user.id))), 204).await;
    expect(
        as_user(app.put(&format!("/users/{}/block", stranger.id))),
        204,
    )
    .await;
    let search = format!("/search?{}", q(&format!("{m} search")));
    expect(as_user(app.get(&search)), 200).await;

    // The user is offline, so the peer's message leaves a notification.
    let conversation = new_conversation(app, &user, &peer).await;
    send_text(app, &user, &conversation, &format!("{m}-message")).await;
    send_text(app, &peer, &conversation, &format!("{pm}-message")).await;
    let file = upload_id(app, &user, format!("notes {m}-file\n").into(), "a.txt").await;
    let peer_file = upload_id(app, &peer, format!("notes {pm}-file\n").into(), "b.txt").await;
    let messages = format!("/conversations/{conversation}/messages");
    for (token, upload_id) in [(&user.token, &file), (&peer.token, &peer_file)] {
        let body = json!({ "client_id": uuid::Uuid::new_v4().to_string(), "kind": "file", "upload_id": upload_id });
        expect(app.post(&messages).bearer_auth(token).json(&body), 201).await;
    }

    let report_reason = "looks like advertising".to_owned();
    let report = json!({ "target_type": "post", "target_id": peer_post, "reason": report_reason });
    expect(as_user(app.post("/reports")).json(&report), 201).await;
    sync(app).await;
    Busy {
        user,
        device_token,
        peer,
        stranger,
        circle,
        post,
        avatar,
        image,
        file,
        comment,
        peer_post,
        peer_reply,
        conversation,
        report_reason,
    }
}

/// Short enough to wait out in a test.
pub const SHORT_COOLING_OFF: Duration = Duration::from_millis(300);

/// `generous_message_limits` and a cooling-off of [`SHORT_COOLING_OFF`].
pub fn short_cooling_off(config: &mut Config) {
    generous_message_limits(config);
    config.deregistration_cooling_off = SHORT_COOLING_OFF;
}

/// Asks to deregister, confirmed by the password.
pub async fn request_deregistration(
    app: &TestApp,
    token: &str,
    scope: &str,
    content: &str,
) -> Response {
    app.post("/me/deregistration")
        .bearer_auth(token)
        .json(&json!({ "scope": scope, "content": content, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

/// Runs the purge once and applies the search updates it queued.
pub async fn purge(app: &TestApp) {
    agora::privacy::purge::run(&app.state).await.unwrap();
    sync(app).await;
}

/// Deregisters `user`, waits out the (short) cooling-off and purges.
pub async fn deregister_and_purge(app: &TestApp, user: &TestUser, scope: &str, content: &str) {
    let resp = request_deregistration(app, &user.token, scope, content).await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(SHORT_COOLING_OFF + Duration::from_millis(300)).await;
    purge(app).await;
}
