//! Encryption on the wire to the backends. Each connection ends up in one
//! [`TlsState`], reported by `/readyz`; a backend reached in clear at an
//! address other than this machine is refused at start (or, when the
//! operator allows it, started with a warning naming it), and TLS without
//! certificate verification is only ever an explicit, loudly logged choice.
use std::net::IpAddr;

use anyhow::Context;
use serde::Serialize;

use crate::config::Config;

/// What protects the wire to one backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsState {
    /// In this process (SQLite, the in-process cache, the embedded index):
    /// no wire at all.
    Embedded,
    /// A wire in clear.
    Off,
    /// Encrypted, but the server's certificate is not checked.
    Unverified,
    /// Encrypted to a server whose certificate chains to a trusted CA and
    /// names the host connected to.
    Verified,
}

/// The state of each backend's wire, found while connecting.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BackendsTls {
    pub database: TlsState,
    pub cache: TlsState,
    pub search: TlsState,
}

/// The TLS settings every backend connection shares.
#[derive(Clone, Default)]
pub struct TlsSettings {
    /// CA certificates (PEM) trusted for the backends' certificates.
    pub ca_pem: Option<Vec<u8>>,
    /// Encrypt without checking certificates (self-signed development).
    pub allow_unverified: bool,
    /// Start (with a warning) when a remote backend is reached in clear.
    pub allow_plaintext: bool,
}

impl TlsSettings {
    /// Reads the CA file, refusing one that holds no certificate.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let ca_pem = match &config.tls_ca_file {
            Some(path) => {
                let pem = std::fs::read(path)
                    .with_context(|| format!("reading AGORA_TLS_CA_FILE {}", path.display()))?;
                let certs = reqwest::Certificate::from_pem_bundle(&pem)
                    .with_context(|| format!("AGORA_TLS_CA_FILE {} is not PEM", path.display()))?;
                anyhow::ensure!(
                    !certs.is_empty(),
                    "AGORA_TLS_CA_FILE {} holds no certificate",
                    path.display()
                );
                Some(pem)
            }
            None => None,
        };
        Ok(Self {
            ca_pem,
            allow_unverified: config.tls_allow_unverified,
            allow_plaintext: config.allow_plaintext_backends,
        })
    }

    /// Whether `backend` at `host` may be used with `state`: refused when
    /// its wire is in clear beyond this machine (unless allowed), and
    /// logged loudly when it is encrypted without verification. `host`
    /// names no credential; it goes into the message as it is.
    pub fn admit(&self, backend: &str, host: &str, state: TlsState) -> anyhow::Result<()> {
        match state {
            TlsState::Off if !is_local(host) => {
                if !self.allow_plaintext {
                    anyhow::bail!(
                        "{backend} at {host} is reached without TLS: personal data would cross \
                         the network in clear. Use its TLS address ({}), or set \
                         AGORA_ALLOW_PLAINTEXT_BACKENDS=true on a private network",
                        tls_hint(backend)
                    );
                }
                tracing::warn!(
                    backend,
                    host,
                    "{backend} is reached WITHOUT TLS at a remote address (AGORA_ALLOW_PLAINTEXT_BACKENDS): \
                     everything sent to it crosses the network in clear"
                );
            }
            TlsState::Unverified => tracing::warn!(
                backend,
                host,
                "{backend}: TLS WITHOUT CERTIFICATE VERIFICATION — the connection is encrypted \
                 but anyone in the path can impersonate the server; for development only"
            ),
            _ => {}
        }
        Ok(())
    }
}

fn tls_hint(backend: &str) -> &'static str {
    match backend {
        "PostgreSQL" => "sslmode=verify-full",
        "Redis" => "rediss://",
        _ => "https://",
    }
}

/// Whether `host` is this machine: a loopback name or address, or a Unix
/// socket path. Nothing sent there crosses a network.
pub fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.starts_with('/') {
        return true;
    }
    // Only the name itself: a resolver may send `*.localhost` to DNS.
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_local() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.8.9.1",
            "::1",
            "[::1]",
            "/run/pg",
        ] {
            assert!(is_local(host), "{host}");
        }
        for host in [
            "db",
            "10.0.0.5",
            "192.0.2.1",
            "example.com",
            "localhost.example.com",
            "db.localhost",
            "::2",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }

    #[test]
    fn clear_text_beyond_this_machine_is_refused_unless_allowed() {
        let strict = TlsSettings::default();
        let err = strict
            .admit("Redis", "cache.internal", TlsState::Off)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Redis at cache.internal"), "{err}");
        assert!(err.contains("rediss://"), "{err}");
        assert!(err.contains("AGORA_ALLOW_PLAINTEXT_BACKENDS"), "{err}");
        assert!(strict.admit("Redis", "127.0.0.1", TlsState::Off).is_ok());
        assert!(strict
            .admit("Meilisearch", "search.example.com", TlsState::Verified)
            .is_ok());
        let relaxed = TlsSettings {
            allow_plaintext: true,
            ..TlsSettings::default()
        };
        assert!(relaxed.admit("PostgreSQL", "db", TlsState::Off).is_ok());
    }
}
