//! The optional backends a run may point the suite at, and the per-test
//! database, key prefix and index dropped when the test ends.
use sea_orm::{ConnectionTrait, Database};

pub fn pg_url() -> Option<String> {
    non_empty("AGORA_TEST_DATABASE_URL")
}

/// A Meilisearch to run the search suite against, when there is one.
pub fn meili_url() -> Option<String> {
    non_empty("AGORA_TEST_MEILI_URL")
}

pub fn redis_url() -> Option<String> {
    non_empty("AGORA_TEST_REDIS_URL")
}

fn non_empty(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|u| !u.is_empty())
}

/// `url` with its database name replaced by `name`.
pub(super) fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// `::timestamptz` on PostgreSQL, nothing on SQLite: what a timestamp
/// literal in hand-written SQL needs.
pub fn timestamp_cast() -> &'static str {
    if pg_url().is_some() {
        "::timestamptz"
    } else {
        ""
    }
}

/// Drops the per-test database and Redis keys, even when the test panics.
#[derive(Default)]
pub(super) struct Cleanup {
    pub pg: Option<(String, String)>,
    pub redis: Option<(String, String)>,
    pub meili: Option<(String, String)>,
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
