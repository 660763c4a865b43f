//! Likes under concurrency: every like counts once.
use futures_util::future::join_all;

use crate::helpers::{generous_limits, spawn_app_with, HasId};

#[tokio::test]
async fn a_hundred_concurrent_likes_count_a_hundred() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let pid = app
        .create_post(&author, None, "like me", "正文 body")
        .await
        .id();
    let users = join_all((0..100).map(|_| app.register())).await;
    let responses = join_all(users.iter().map(|u| app.try_like(u, &pid))).await;
    for resp in responses {
        assert_eq!(resp.status(), 200);
    }
    // The same user racing with themselves still counts once.
    let doubles = join_all((0..5).map(|_| app.try_like(&users[0], &pid))).await;
    assert!(doubles.into_iter().all(|r| r.status() == 200));
    let seen = app.get_json(&format!("/posts/{pid}")).await;
    assert_eq!(seen["like_count"], 100);
    assert_eq!(app.count("post_likes").await, 100);
}
