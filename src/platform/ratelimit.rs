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

/// GCRA in one Lua script, on the server's clock, shared by all instances:
/// takes up to `ARGV[3]` tokens at once and answers how many it took, or,
/// when none is left, minus the milliseconds until one is.
const GCRA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local free = math.floor((now + interval * burst - tat) / interval)
if free < 1 then return -(tat + interval - now - interval * burst) end
local take = math.min(want, free)
local new_tat = tat + interval * take
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return take
"#;

/// The limits in Redis, shared by every instance. For a generous quota
/// (see [`Leases`]) an instance takes a few tokens at a time and spends
/// them locally; a small one (logins, SMS codes) asks Redis every time.
pub struct RedisLimiter {
    redis: RedisConn,
    specs: BTreeMap<ActionClass, QuotaSpec>,
    script: redis::Script,
    leases: Leases,
}

impl RedisLimiter {
    pub fn new(redis: RedisConn, specs: BTreeMap<ActionClass, QuotaSpec>) -> Self {
        Self {
            redis,
            specs,
            script: redis::Script::new(GCRA),
            leases: Leases::default(),
        }
    }

    /// Takes up to `want` tokens of `key` from Redis: how many it got, or
    /// the wait until one is free.
    async fn take(
        &self,
        class: ActionClass,
        spec: &QuotaSpec,
        key: &str,
        want: u32,
    ) -> anyhow::Result<Result<u32, Duration>> {
        let interval = spec.interval().as_millis().max(1) as u64;
        let redis_key = self.redis.key(&format!("rl:{}:{key}", class.as_str()));
        let mut conn = self.redis.conn().await?;
        let answer: i64 = self
            .script
            .key(redis_key)
            .arg(interval)
            .arg(spec.count)
            .arg(want)
            .invoke_async(&mut conn)
            .await?;
        Ok(match u32::try_from(answer) {
            Ok(took) if took > 0 => Ok(took),
            _ => Err(Duration::from_millis(answer.unsigned_abs())),
        })
    }
}

/// Quotas of at least this many requests per period are leased.
const LEASED_FROM: u32 = 100;
/// A lease is spent within this time, or its rest is lost (counted as used).
const LEASE_LIFE: Duration = Duration::from_secs(1);

/// Tokens an instance took from Redis ahead of use, per class and key. A
/// key's first lease is one token; each lease used up in time doubles the
/// next, up to a hundredth of the quota. A client at a trickle asks Redis
/// every time, as before; a busy one asks once per many requests. The
/// instances together never spend more than the quota: a token is taken
/// in Redis before it is spent. At most one lease's rest goes unused.
#[derive(Default)]
pub struct Leases {
    held: std::sync::Mutex<std::collections::HashMap<(ActionClass, String), Lease>>,
}

struct Lease {
    left: u32,
    size: u32,
    until: std::time::Instant,
}

impl Leases {
    /// Spends one leased token of `key`, if one is left: `Err(next)` is
    /// the size of the lease to ask for instead.
    fn spend(&self, class: ActionClass, key: &str) -> Result<(), u32> {
        let now = std::time::Instant::now();
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let Some(lease) = held.get_mut(&(class, key.to_owned())) else {
            if held.len() > 100_000 {
                held.retain(|_, l| l.until > now);
            }
            return Err(1);
        };
        if lease.until <= now {
            // Not used up in time: the client slowed down, start small.
            lease.size = 1;
            return Err(1);
        }
        if lease.left == 0 {
            return Err(lease.size.saturating_mul(2));
        }
        lease.left -= 1;
        Ok(())
    }

    /// Records `took` tokens more, one of which is spent now. Leases taken
    /// at once by concurrent requests add up: none is lost.
    fn grant(&self, class: ActionClass, key: &str, took: u32) {
        let now = std::time::Instant::now();
        let fresh = Lease {
            left: took - 1,
            size: took,
            until: now + LEASE_LIFE,
        };
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match held.get_mut(&(class, key.to_owned())) {
            Some(lease) if lease.until > now => {
                lease.left += took - 1;
                lease.size = lease.size.max(took);
                lease.until = fresh.until;
            }
            _ => {
                held.insert((class, key.to_owned()), fresh);
            }
        }
    }
}

#[async_trait]
impl Limiter for RedisLimiter {
    async fn check(&self, class: ActionClass, key: &str) -> Result<(), Duration> {
        let Some(spec) = self.specs.get(&class) else {
            return Ok(());
        };
        let leased = spec.count >= LEASED_FROM;
        let want = if leased {
            match self.leases.spend(class, key) {
                Ok(()) => return Ok(()),
                Err(size) => size.min(spec.count / LEASED_FROM),
            }
        } else {
            1
        };
        let result = self.take(class, spec, key, want).await;
        match result {
            Ok(Ok(took)) => {
                if leased {
                    self.leases.grant(class, key, took);
                }
                Ok(())
            }
            // Redis has nothing left, but a concurrent request of this
            // instance may just have leased what it had.
            Ok(Err(_)) if leased && self.leases.spend(class, key).is_ok() => Ok(()),
            Ok(Err(wait)) => Err(wait),
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

    #[test]
    fn a_busy_key_leases_more_each_time_and_a_slow_one_starts_again_at_one() {
        let leases = Leases::default();
        let class = ActionClass::ReadIp;
        assert_eq!(leases.spend(class, "a"), Err(1));
        leases.grant(class, "a", 1);
        assert_eq!(leases.spend(class, "a"), Err(2));
        leases.grant(class, "a", 2);
        assert_eq!(leases.spend(class, "a"), Ok(()));
        assert_eq!(leases.spend(class, "a"), Err(4));
        // Redis had fewer left than asked: the lease is what it gave.
        leases.grant(class, "a", 3);
        assert_eq!(leases.spend(class, "a"), Ok(()));
        assert_eq!(leases.spend(class, "a"), Ok(()));
        assert_eq!(leases.spend(class, "a"), Err(6));
        // Leases taken at once by concurrent requests add up.
        leases.grant(class, "a", 2);
        leases.grant(class, "a", 2);
        assert_eq!(leases.spend(class, "a"), Ok(()));
        assert_eq!(leases.spend(class, "a"), Ok(()));
        assert_eq!(leases.spend(class, "a"), Err(6));
        // Other keys and classes have leases of their own.
        assert_eq!(leases.spend(class, "b"), Err(1));
        assert_eq!(leases.spend(ActionClass::WriteIp, "a"), Err(1));
        // A lease not used up within its life: the next one is small again.
        leases.grant(class, "c", 8);
        std::thread::sleep(LEASE_LIFE + Duration::from_millis(50));
        assert_eq!(leases.spend(class, "c"), Err(1));
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
