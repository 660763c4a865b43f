//! Copies of answers kept as the bytes they are sent as, in the shared
//! cache. A cache that fails is a miss (or a copy not kept), said so in
//! the log.
use std::time::Duration;

use bytes::Bytes;

use super::cache::Cache;

pub async fn get(cache: &dyn Cache, key: &str) -> Option<Bytes> {
    match cache.get(key).await {
        Ok(found) => found.map(Bytes::from),
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "cache read failed");
            None
        }
    }
}

/// The copies of `keys`, in their order; all missing if the cache fails.
pub async fn get_many(cache: &dyn Cache, keys: &[String]) -> Vec<Option<Bytes>> {
    match cache.get_many(keys).await {
        Ok(found) if found.len() == keys.len() => {
            found.into_iter().map(|v| v.map(Bytes::from)).collect()
        }
        Ok(_) => {
            tracing::warn!("cache read answered another number of values");
            vec![None; keys.len()]
        }
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "cache read failed");
            vec![None; keys.len()]
        }
    }
}

pub async fn keep(cache: &dyn Cache, key: &str, bytes: &[u8], ttl: Duration) {
    if let Err(err) = cache.set(key, bytes, ttl).await {
        tracing::warn!(error = %format!("{err:#}"), "cache write failed");
    }
}

/// Every copy whose key starts with `prefix`.
pub async fn forget_prefix(cache: &dyn Cache, prefix: &str) {
    if let Err(err) = cache.delete_prefix(prefix).await {
        tracing::warn!(error = %format!("{err:#}"), "cache invalidation failed");
    }
}

pub async fn forget(cache: &dyn Cache, keys: &[String]) {
    if let Err(err) = cache.delete_many(keys).await {
        tracing::warn!(error = %format!("{err:#}"), "cache invalidation failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::cache::MemoryCache;

    #[tokio::test]
    async fn an_unread_copy_leaves_at_the_end_of_its_own_ttl() {
        let cache = MemoryCache::new();
        keep(&cache, "short", b"page", Duration::from_millis(50)).await;
        keep(&cache, "long", b"page", Duration::from_secs(60)).await;
        assert_eq!(cache.entries().await, 2);
        // The cache's timer wheel turns about once a second.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(cache.entries().await, 1, "the expired copy is still held");
        let found = get_many(&cache, &["short".into(), "long".into()]).await;
        assert!(found[0].is_none());
        assert_eq!(found[1].as_deref(), Some(&b"page"[..]));
        forget_prefix(&cache, "lo").await;
        assert_eq!(cache.entries().await, 0);
    }
}
