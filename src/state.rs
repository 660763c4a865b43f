//! The plain context every handler and job works in: configuration and the
//! platform's handles, connected once at start-up and shared. It knows no
//! area; what areas register (personal data, erasers, retention rules,
//! hooks) is built by the wiring (`startup::registries`).
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    platform::{
        cache::{MemoryCache, RedisCache, RedisConn, SharedCache},
        crypto::Crypto,
        db,
        documents::Documents,
        facts::Facts,
        gates::Gates,
        ratelimit::{GovernorLimiter, RedisLimiter, SharedLimiter},
        realtime::Realtime,
        references::References,
        search_index::{meili::MeiliIndex, tantivy::TantivyIndex, SharedSearch},
        sms::{LogSender, SmsSender},
        storage::MediaStore,
        tls::{BackendsTls, TlsSettings, TlsState},
    },
};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Every write and transaction, and any read that must see them.
    pub db: DatabaseConnection,
    /// Reads outside a transaction on the hot paths (feeds, posts,
    /// circles, profiles, sessions): on SQLite, connections of their own
    /// that never wait behind the writer; elsewhere the same pool.
    pub read_db: DatabaseConnection,
    pub cache: SharedCache,
    pub limiter: SharedLimiter,
    pub crypto: Crypto,
    pub sms: Arc<dyn SmsSender>,
    pub media: MediaStore,
    pub search: SharedSearch,
    /// Live connections: events to users, and who is online.
    pub realtime: Realtime,
    pub jobs: Jobs,
    /// Where areas publish facts for others (subscribers set by the wiring).
    pub facts: Facts,
    /// Where the index's documents come from (sources set by the wiring).
    pub documents: Documents,
    /// Who still refers to an upload (sources set by the wiring).
    pub references: References,
    /// Closed circles: who passes each gate, and the circles' owner (set
    /// by the wiring).
    pub gates: Gates,
    /// What protects the wire to each backend, found while connecting.
    pub tls: BackendsTls,
}

/// Who this instance is to the job leases, and the guard that keeps its own
/// background work from overlapping.
#[derive(Clone)]
pub struct Jobs {
    /// A random id for this process, the holder of the leases it takes.
    pub instance: String,
    pub draining: Arc<tokio::sync::Mutex<()>>,
    pub purging: Arc<tokio::sync::Mutex<()>>,
}

impl Default for Jobs {
    fn default() -> Self {
        Self {
            instance: uuid::Uuid::new_v4().to_string(),
            draining: Arc::default(),
            purging: Arc::default(),
        }
    }
}

impl AppState {
    /// Connects to every backend the configuration names and migrates.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let tls = TlsSettings::from_config(&config)?;
        let (db, database_tls) = db::connect_with(&config, &tls).await?;
        db::migrate(&db).await?;
        let read_db = db::connect_readers(&config, &db).await?;
        let mut cache_tls = TlsState::Embedded;
        let (cache, limiter, realtime): (SharedCache, SharedLimiter, Realtime) = match &config
            .redis_url
        {
            Some(url) => {
                let (redis, state) = RedisConn::with_tls(url.expose(), &config.redis_prefix, &tls)?;
                cache_tls = state;
                (
                    Arc::new(RedisCache::new(redis.clone())),
                    Arc::new(RedisLimiter::new(redis.clone(), config.rate_limits.clone())),
                    Realtime::redis(redis),
                )
            }
            None => {
                let governor = Arc::new(GovernorLimiter::new(&config.rate_limits));
                spawn_shrinker(governor.clone());
                (
                    Arc::new(MemoryCache::new()),
                    governor,
                    Realtime::in_process(),
                )
            }
        };
        let (search, search_tls): (SharedSearch, TlsState) = match &config.meili_url {
            Some(url) => {
                let (index, state) = MeiliIndex::new(
                    url,
                    config.meili_key.as_ref().map(|k| k.expose()),
                    &config.meili_index,
                    config.meili_timeout,
                    &tls,
                )?;
                (Arc::new(index), state)
            }
            None => (
                Arc::new(TantivyIndex::open(&config.data_dir.join("search"))?),
                TlsState::Embedded,
            ),
        };
        Ok(Self {
            search,
            crypto: Crypto::from_config(&config)?,
            media: MediaStore::local(&config.data_dir.join("media"))?,
            sms: Arc::new(LogSender),
            config: Arc::new(config),
            db,
            read_db,
            cache,
            limiter,
            realtime,
            jobs: Jobs::default(),
            facts: Facts::default(),
            documents: Documents::default(),
            references: References::default(),
            gates: Gates::default(),
            tls: BackendsTls {
                database: database_tls,
                cache: cache_tls,
                search: search_tls,
            },
        })
    }
}

fn spawn_shrinker(limiter: Arc<GovernorLimiter>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.shrink();
        }
    });
}
