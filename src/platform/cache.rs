//! Cache: in-process (moka) by default, Redis when configured. The same
//! trait carries presence, feed caches and shared state in later areas.
use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands};
use tokio::sync::OnceCell;

use super::tls::{TlsSettings, TlsState};

#[async_trait]
pub trait Cache: Send + Sync + 'static {
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// The values of `keys`, in their order (in one round trip where the
    /// engine can).
    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            found.push(self.get(key).await?);
        }
        Ok(found)
    }
    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> anyhow::Result<()>;
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Deletes every key of `keys` (in one round trip where the engine can).
    async fn delete_many(&self, keys: &[String]) -> anyhow::Result<()> {
        for key in keys {
            self.delete(key).await?;
        }
        Ok(())
    }
    /// Deletes every key that starts with `prefix` (rare: it walks them).
    async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()>;
    /// Gets and deletes in one step: of two callers, one gets the value.
    async fn take(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// Reachable right now?
    async fn ping(&self) -> bool;
    /// `memory` or `redis`.
    fn kind(&self) -> &'static str;
}

pub type SharedCache = Arc<dyn Cache>;

/// How much the in-process cache holds, keys and values together.
const MEMORY_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// In-process cache with a TTL per entry.
pub struct MemoryCache {
    inner: moka::future::Cache<String, (Vec<u8>, tokio::time::Instant)>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self {
            // Bounded by size, not by count: a page weighs far more than
            // a counter.
            inner: moka::future::Cache::builder()
                .weigher(
                    |key: &String, (value, _): &(Vec<u8>, tokio::time::Instant)| {
                        u32::try_from(key.len() + value.len()).unwrap_or(u32::MAX)
                    },
                )
                .max_capacity(MEMORY_CACHE_BYTES)
                // Whatever is set is kept while there is room (a realtime
                // ticket must not be turned away for a popular page), the
                // least recently used going first.
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .expire_after(OwnTtl)
                .build(),
        }
    }
}

#[cfg(test)]
impl MemoryCache {
    /// How many entries it holds once its pending housekeeping ran.
    pub async fn entries(&self) -> u64 {
        self.inner.run_pending_tasks().await;
        self.inner.entry_count()
    }
}

/// Each entry leaves at the end of its own TTL, read or not: a page kept
/// under a feed generation that moved on is never read again.
struct OwnTtl;

impl moka::Expiry<String, (Vec<u8>, tokio::time::Instant)> for OwnTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        (_, expires): &(Vec<u8>, tokio::time::Instant),
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(expires.saturating_duration_since(tokio::time::Instant::now()))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        (_, expires): &(Vec<u8>, tokio::time::Instant),
        _updated_at: std::time::Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        Some(expires.saturating_duration_since(tokio::time::Instant::now()))
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self.inner.get(key).await {
            Some((value, expires)) if expires > tokio::time::Instant::now() => Ok(Some(value)),
            Some(_) => {
                self.inner.invalidate(key).await;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> anyhow::Result<()> {
        let expires = tokio::time::Instant::now() + ttl;
        self.inner
            .insert(key.to_owned(), (value.to_vec(), expires))
            .await;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.inner.invalidate(key).await;
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()> {
        let keys: Vec<String> = self
            .inner
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(key, _)| key.as_ref().clone())
            .collect();
        for key in keys {
            self.inner.invalidate(&key).await;
        }
        Ok(())
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(match self.inner.remove(key).await {
            Some((value, expires)) if expires > tokio::time::Instant::now() => Some(value),
            _ => None,
        })
    }

    async fn ping(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

/// A Redis connection made on first use and re-made after a failure, so
/// that the service starts (and reports itself not ready) while Redis is down.
#[derive(Clone)]
pub struct RedisConn {
    client: redis::Client,
    manager: Arc<OnceCell<ConnectionManager>>,
    pub prefix: String,
}

impl RedisConn {
    /// A plain connection (tests' own helpers, local tools).
    pub fn new(url: &str, prefix: &str) -> anyhow::Result<Self> {
        Ok(Self::with_tls(url, prefix, &TlsSettings::default())?.0)
    }

    /// `rediss://` is TLS, verified against the system's roots or, when
    /// configured, the CA file alone; `tls.allow_unverified` (or the URL's
    /// own `#insecure`) encrypts without checking. Every use of Redis —
    /// cache, limits, presence, the realtime bus — goes through this client.
    pub fn with_tls(
        url: &str,
        prefix: &str,
        tls: &TlsSettings,
    ) -> anyhow::Result<(Self, TlsState)> {
        use redis::{ConnectionAddr, IntoConnectionInfo};
        let info = url.into_connection_info()?;
        let (host, state) = match info.addr() {
            ConnectionAddr::Tcp(host, _) => (host.clone(), TlsState::Off),
            ConnectionAddr::TcpTls { host, insecure, .. } => (
                host.clone(),
                if *insecure || tls.allow_unverified {
                    TlsState::Unverified
                } else {
                    TlsState::Verified
                },
            ),
            // A Unix socket: this machine.
            _ => (String::new(), TlsState::Off),
        };
        tls.admit("Redis", &host, state)?;
        let client = match (info.addr().clone(), state) {
            (ConnectionAddr::TcpTls { host, port, .. }, TlsState::Unverified) => {
                redis::Client::open(info.set_addr(ConnectionAddr::TcpTls {
                    host,
                    port,
                    insecure: true,
                    tls_params: None,
                }))?
            }
            (ConnectionAddr::TcpTls { .. }, _) if tls.ca_pem.is_some() => {
                redis::Client::build_with_tls(
                    info,
                    redis::TlsCertificates {
                        client_tls: None,
                        root_cert: tls.ca_pem.clone(),
                    },
                )?
            }
            _ => redis::Client::open(info)?,
        };
        Ok((
            Self {
                client,
                manager: Arc::new(OnceCell::new()),
                prefix: prefix.to_owned(),
            },
            state,
        ))
    }

    pub async fn conn(&self) -> anyhow::Result<ConnectionManager> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(Duration::from_secs(2)))
                    .set_number_of_retries(2);
                ConnectionManager::new_with_config(self.client.clone(), config).await
            })
            .await?;
        Ok(manager.clone())
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    pub fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

pub struct RedisCache {
    redis: RedisConn,
}

impl RedisCache {
    pub fn new(redis: RedisConn) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let mut conn = self.redis.conn().await?;
        Ok(conn.get(self.redis.key(key)).await?)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> anyhow::Result<()> {
        let mut conn = self.redis.conn().await?;
        let millis = ttl.as_millis().max(1) as u64;
        let _: () = conn.pset_ex(self.redis.key(key), value, millis).await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let mut conn = self.redis.conn().await?;
        let _: () = conn.del(self.redis.key(key)).await?;
        Ok(())
    }

    async fn get_many(&self, keys: &[String]) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.redis.conn().await?;
        let keys: Vec<String> = keys.iter().map(|k| self.redis.key(k)).collect();
        Ok(redis::cmd("MGET").arg(keys).query_async(&mut conn).await?)
    }

    async fn delete_many(&self, keys: &[String]) -> anyhow::Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = self.redis.conn().await?;
        let keys: Vec<String> = keys.iter().map(|k| self.redis.key(k)).collect();
        let _: () = conn.del(keys).await?;
        Ok(())
    }

    async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()> {
        let mut conn = self.redis.conn().await?;
        let pattern = format!("{}*", self.redis.key(prefix));
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                let _: () = conn.del(keys).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn take(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let mut conn = self.redis.conn().await?;
        Ok(redis::cmd("GETDEL")
            .arg(self.redis.key(key))
            .query_async(&mut conn)
            .await?)
    }

    async fn ping(&self) -> bool {
        match self.redis.conn().await {
            Ok(mut conn) => redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .is_ok(),
            Err(_) => false,
        }
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
