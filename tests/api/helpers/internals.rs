//! Every call the suite makes into agora's internals rather than its API,
//! in one place, so that moving an internal means fixing one line here.
use agora::{community::seed, rights::purge, search};

use super::{TestApp, TestUser};

pub use agora::community::seed::DEMO_PASSWORD;
pub use agora::{community::seed::Seeded, rights::purge::PurgeReport};

/// The notice version this build publishes.
pub fn notice_version() -> &'static str {
    agora::openapi::notice_version()
}

/// Makes `user`'s accepted notice an older one whose essentials differ, as
/// if the notice had changed since they accepted it.
pub async fn outdate_notice(app: &TestApp, user: &TestUser) {
    use sea_orm::ConnectionTrait;
    let now = chrono::Utc::now().to_rfc3339();
    let cast = super::timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "INSERT INTO notice_versions (version, essential_hash, published_at) VALUES ('old-one', 'different', '{now}'{cast}) ON CONFLICT DO NOTHING"
        ))
        .await
        .unwrap();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE users SET accepted_notice_version = 'old-one' WHERE id = '{}'",
            user.id
        ))
        .await
        .unwrap();
}

/// Runs the purge once (deregistrations and retention rules).
pub async fn run_purge(app: &TestApp) -> PurgeReport {
    purge::run(&app.state, &app.registries).await.unwrap()
}

/// Applies the search outbox now instead of waiting for the worker's next
/// tick; returns how many updates it applied.
pub async fn drain_outbox(app: &TestApp) -> usize {
    search::outbox::drain(&app.state).await.unwrap()
}

/// Rebuilds the search index from the database; returns how many documents.
pub async fn reindex(app: &TestApp) -> usize {
    search::outbox::reindex(&app.state)
        .await
        .unwrap()
        .expect("the test's own server lets its state take the outbox")
}

/// Empties the search index behind the outbox's back.
pub async fn clear_index(app: &TestApp) {
    app.state.search.clear().await.unwrap();
}

/// Fills the database with the demo plaza; an error when it is not empty.
pub async fn seed_demo(app: &TestApp) -> anyhow::Result<Seeded> {
    seed::seed_demo(&app.state).await
}

/// Records a search in `user`'s history as the search endpoint would.
pub async fn record_search(app: &TestApp, user: &TestUser, query: &str) {
    search::history::record(&app.state.db, &user.id, query)
        .await
        .unwrap();
}

/// `n` new users, made as registration makes them (their account consent
/// recorded, their profile indexed) but without the SMS step and with one
/// password hash for all: for tests that need a crowd.
pub async fn many_users(app: &TestApp, n: usize) -> Vec<TestUser> {
    use agora::identity::{
        accounts::{open_account, NewAccount},
        password::{self, Password},
        phone::Phone,
        profiles::Nickname,
        sessions,
    };
    use sea_orm::TransactionTrait;
    let account = agora::privacy::catalog::purpose("account").unwrap();
    let hash = password::hash(Password::parse(super::PASSWORD).unwrap())
        .await
        .unwrap();
    let mut users = Vec::with_capacity(n);
    for _ in 0..n {
        let phone = super::new_phone();
        let new = NewAccount {
            phone: Phone::parse(&phone).unwrap(),
            nickname: Nickname::parse("crowd").unwrap(),
            accepted_notice_version: notice_version().into(),
            consents: vec![account],
        };
        let txn = app.state.db.begin().await.unwrap();
        let user = open_account(&app.state, &txn, new, hash.clone())
            .await
            .unwrap();
        let ttl = sessions::ttl(&app.state);
        let issued = sessions::create(&txn, &user.id, Default::default(), ttl)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        users.push(TestUser {
            id: user.id,
            phone,
            token: issued.token,
        });
    }
    users
}
