//! Feeds: paging that neither skips nor repeats, the cached first page,
//! and circles boosted for users who asked for recommendations.
use crate::helpers::{generous_limits, ids_of, items_of, spawn_app_with, HasId, TestApp};

/// The ids of up to `pages` plaza pages of `limit`, running `between`
/// after each page.
async fn collect(
    app: &TestApp,
    sort: &str,
    limit: usize,
    pages: usize,
    between: impl AsyncFnMut(),
) -> Vec<String> {
    let mut between = between;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        let mut path = format!("/plaza?sort={sort}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get_json(&path).await;
        seen.extend(ids_of(&items_of(&page)));
        between().await;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn feed_pages_neither_skip_nor_repeat_when_posts_arrive_between_them() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let mut originals = Vec::new();
    for i in 0..25 {
        let title = format!("post {i}");
        let post = app.create_post(&author, None, &title, "正文 body").await;
        originals.push(post.id());
    }
    for sort in ["new", "hot"] {
        let seen = collect(&app, sort, 10, 10, async || {
            app.create_post(&author, None, "arrived late", "正文 body")
                .await;
        })
        .await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort}: a post repeated");
        for id in &originals {
            assert!(seen.contains(id), "{sort}: post {id} was skipped");
        }
    }
}

#[tokio::test]
async fn the_cached_first_page_shows_my_new_post_and_new_likes_at_once() {
    let app = spawn_app_with(generous_limits).await;
    let me = app.register().await;
    let fan = app.register().await;
    let first = app.create_post(&me, None, "one", "b").await.id();
    assert_eq!(app.plaza_ids(Some(&me), "").await, [first.as_str()]);
    let second = app.create_post(&me, None, "two", "b").await.id();
    assert_eq!(
        app.plaza_ids(Some(&me), "?sort=new").await,
        [second.clone(), first.clone()]
    );
    assert_eq!(
        app.plaza_ids(Some(&me), "").await.len(),
        2,
        "the cached hot page was invalidated"
    );
    // liked_by_me is per viewer even though the page is shared.
    app.try_like(&fan, &first).await;
    let page = app.get_json_as(&fan, "/plaza?sort=new").await;
    let liked: Vec<bool> = items_of(&page)
        .iter()
        .map(|p| p["liked_by_me"].as_bool().unwrap())
        .collect();
    assert_eq!(liked, [false, true]);
    assert_eq!(page["items"][1]["like_count"], 1);
    let page = app.get_json_as(&me, "/plaza?sort=new").await;
    assert_eq!(page["items"][1]["liked_by_me"], false);
}

#[tokio::test]
async fn joined_circles_are_boosted_only_for_users_who_granted_recommendations() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let cid = app
        .create_circle_described(&admin, "Redmi", "product", "")
        .await
        .id();
    let author = app.register().await;
    let in_circle = app
        .create_post(&author, Some(&cid), "circle post", "b")
        .await
        .id();
    let plaza_post = app.create_post(&author, None, "plaza post", "b").await.id();
    let fan = app.register().await;
    let other = app.register().await;
    for u in [&fan, &other] {
        app.put_as(u, &format!("/circles/{cid}/membership")).await;
    }
    let normal = vec![plaza_post.clone(), in_circle.clone()];
    assert_eq!(app.plaza_ids(Some(&fan), "").await, normal);
    app.set_consent(&fan, "personalized_recommendations", true)
        .await;
    assert_eq!(
        app.plaza_ids(Some(&fan), "").await,
        [in_circle.clone(), plaza_post.clone()]
    );
    assert_eq!(
        app.plaza_ids(Some(&other), "").await,
        normal,
        "others get the same plaza"
    );
    assert_eq!(app.plaza_ids(None, "").await, normal);
    // Paging the boosted feed neither skips nor repeats.
    let page = app.get_json_as(&fan, "/plaza?limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app
        .get_json_as(&fan, &format!("/plaza?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(next["items"][0]["id"], plaza_post.as_str());
    app.set_consent(&fan, "personalized_recommendations", false)
        .await;
    assert_eq!(
        app.plaza_ids(Some(&fan), "").await,
        normal,
        "withdrawal applies at once"
    );
}
