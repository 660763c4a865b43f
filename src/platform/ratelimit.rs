//! Keyed rate limits per action class: governor in-process, or the same
//! GCRA algorithm in Redis so that every instance shares the limits.
use std::{collections::BTreeMap, num::NonZeroU32, sync::Arc, time::Duration};

use async_trait::async_trait;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::cache::RedisConn;

pub use crate::config::limits::{ActionClass, QuotaSpec};

#[async_trait]
pub trait Limiter: Send + Sync + 'static {
    /// `Err(wait)` when `key` has used up its quota for `class`.
    async fn check(&self, class: ActionClass, key: &str) -> Result<(), Duration>;
}

pub type SharedLimiter = Arc<dyn Limiter>;

/// In-process limits (governor).
pub struct GovernorLimiter {
    limiters: BTreeMap<ActionClass, DefaultKeyedRateLimiter<String>>,
}

impl GovernorLimiter {
    pub fn new(specs: &BTreeMap<ActionClass, QuotaSpec>) -> Self {
        let limiters = specs
            .iter()
            .filter_map(|(class, spec)| {
                let burst = NonZeroU32::new(spec.count)?;
                let quota = Quota::with_period(spec.interval())?.allow_burst(burst);
                Some((*class, RateLimiter::keyed(quota)))
            })
            .collect();
        Self { limiters }
    }

    /// Forgets keys whose quota is full again; call now and then.
    pub fn shrink(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[async_trait]
impl Limiter for GovernorLimiter {
    async fn check(&self, class: ActionClass, key: &str) -> Result<(), Duration> {
        let Some(limiter) = self.limiters.get(&class) else {
            return Ok(());
        };
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            not_until.wait_time_from(governor::clock::DefaultClock::default().now())
        })
    }
}

/// GCRA in one Lua script, on the server's clock, shared by all instances.
const GCRA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local over = new_tat - now - interval * burst
if over > 0 then return over end
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return 0
"#;

pub struct RedisLimiter {
    redis: RedisConn,
    specs: BTreeMap<ActionClass, QuotaSpec>,
    script: redis::Script,
}

impl RedisLimiter {
    pub fn new(redis: RedisConn, specs: BTreeMap<ActionClass, QuotaSpec>) -> Self {
        Self {
            redis,
            specs,
            script: redis::Script::new(GCRA),
        }
    }
}

#[async_trait]
impl Limiter for RedisLimiter {
    async fn check(&self, class: ActionClass, key: &str) -> Result<(), Duration> {
        let Some(spec) = self.specs.get(&class) else {
            return Ok(());
        };
        let interval = spec.interval().as_millis().max(1) as u64;
        let redis_key = self.redis.key(&format!("rl:{}:{key}", class.as_str()));
        let result: anyhow::Result<u64> = async {
            let mut conn = self.redis.conn().await?;
            Ok(self
                .script
                .key(redis_key)
                .arg(interval)
                .arg(spec.count)
                .invoke_async(&mut conn)
                .await?)
        }
        .await;
        match result {
            Ok(0) => Ok(()),
            Ok(wait_ms) => Err(Duration::from_millis(wait_ms)),
            // Failing open: an unreachable Redis must not take the API down
            // with it; readiness reports the outage.
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), class = class.as_str(), "rate limiter unavailable");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_specs_parse_and_print() {
        let q: QuotaSpec = "10/1m".parse().unwrap();
        assert_eq!(q.count, 10);
        assert_eq!(q.period, Duration::from_secs(60));
        assert!("10".parse::<QuotaSpec>().is_err());
        assert!("0/1m".parse::<QuotaSpec>().is_err());
        assert!("5/soon".parse::<QuotaSpec>().is_err());
    }

    #[tokio::test]
    async fn governor_refuses_past_the_burst_and_names_the_wait() {
        let specs = BTreeMap::from([(ActionClass::LoginAccount, "3/1m".parse().unwrap())]);
        let limiter = GovernorLimiter::new(&specs);
        for _ in 0..3 {
            assert!(limiter.check(ActionClass::LoginAccount, "a").await.is_ok());
        }
        let wait = limiter.check(ActionClass::LoginAccount, "a").await;
        assert!(
            matches!(wait, Err(d) if d > Duration::from_secs(1) && d <= Duration::from_secs(20))
        );
        assert!(limiter.check(ActionClass::LoginAccount, "b").await.is_ok());
    }
}
