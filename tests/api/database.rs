//! The database: SQLite settings, cascades, and the job leases that let
//! one instance of several do a job.
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{drain_outbox, pg_url, png_bytes, skip, spawn_app, TestApp};

async fn pragma(app: &TestApp, name: &str) -> String {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|v| v.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_and_secure_delete_on_every_connection() {
    if pg_url().is_some() {
        return skip(
            "database::sqlite_runs_with_wal_foreign_keys_and_secure_delete_on_every_connection",
            "SQLite pragmas do not apply to PostgreSQL",
        );
    }
    let app = spawn_app().await;
    // Several rounds so that more than one pooled connection answers.
    for _ in 0..4 {
        assert_eq!(pragma(&app, "journal_mode").await, "wal");
        assert_eq!(pragma(&app, "foreign_keys").await, "1");
        assert_eq!(pragma(&app, "secure_delete").await, "1");
    }
}

#[tokio::test]
async fn deleting_a_user_cascades_to_sessions_and_uploads() {
    let app = spawn_app().await;
    let user = app.register().await;
    app.upload(&user, png_bytes(), "a.png").await;
    app.state
        .db
        .execute_unprepared(&format!("DELETE FROM users WHERE id = '{}'", user.id))
        .await
        .unwrap();
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(app.count("uploads").await, 0);
}

#[tokio::test]
async fn a_job_lease_is_held_by_one_instance_until_it_lapses() {
    use agora::platform::lease::acquire;
    let app = spawn_app().await;
    let db = &app.state.db;
    let ttl = std::time::Duration::from_millis(400);
    assert!(acquire(db, "test_job", "one", ttl).await.unwrap());
    assert!(!acquire(db, "test_job", "two", ttl).await.unwrap());
    // The holder renews it.
    assert!(acquire(db, "test_job", "one", ttl).await.unwrap());
    assert!(!acquire(db, "test_job", "two", ttl).await.unwrap());
    // Left unrenewed, it lapses and another instance takes it over.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(acquire(db, "test_job", "two", ttl).await.unwrap());
    assert!(!acquire(db, "test_job", "one", ttl).await.unwrap());
}

#[tokio::test]
async fn an_instance_without_the_outbox_lease_leaves_the_outbox_alone() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let hour = std::time::Duration::from_secs(3600);
    // Another instance takes the lease (from this one's worker, if need be).
    let mut taken = false;
    for _ in 0..20 {
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            "DELETE FROM job_leases",
        ))
        .await
        .unwrap();
        if agora::platform::lease::acquire(db, "search_outbox", "another", hour)
            .await
            .unwrap()
        {
            taken = true;
            break;
        }
    }
    assert!(taken);
    app.register().await;
    // Registration queued the new profile; this instance does not apply it.
    assert!(app.count("search_outbox").await >= 1);
    assert_eq!(drain_outbox(&app).await, 0);
    assert!(app.count("search_outbox").await >= 1);
}
