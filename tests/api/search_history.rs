//! Search history: kept only with its grant, capped, deletable, and gone
//! with the grant.
use crate::helpers::{
    assert_problem, generous_limits, items_of, q, record_search, spawn_app, spawn_app_with,
    TestApp, TestUser,
};

/// The queries of `user`'s history, newest first.
async fn queries(app: &TestApp, user: &TestUser) -> Vec<String> {
    history(app, user, "/me/search-history").await
}

async fn history(app: &TestApp, user: &TestUser, path: &str) -> Vec<String> {
    items_of(&app.get_json_as(user, path).await)
        .iter()
        .map(|e| e["query"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_history_is_kept_only_with_its_grant() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let search = |text: &str| {
        let path = format!("/search?{}", q(text));
        let (app, user) = (&app, &user);
        async move { app.get_as(user, &path).await }
    };
    assert_eq!(search("小米 手环").await.status(), 200);
    assert!(
        queries(&app, &user).await.is_empty(),
        "nothing kept without the grant"
    );
    app.set_consent(&user, "search_history", true).await;
    search("小米 手环").await;
    search("redmi").await;
    assert_eq!(queries(&app, &user).await, ["redmi", "小米 手环"]);
    // A HEAD (a client probing the route) records nothing.
    let probe = app
        .send_as(
            &user,
            reqwest::Method::HEAD,
            &format!("/search?{}", q("probe")),
        )
        .await;
    assert_eq!(probe.status(), 200);
    assert_eq!(queries(&app, &user).await, ["redmi", "小米 手环"]);
    app.set_consent(&user, "search_history", false).await;
    search("after withdrawal").await;
    assert!(queries(&app, &user).await.is_empty());
}

#[tokio::test]
async fn withdrawing_search_history_deletes_the_history() {
    let app = spawn_app().await;
    let user = app.register().await;
    assert_eq!(
        app.set_consent(&user, "search_history", true)
            .await
            .status(),
        200
    );
    for q in ["小米 14", "手机", "小米 14", "camera"] {
        record_search(&app, &user, q).await;
    }
    let list = items_of(&app.get_json_as(&user, "/me/search-history").await);
    let queries: Vec<&str> = list.iter().map(|e| e["query"].as_str().unwrap()).collect();
    assert_eq!(
        queries,
        ["camera", "小米 14", "手机"],
        "newest first, deduplicated"
    );

    let entry = |i: usize| format!("/me/search-history/{}", list[i]["id"].as_str().unwrap());
    assert_eq!(app.delete_as(&user, &entry(0)).await.status(), 204);
    let other = app.register().await;
    assert_problem(app.delete_as(&other, &entry(1)).await, 404, "not_found").await;

    assert_eq!(
        app.set_consent(&user, "search_history", false)
            .await
            .status(),
        200
    );
    let kept = format!(
        "SELECT COUNT(*) FROM search_history WHERE user_id = '{}'",
        user.id
    );
    assert_eq!(app.sql_count(&kept).await, 0);
}

#[tokio::test]
async fn only_the_last_hundred_searches_are_kept() {
    let app = spawn_app().await;
    let user = app.register().await;
    for i in 0..103 {
        record_search(&app, &user, &format!("query {i}")).await;
    }
    let all = "SELECT COUNT(*) FROM search_history";
    assert_eq!(app.sql_count(all).await, 100);
    let newest = history(&app, &user, "/me/search-history?limit=1").await;
    assert_eq!(newest[0], "query 102");
    assert_eq!(
        app.delete_as(&user, "/me/search-history").await.status(),
        204
    );
    assert_eq!(app.sql_count(all).await, 0);
}
