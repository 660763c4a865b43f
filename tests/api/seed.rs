//! `seed-demo`: a living plaza for an empty database, once.
use serde_json::json;

use crate::helpers::{items_of, q, seed_demo, spawn_app, sync, DEMO_PASSWORD};

#[tokio::test]
async fn seed_demo_fills_an_empty_database_with_a_living_plaza_once() {
    let app = spawn_app().await;
    let seeded = seed_demo(&app).await.unwrap();
    assert!(seeded.circles >= 6 && seeded.posts >= 10 && seeded.users.len() >= 10);
    let plaza = items_of(&app.get_json("/plaza?limit=50").await);
    let titles: Vec<&str> = plaza.iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), seeded.posts);
    assert!(titles.iter().any(|t| t.contains("小米")), "Chinese posts");
    assert!(
        titles.iter().any(|t| t.contains("Battery")),
        "English posts"
    );
    assert!(plaza.iter().any(|p| p["like_count"].as_i64().unwrap() > 0));
    let kinds = app.get_json("/circles?kind=city").await;
    assert!(!items_of(&kinds).is_empty());
    // A demo account can log in.
    let (phone, _) = &seeded.users[0];
    let resp = app
        .login_with(json!({ "phone": phone, "password": DEMO_PASSWORD, "consents": ["account"] }))
        .await;
    assert_eq!(resp.status(), 200);
    // Demo accounts are made like real ones: their profiles are indexed
    // through the outbox, on whichever engine (the index was empty and
    // filled at start, before the seed).
    sync(&app).await;
    let hits = app
        .search(&format!("type=users&{}", q("Tech Reviewer")))
        .await;
    assert!(
        hits.iter().any(|h| h["title"] == "Tech Reviewer"),
        "demo profile not searchable: {hits:?}"
    );
    // A second run refuses: the database is no longer empty.
    assert!(seed_demo(&app).await.is_err());
}
