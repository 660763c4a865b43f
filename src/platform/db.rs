//! The relational database: SQLite by default, PostgreSQL when configured.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
};

use crate::config::Config;

/// Opens the pool. SQLite gets WAL, foreign keys and `secure_delete` on
/// every connection, so that deleted rows are overwritten on disk.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
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
    if let Some(schema) = &config.database_schema {
        options.set_schema_search_path(schema.clone());
    }
    let db = Database::connect(options).await?;
    Ok(db)
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
