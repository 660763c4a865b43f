//! The relational database: SQLite by default, PostgreSQL when configured.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::{
        postgres::{PgConnectOptions, PgSslMode},
        sqlite::{SqliteJournalMode, SqliteSynchronous},
    },
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
};

use super::tls::{is_local, TlsSettings, TlsState};
use crate::config::Config;

/// Opens the pool. SQLite gets WAL, foreign keys and `secure_delete` on
/// every connection, so that deleted rows are overwritten on disk.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let tls = TlsSettings::from_config(config)?;
    Ok(connect_with(config, &tls).await?.0)
}

/// [`connect`], with what protects the wire. PostgreSQL's `sslmode` and
/// `sslrootcert` come from its URL as with libpq (`AGORA_TLS_CA_FILE` when
/// neither the URL nor `PGSSLROOTCERT` names a root certificate). The state
/// follows from the mode, decided before anything is sent: `verify-full`
/// is verified; `require` and `verify-ca` are encrypted but unverified
/// (sqlx trusts the public roots beside `sslrootcert`, so a chain alone
/// proves little without the name); `disable` and `allow` are clear text,
/// refused for a remote server unless plaintext is allowed. `prefer`, the
/// default, becomes `require` for a remote server (no silent fall-back to
/// clear text, connection after connection); for this machine's own
/// server it is whatever the server offered.
pub async fn connect_with(
    config: &Config,
    tls: &TlsSettings,
) -> anyhow::Result<(DatabaseConnection, TlsState)> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let postgres = postgres_wire(&url)?;
    // The state known before connecting; `None`: a local `prefer`.
    let planned = match &postgres {
        None => Some(TlsState::Embedded),
        Some((host, mode)) => match mode {
            PgSslMode::Disable | PgSslMode::Allow => Some(TlsState::Off),
            PgSslMode::Prefer if is_local(host) => None,
            PgSslMode::Prefer | PgSslMode::Require | PgSslMode::VerifyCa => {
                Some(TlsState::Unverified)
            }
            PgSslMode::VerifyFull => Some(TlsState::Verified),
        },
    };
    if let (Some((host, _)), Some(state)) = (&postgres, planned) {
        tls.admit("PostgreSQL", host, state)?;
    }
    let upgrade = matches!(&postgres, Some((_, PgSslMode::Prefer))) && planned.is_some();
    let ca = tls
        .ca_pem
        .clone()
        .filter(|_| !names_root_cert(&url) && std::env::var_os("PGSSLROOTCERT").is_none());
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("secure_delete", "ON")
                .create_if_missing(true)
        });
    if ca.is_some() || upgrade {
        options.map_sqlx_postgres_opts(move |mut opts| {
            if upgrade {
                opts = opts.ssl_mode(PgSslMode::Require);
            }
            match &ca {
                Some(ca) => opts.ssl_root_cert_from_pem(ca.clone()),
                None => opts,
            }
        });
    }
    if let Some(schema) = &config.database_schema {
        options.set_schema_search_path(schema.clone());
    }
    let db = Database::connect(options).await?;
    let state = match planned {
        Some(state) => state,
        // This machine's server, as it sees our connection (no pooler in
        // between to confuse it on a local address).
        None if encrypted(&db).await => TlsState::Unverified,
        None => TlsState::Off,
    };
    Ok((db, state))
}

/// The host (or socket directory) and `sslmode` of a PostgreSQL URL;
/// `None` for SQLite.
fn postgres_wire(url: &str) -> anyhow::Result<Option<(String, PgSslMode)>> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        return Ok(None);
    }
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| anyhow::anyhow!("AGORA_DATABASE_URL: {e}"))?;
    let host = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => options.get_host().to_owned(),
    };
    Ok(Some((host, options.get_ssl_mode())))
}

/// The pool hot reads use. PostgreSQL: the same pool. SQLite: read-only
/// connections beside the one that writes. SQLite allows one writer; a
/// pool of several writers would fail a transaction that read and then
/// writes while another wrote ("database is locked"), so every write and
/// transaction keeps the single connection sea-orm gives SQLite, and reads
/// that need no transaction never queue behind it (WAL lets them run
/// while it writes, and each sees everything committed before it began).
pub async fn connect_readers(
    config: &Config,
    writer: &DatabaseConnection,
) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    if !is_sqlite(writer) || url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(writer.clone());
    }
    let readers = std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).max(4));
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(readers as u32)
        .map_sqlx_sqlite_opts(|opts| {
            opts.read_only(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    Ok(Database::connect(options).await?)
}

/// Whether the URL names its own root certificate, as libpq's
/// `sslrootcert` (or sqlx's spellings of it).
fn names_root_cert(url: &str) -> bool {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .any(|(key, _)| matches!(&*key, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))
}

/// Whether a connection of this pool is encrypted, as the server sees it;
/// a server that cannot say counts as clear text.
async fn encrypted(db: &DatabaseConnection) -> bool {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await;
    matches!(row, Ok(Some(r)) if r.try_get_by_index::<bool>(0).unwrap_or(false))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// A cheap round trip, for readiness.
pub async fn ping(db: &DatabaseConnection) -> bool {
    let stmt = sea_orm::Statement::from_string(db.get_database_backend(), "SELECT 1");
    db.execute_raw(stmt).await.is_ok()
}

pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// After an erasure: SQLite copies the WAL into the database file and
/// truncates it, so that no old page holding erased values stays behind
/// (`secure_delete` already zeroes freed space). Nothing to do elsewhere.
pub async fn checkpoint(db: &DatabaseConnection) -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    // A reader on another connection can keep the WAL from being reset:
    // SQLite then answers "busy" (first column 1); try again shortly.
    for _ in 0..50 {
        let row = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await?;
        let busy = row
            .map(|r| r.try_get_by_index::<i64>(0).unwrap_or(1))
            .unwrap_or(0);
        if busy == 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tracing::warn!("the SQLite write-ahead log could not be reset after an erasure");
    Ok(())
}

/// [`checkpoint`] in the background, right after an erasure that a request
/// made (a withdrawal, a recall, a deleted upload): the erased values leave
/// the write-ahead log within moments, without the request waiting.
pub fn checkpoint_soon(db: &DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(err) = checkpoint(&db).await {
            tracing::warn!(error = %format!("{err:#}"), "checkpoint after an erasure failed");
        }
    });
}
