//! A real server per test: its own port, temp data dir and — when
//! `AGORA_TEST_DATABASE_URL` / `AGORA_TEST_REDIS_URL` are set — its own
//! PostgreSQL database and Redis key prefix, dropped when the test ends.
//!
//! The other modules give tests their vocabulary: `requests` (sending as a
//! user, reading answers, problems), one module of endpoint helpers per
//! area, `internals` (the few calls past the API), `skip`, and `busy` (a
//! user who used every feature).
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use agora::{
    config::{Config, Secret},
    platform::ratelimit::ActionClass,
    privacy::registry::Registries,
    startup::Application,
    state::AppState,
};
use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

mod account;
mod backends;
mod beta;
mod busy;
mod community;
mod events;
mod help_groups;
mod internals;
mod logs;
mod media;
mod messaging;
mod prizes;
mod realtime;
mod requests;
mod search;
mod skip;
mod tls;

pub use backends::{meili_url, pg_url, redis_url, timestamp_cast};
pub use beta::*;
pub use busy::*;
pub use events::*;
pub use help_groups::*;
pub use internals::*;
pub use logs::captured_logs;
pub use media::*;
pub use messaging::*;
pub use prizes::*;
pub use realtime::*;
pub use requests::*;
pub use search::*;
pub use skip::skip;
pub use tls::*;

use backends::{with_database, Cleanup};

pub const TEST_CODE: &str = "246810";
pub const PASSWORD: &str = "correct horse battery";
/// An id no row has.
pub const NOBODY: &str = "01900000-0000-7000-8000-000000000000";

// ---------------------------------------------------------------- app

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// What the areas registered: purges and exports run over it.
    pub registries: Registries,
    pub config: Config,
    pub data_dir: TempDir,
    _cleanup: Cleanup,
}

pub struct TestUser {
    pub id: String,
    pub phone: String,
    pub token: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A test server's configuration on the embedded defaults, its data in
/// `data_dir` (the backends of the run are not applied).
pub fn base_config(data_dir: &std::path::Path) -> Config {
    logs::logs();
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_path_buf(),
        sms_test_code: Some(Secret::new(TEST_CODE)),
        data_key: Some(Secret::new(hex_key())),
        ..Config::default()
    }
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = base_config(data_dir.path());
    let mut cleanup = Cleanup::default();
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

/// A second instance of `app`'s deployment: another server on the same
/// database, data dir and Redis prefix. `app` still owns them and cleans
/// them up, so drop the sibling first; its own `data_dir` is an unused
/// placeholder.
pub async fn spawn_sibling(app: &TestApp) -> TestApp {
    let mut config = app.config.clone();
    config.listen = "127.0.0.1:0".parse().unwrap();
    start(config, tempfile::tempdir().unwrap(), Cleanup::default()).await
}

/// Builds and runs the server of `config`.
async fn start(config: Config, data_dir: TempDir, cleanup: Cleanup) -> TestApp {
    let app = Application::build(config.clone()).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let registries = app.registries().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        registries,
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

impl TestApp {
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

    /// The rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.sql_count(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .await
    }

    /// The single number `sql` selects.
    pub async fn sql_count(&self, sql: &str) -> i64 {
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned()))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

// ---------------------------------------------------------------- limits

/// Sets the limit of each of `classes` to `spec`, e.g. `"3/1m"`.
pub fn set_limit(config: &mut Config, class: ActionClass, spec: &str) {
    config.rate_limits.insert(class, spec.parse().unwrap());
}

/// Lifts the per-IP SMS and application limits and flood control, for
/// tests that need many users or many posts quickly.
pub fn generous_limits(config: &mut Config) {
    for class in [
        ActionClass::SmsIp,
        ActionClass::ApplyIp,
        ActionClass::BetaApply,
        ActionClass::PostCreate,
        ActionClass::CommentCreate,
        ActionClass::Like,
        ActionClass::WriteIp,
        ActionClass::WriteAccount,
    ] {
        set_limit(config, class, "100000/1m");
    }
}

/// `generous_limits`, and flood control on messages and new conversations
/// lifted too.
pub fn generous_message_limits(config: &mut Config) {
    generous_limits(config);
    for class in [ActionClass::MessageSend, ActionClass::ConversationCreate] {
        set_limit(config, class, "100000/1m");
    }
}

/// Short enough to wait out in a test.
pub const SHORT_COOLING_OFF: Duration = Duration::from_millis(300);

/// `generous_message_limits` and a cooling-off of [`SHORT_COOLING_OFF`].
pub fn short_cooling_off(config: &mut Config) {
    generous_message_limits(config);
    config.deregistration_cooling_off = SHORT_COOLING_OFF;
}
