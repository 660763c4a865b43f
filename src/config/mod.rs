//! Typed configuration: defaults < `agora.toml` < `AGORA_*` environment.
use std::{collections::BTreeMap, fmt, net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};

pub mod limits;

use limits::{ActionClass, QuotaSpec};

/// A value that must never be printed: its `Debug` shows `[redacted]`.
#[derive(Clone, Default, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl<'de> Deserialize<'de> for Secret {
    /// The environment provider types values, so `123456` arrives as a
    /// number: take strings and numbers alike.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// Address to serve on.
    pub listen: SocketAddr,
    /// Where the embedded database, search index, media and data key live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset means SQLite in the data dir.
    pub database_url: Option<Secret>,
    /// PostgreSQL schema to use (tests isolate themselves with one).
    pub database_schema: Option<String>,
    /// Redis for cache and shared limits; unset means in-process.
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key this instance writes.
    pub redis_prefix: String,
    pub meili_url: Option<String>,
    pub meili_key: Option<Secret>,
    /// The Meilisearch index this instance uses.
    pub meili_index: String,
    /// How long one call to Meilisearch may take before search answers 503.
    #[serde(with = "humantime_serde")]
    pub meili_timeout: Duration,
    /// CA certificates (PEM) that sign the backends' certificates: trusted
    /// for Redis (`rediss://`) and Meilisearch (`https://`), and for
    /// PostgreSQL when its URL names no `sslrootcert`.
    pub tls_ca_file: Option<PathBuf>,
    /// Encrypt to Redis and Meilisearch without checking their
    /// certificates (self-signed development setups); logged loudly.
    pub tls_allow_unverified: bool,
    /// Start when a backend beyond this machine is reached without TLS
    /// (a private network), with a warning naming it; refused otherwise.
    pub allow_plaintext_backends: bool,
    /// 32 bytes, base64 or hex; unset means a key generated into the data dir.
    pub data_key: Option<Secret>,
    /// `log` is the only sender so far.
    pub sms_sender: String,
    /// With the `log` sender only: every SMS code equals this.
    pub sms_test_code: Option<Secret>,
    /// Largest JSON request body accepted, in bytes.
    pub json_body_limit: usize,
    /// Largest uploaded image, in bytes.
    pub upload_image_limit: usize,
    /// Largest uploaded video, in bytes.
    pub upload_video_limit: usize,
    /// Largest uploaded file (PDF, ZIP, text), in bytes.
    pub upload_file_limit: usize,
    /// Largest beta build package (admins, `POST /uploads/packages`), in
    /// bytes; only that route takes bodies this large.
    pub upload_package_limit: usize,
    /// What one user's uploads may take in all, in bytes.
    pub upload_quota: u64,
    /// An upload nothing refers to this long after it was made is deleted
    /// (sent to attach, then never attached).
    #[serde(with = "humantime_serde")]
    pub upload_orphan_after: Duration,
    /// How long after sending a message its sender may recall it.
    #[serde(with = "humantime_serde")]
    pub message_recall_window: Duration,
    /// How long after an event ends what its registrants gave is kept (the
    /// catalog promises at most three months).
    #[serde(with = "humantime_serde")]
    pub event_registration_retention: Duration,
    /// How long after delivery (or a claim's last step) a prize winner's
    /// details are kept: the tax period. At most the catalog's ten years
    /// ([`PRIZE_DELIVERY_MAX_DAYS`]).
    #[serde(with = "humantime_serde")]
    pub prize_delivery_retention: Duration,
    /// How long after a beta program ends what its applicants gave is kept
    /// (the catalog promises at most 90 days).
    #[serde(with = "humantime_serde")]
    pub beta_application_retention: Duration,
    /// Between a deregistration request and its erasure; the user may cancel.
    #[serde(with = "humantime_serde")]
    pub deregistration_cooling_off: Duration,
    /// How often `serve` runs deregistrations and retention rules.
    #[serde(with = "humantime_serde")]
    pub purge_interval: Duration,
    /// Sliding lifetime of a session token.
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    /// Base URL put in front of media paths; unset gives relative URLs.
    pub public_url: Option<String>,
    /// Take the client address from `X-Forwarded-For` (behind a proxy only).
    pub trust_forwarded_for: bool,
    /// With `trust_forwarded_for`: how many proxies of ours stand in front
    /// of agora, each appending the address it saw to `X-Forwarded-For`.
    /// The client is the entry that many from the right; whatever the client
    /// itself wrote to the left is never believed.
    pub trusted_proxies: usize,
    /// `pretty` or `json`.
    pub log_format: String,
    /// Per action class, e.g. `login_ip = "10/1m"`.
    pub rate_limits: BTreeMap<ActionClass, QuotaSpec>,
    /// The experience each membership level starts at, from level 1 (at
    /// 0), rising: `AGORA_MEMBERSHIP_LEVELS="[0, 50, 200]"`.
    pub membership_levels: Vec<i64>,
}

/// The catalog's period for `prize_delivery` (`P3653D`: ten years, the
/// tax law's for withholding records); the configured one may be shorter.
pub const PRIZE_DELIVERY_MAX_DAYS: u64 = 3653;

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_schema: None,
            redis_url: None,
            redis_prefix: "agora:".into(),
            meili_url: None,
            meili_key: None,
            meili_index: "agora".into(),
            meili_timeout: Duration::from_secs(5),
            tls_ca_file: None,
            tls_allow_unverified: false,
            allow_plaintext_backends: false,
            data_key: None,
            sms_sender: "log".into(),
            sms_test_code: None,
            json_body_limit: 1024 * 1024,
            upload_image_limit: 10 * 1024 * 1024,
            upload_video_limit: 100 * 1024 * 1024,
            upload_file_limit: 20 * 1024 * 1024,
            upload_package_limit: 1024 * 1024 * 1024,
            upload_quota: 1024 * 1024 * 1024,
            upload_orphan_after: Duration::from_secs(24 * 3600),
            message_recall_window: Duration::from_secs(120),
            deregistration_cooling_off: Duration::from_secs(15 * 24 * 3600),
            event_registration_retention: Duration::from_secs(89 * 24 * 3600),
            prize_delivery_retention: Duration::from_secs(PRIZE_DELIVERY_MAX_DAYS * 24 * 3600),
            beta_application_retention: Duration::from_secs(90 * 24 * 3600),
            purge_interval: Duration::from_secs(3600),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            public_url: None,
            trust_forwarded_for: false,
            trusted_proxies: 1,
            log_format: "pretty".into(),
            rate_limits: ActionClass::defaults(),
            membership_levels: vec![0, 50, 200, 500, 1_000, 2_000, 5_000, 10_000],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, then `agora.toml` (or `AGORA_CONFIG`), then `AGORA_*`.
    /// Nested keys use a double underscore: `AGORA_RATE_LIMITS__LOGIN_IP=20/1m`.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var("AGORA_CONFIG").unwrap_or_else(|_| "agora.toml".into());
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed("AGORA_").split("__")),
        )
    }

    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let mut config: Config = figment.extract().map_err(Box::new)?;
        for (class, spec) in ActionClass::defaults() {
            config.rate_limits.entry(class).or_insert(spec);
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.prize_delivery_retention > Duration::from_secs(PRIZE_DELIVERY_MAX_DAYS * 24 * 3600)
        {
            return Err(ConfigError::Invalid(format!(
                "AGORA_PRIZE_DELIVERY_RETENTION may be at most {PRIZE_DELIVERY_MAX_DAYS} days (the notice promises it)"
            )));
        }
        let levels = &self.membership_levels;
        if levels.first() != Some(&0) || levels.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ConfigError::Invalid(
                "AGORA_MEMBERSHIP_LEVELS must start at 0 and rise, e.g. [0, 50, 200]".into(),
            ));
        }
        // The catalog promises three months at most (`P3M`): 89 days are
        // within three months whatever the month the event ends in.
        if self.event_registration_retention > Duration::from_secs(89 * 24 * 3600) {
            return Err(ConfigError::Invalid(
                "AGORA_EVENT_REGISTRATION_RETENTION may be at most three months (the notice promises it)".into(),
            ));
        }
        if self.beta_application_retention > Duration::from_secs(90 * 24 * 3600) {
            return Err(ConfigError::Invalid(
                "AGORA_BETA_APPLICATION_RETENTION may be at most 90 days (the notice promises it)"
                    .into(),
            ));
        }
        if self.sms_sender != "log" {
            if self.sms_test_code.is_some() {
                return Err(ConfigError::Invalid(
                    "AGORA_SMS_TEST_CODE works only with the `log` SMS sender".into(),
                ));
            }
            return Err(ConfigError::Invalid(format!(
                "unknown SMS sender `{}` (known: log)",
                self.sms_sender
            )));
        }
        if let Some(code) = &self.sms_test_code {
            let code = code.expose();
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::Invalid(
                    "AGORA_SMS_TEST_CODE must be six digits".into(),
                ));
            }
        }
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            return Err(ConfigError::Invalid(
                "AGORA_LOG_FORMAT is pretty or json".into(),
            ));
        }
        Ok(())
    }

    /// The database URL in force: the configured one or SQLite in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("agora.db").display()
            ),
        }
    }

    /// The public URL of a media object.
    pub fn media_url(&self, key: &str) -> String {
        let base = self
            .public_url
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/');
        format!("{base}/media/{key}")
    }
}

#[cfg(test)]
// figment's own error type is large; that is its business.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "agora.toml",
                r#"
                listen = "127.0.0.1:9000"
                json_body_limit = 2048
                [rate_limits]
                login_ip = "20/1m"
                "#,
            )?;
            jail.set_env("AGORA_LISTEN", "0.0.0.0:9999");
            jail.set_env("AGORA_RATE_LIMITS__SMS_IP", "3/1h");
            jail.set_env("AGORA_SESSION_TTL", "2s");
            let config = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(config.listen.to_string(), "0.0.0.0:9999");
            assert_eq!(config.json_body_limit, 2048);
            assert_eq!(config.session_ttl, Duration::from_secs(2));
            let limits = &config.rate_limits;
            assert_eq!(limits[&ActionClass::LoginIp].count, 20);
            assert_eq!(limits[&ActionClass::SmsIp].count, 3);
            assert_eq!(
                limits[&ActionClass::SmsIp].period,
                Duration::from_secs(3600)
            );
            // Classes nobody configured keep their defaults.
            assert_eq!(limits[&ActionClass::LoginAccount].count, 5);
            Ok(())
        });
    }

    #[test]
    fn nothing_configured_means_sqlite_in_the_data_dir() {
        figment::Jail::expect_with(|_| {
            let config = Config::load().map_err(|e| e.to_string())?;
            assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
            assert!(config
                .database_url()
                .starts_with("sqlite://./data/agora.db"));
            assert!(config.redis_url.is_none());
            Ok(())
        });
    }

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }

    #[test]
    fn bad_values_are_refused_at_start() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AGORA_RATE_LIMITS__LOGIN_IP", "lots");
            assert!(Config::load().is_err());
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            jail.set_env("AGORA_SMS_TEST_CODE", "12ab");
            assert!(Config::load().is_err());
            Ok(())
        });
    }
}
