//! Keyed rate limits per action class: governor in-process, or the same
//! GCRA algorithm in Redis so that every instance shares the limits.
use std::{collections::BTreeMap, fmt, num::NonZeroU32, str::FromStr, sync::Arc, time::Duration};

use async_trait::async_trait;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use super::cache::RedisConn;

/// What a limit applies to. Keys of `[rate_limits]` in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionClass {
    /// SMS codes sent to one phone number.
    SmsPhone,
    /// SMS codes requested from one IP address.
    SmsIp,
    /// SMS-code checks for one phone number: bounds guessing across codes.
    SmsVerify,
    /// Login attempts from one IP address.
    LoginIp,
    /// Login attempts for one phone number.
    LoginAccount,
    /// Other writes (POST, PUT, PATCH, DELETE) from one IP address.
    WriteIp,
    /// Other writes by one account.
    WriteAccount,
    /// Reads from one IP address.
    ReadIp,
    /// Reads by one account.
    ReadAccount,
    /// New posts by one account (flood control).
    PostCreate,
    /// New comments by one account.
    CommentCreate,
    /// Likes by one account.
    Like,
    /// Private messages sent by one account.
    MessageSend,
    /// New conversations started by one account.
    ConversationCreate,
    /// Data exports by one account.
    DataExport,
}

impl ActionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmsPhone => "sms_phone",
            Self::SmsIp => "sms_ip",
            Self::SmsVerify => "sms_verify",
            Self::LoginIp => "login_ip",
            Self::LoginAccount => "login_account",
            Self::WriteIp => "write_ip",
            Self::WriteAccount => "write_account",
            Self::ReadIp => "read_ip",
            Self::ReadAccount => "read_account",
            Self::PostCreate => "post_create",
            Self::CommentCreate => "comment_create",
            Self::Like => "like",
            Self::MessageSend => "message_send",
            Self::ConversationCreate => "conversation_create",
            Self::DataExport => "data_export",
        }
    }

    pub fn defaults() -> BTreeMap<ActionClass, QuotaSpec> {
        let q = |count, secs| QuotaSpec {
            count,
            period: Duration::from_secs(secs),
        };
        BTreeMap::from([
            (Self::SmsPhone, q(1, 60)),
            (Self::SmsIp, q(10, 3600)),
            (Self::SmsVerify, q(20, 86_400)),
            (Self::LoginIp, q(10, 60)),
            (Self::LoginAccount, q(5, 60)),
            (Self::WriteIp, q(600, 60)),
            (Self::WriteAccount, q(300, 60)),
            (Self::ReadIp, q(3000, 60)),
            (Self::ReadAccount, q(1200, 60)),
            (Self::PostCreate, q(1, 15)),
            (Self::CommentCreate, q(1, 5)),
            (Self::Like, q(50, 60)),
            // One a second with a burst of ten.
            (Self::MessageSend, q(10, 10)),
            (Self::ConversationCreate, q(20, 86_400)),
            (Self::DataExport, q(1, 86_400)),
        ])
    }
}

/// `count` actions per `period`, written `"10/1m"`: a burst of `count`,
/// refilled evenly over the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuotaSpec {
    pub count: u32,
    pub period: Duration,
}

impl QuotaSpec {
    /// Time between two replenished actions.
    fn interval(&self) -> Duration {
        self.period / self.count.max(1)
    }
}

impl FromStr for QuotaSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (count, period) = s
            .split_once('/')
            .ok_or_else(|| format!("rate limit `{s}` is not of the form N/period, e.g. 10/1m"))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("rate limit `{s}`: bad count"))?;
        let period = humantime::parse_duration(period.trim())
            .map_err(|e| format!("rate limit `{s}`: {e}"))?;
        if count == 0 || period.is_zero() {
            return Err(format!(
                "rate limit `{s}`: count and period must be positive"
            ));
        }
        Ok(Self { count, period })
    }
}

impl TryFrom<String> for QuotaSpec {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<QuotaSpec> for String {
    fn from(q: QuotaSpec) -> String {
        q.to_string()
    }
}

impl fmt::Display for QuotaSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            self.count,
            humantime::format_duration(self.period)
        )
    }
}

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
                tracing::warn!(error = %err, class = class.as_str(), "rate limiter unavailable");
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
