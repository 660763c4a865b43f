//! The copies kept for anonymous readers (a post, the first page of each
//! feed, the circle list): every write shows on the very next read, and
//! what an erasure removes leaves every copy with it.
use serde_json::{json, Value};

use crate::helpers::{
    deregister_and_purge, generous_limits, items_of, short_cooling_off, spawn_app_with, HasId,
    TestApp,
};

/// What an anonymous reader is sent for `path` (200 expected).
async fn anon(app: &TestApp, path: &str) -> Value {
    app.get_json(path).await
}

fn item<'a>(page: &'a Value, id: &str) -> Option<&'a Value> {
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["id"] == id))
}

/// Each cached read of `post` (in `circle`): the post, the plaza's first
/// page in both orders and the circle's.
async fn copies(app: &TestApp, post: &str, circle: &str) -> Vec<Value> {
    let mut seen = vec![anon(app, &format!("/posts/{post}")).await];
    for path in [
        "/plaza".to_owned(),
        "/plaza?sort=new".to_owned(),
        format!("/circles/{circle}/posts"),
    ] {
        let page = anon(app, &path).await;
        seen.push(item(&page, post).cloned().unwrap_or(Value::Null));
    }
    seen
}

async fn circle_row(app: &TestApp, circle: &str) -> Value {
    let page = anon(app, "/circles").await;
    item(&page, circle).cloned().expect("the circle is listed")
}

#[tokio::test]
async fn every_cached_read_shows_a_write_on_the_next_read() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let circle = app.create_circle(&admin, "Xiaomi 15", "product").await.id();
    let author = app.register().await;
    let fan = app.register().await;
    let post = app
        .create_post(&author, Some(&circle), "夜景样张", "body")
        .await
        .id();
    // Every copy is made, then every write below must reach all of them.
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["title"], "夜景样张");
        assert_eq!(copy["like_count"], 0);
    }
    assert_eq!(circle_row(&app, &circle).await["post_count"], 1);

    app.like(&fan, &post).await;
    app.comment(&fan, &post, "好看").await;
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["like_count"], 1, "{copy}");
        assert_eq!(copy["comment_count"], 1, "{copy}");
        assert_eq!(
            copy["liked_by_me"], false,
            "anonymous readers liked nothing"
        );
    }

    let resp = app
        .edit_post(&author, &post, json!({ "title": "夜景样张 (修订)" }))
        .await;
    assert_eq!(resp.status(), 200);
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["title"], "夜景样张 (修订)", "{copy}");
    }

    let resp = app
        .update_profile(&author, json!({ "nickname": "新名字" }))
        .await;
    assert_eq!(resp.status(), 200);
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["author"]["nickname"], "新名字", "{copy}");
    }

    app.join_circle(&fan, &circle).await;
    assert_eq!(circle_row(&app, &circle).await["member_count"], 1);
    app.leave_circle(&fan, &circle).await;
    assert_eq!(circle_row(&app, &circle).await["member_count"], 0);

    let second = app
        .create_post(&author, Some(&circle), "second", "body")
        .await
        .id();
    assert_eq!(circle_row(&app, &circle).await["post_count"], 2);
    anon(&app, &format!("/posts/{second}")).await;
    assert_eq!(app.delete_post(&author, &second).await.status(), 204);
    let resp = app.get_anon(&format!("/posts/{second}")).await;
    assert_eq!(resp.status(), 404, "a deleted post's copy went with it");
    assert_eq!(circle_row(&app, &circle).await["post_count"], 1);

    let moderator = app.moderator().await;
    app.moderate(&moderator, "posts", &post, "hide").await;
    let resp = app.get_anon(&format!("/posts/{post}")).await;
    assert_eq!(resp.status(), 404, "a hidden post's copy went with it");
    for copy in copies_without_post(&app, &circle).await {
        assert!(item(&copy, &post).is_none(), "a hidden post stays listed");
    }
}

/// The pages only, for a post that no longer reads.
async fn copies_without_post(app: &TestApp, circle: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    for path in [
        "/plaza".to_owned(),
        "/plaza?sort=new".to_owned(),
        format!("/circles/{circle}/posts"),
    ] {
        pages.push(anon(app, &path).await);
    }
    pages
}

#[tokio::test]
async fn the_shared_first_page_marks_only_my_own_likes() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let fan = app.register().await;
    let liked = app.create_post(&author, None, "liked", "b").await.id();
    let other = app.create_post(&author, None, "other", "b").await.id();
    // Cached first by an anonymous read, then served to each viewer.
    anon(&app, "/plaza?sort=new").await;
    app.like(&fan, &liked).await;
    let page = app.get_json_as(&fan, "/plaza?sort=new").await;
    assert_eq!(item(&page, &liked).unwrap()["liked_by_me"], true);
    assert_eq!(item(&page, &other).unwrap()["liked_by_me"], false);
    let page = app.get_json_as(&author, "/plaza?sort=new").await;
    assert!(items_of(&page).iter().all(|p| p["liked_by_me"] == false));
    let page = anon(&app, "/plaza?sort=new").await;
    assert!(items_of(&page).iter().all(|p| p["liked_by_me"] == false));
}

#[tokio::test]
async fn an_erased_authors_name_leaves_every_cached_copy() {
    let app = spawn_app_with(short_cooling_off).await;
    let admin = app.admin().await;
    let circle = app.create_circle(&admin, "Redmi", "product").await.id();
    let author = app
        .register_phone(&crate::helpers::new_phone(), "将被抹去")
        .await;
    let post = app
        .create_post(&author, Some(&circle), "kept, anonymised", "b")
        .await
        .id();
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["author"]["nickname"], "将被抹去");
    }
    deregister_and_purge(&app, &author, "account", "anonymize").await;
    for copy in copies(&app, &post, &circle).await {
        assert_eq!(copy["title"], "kept, anonymised", "{copy}");
        assert!(
            copy.get("author").is_none(),
            "the author survived in {copy}"
        );
        assert!(!copy.to_string().contains("将被抹去"));
    }
}

#[tokio::test]
async fn a_public_profile_shows_each_change_on_the_next_read_and_goes_with_the_account() {
    let app = spawn_app_with(short_cooling_off).await;
    let admin = app.admin().await;
    let user = app
        .register_phone(&crate::helpers::new_phone(), "旧名")
        .await;
    let path = format!("/users/{}", user.id);
    assert_eq!(anon(&app, &path).await["nickname"], "旧名");
    let changes = json!({ "nickname": "新名", "signature": "夜拍" });
    assert_eq!(app.update_profile(&user, changes).await.status(), 200);
    let profile = anon(&app, &path).await;
    assert_eq!(profile["nickname"], "新名");
    assert_eq!(profile["signature"], "夜拍");
    let resp = app.grant_role(&admin, &user.id, "moderator").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(anon(&app, &path).await["role"], "moderator");
    // A service deregistration closes the community profile.
    deregister_and_purge(&app, &user, "service", "delete").await;
    let resp = app.get_anon(&path).await;
    assert_eq!(resp.status(), 404, "the closed profile's copy survived");
}

#[tokio::test]
async fn a_later_page_read_again_by_its_cursor_shows_each_write() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let fan = app.register().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            app.create_post(&author, None, &format!("p{i}"), "b")
                .await
                .id(),
        );
    }
    // Newest first: page 2 of 2 per page holds p2 and p1.
    let first = anon(&app, "/plaza?sort=new&limit=2").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let path = format!("/plaza?sort=new&limit=2&cursor={cursor}");
    let titles = |page: &Value| -> Vec<String> {
        items_of(page)
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&anon(&app, &path).await), ["p2", "p1"]);
    app.like(&fan, &ids[2]).await;
    let page = anon(&app, &path).await;
    assert_eq!(item(&page, &ids[2]).unwrap()["like_count"], 1);
    let page = app.get_json_as(&fan, &path).await;
    assert_eq!(item(&page, &ids[2]).unwrap()["liked_by_me"], true);
    let resp = app
        .edit_post(&author, &ids[1], json!({ "title": "p1 改" }))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(titles(&anon(&app, &path).await), ["p2", "p1 改"]);
    assert_eq!(app.delete_post(&author, &ids[2]).await.status(), 204);
    assert_eq!(titles(&anon(&app, &path).await), ["p1 改", "p0"]);
}
