//! Comments in search: found by their text, shown under their post, and
//! only while both are visible.
use std::time::{Duration, Instant};

use crate::helpers::{
    clear_index, generous_limits, meili_url, q, reindex, skip, spawn_app_with, sync, HasId,
    TestApp, TestUser,
};

/// `user` comments on `post`; the comment's id.
async fn comment(app: &TestApp, user: &TestUser, post: &str, body: &str) -> String {
    app.comment(user, post, body).await.id()
}

/// `user` posts on the plaza or in `circle`; the post's id.
async fn new_post(
    app: &TestApp,
    user: &TestUser,
    title: &str,
    body: &str,
    circle: Option<&str>,
) -> String {
    app.create_post(user, circle, title, body).await.id()
}

/// A search for comments.
fn comments(text: &str) -> String {
    format!("{}&type=comments", q(text))
}

#[tokio::test]
async fn chinese_and_english_comments_are_found_and_name_their_post() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let post = new_post(&app, &user, "Mi Band 8 评测", "我的使用感受", None).await;
    let zh = comment(&app, &user, &post, "这个手环的续航真的很棒").await;
    let en = comment(&app, &user, &post, "The battery lasts a whole week").await;
    sync(&app).await;

    let found = app.search(&comments("续航")).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["type"], "comment");
    assert_eq!(found[0]["id"], zh.as_str());
    assert_eq!(found[0]["post_id"], post.as_str());
    assert_eq!(found[0]["title"], "Mi Band 8 评测");
    assert!(
        found[0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<b>续航</b>"),
        "{found:?}"
    );
    let found = app.search(&comments("battery")).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["id"], en.as_str());
    assert_eq!(found[0]["post_id"], post.as_str());
    assert_eq!(found[0]["title"], "Mi Band 8 评测");

    // Comments are not posts, and a post's title does not make its
    // comments match; a post hit names itself as the post to open.
    assert!(app.search_ids(&q("battery")).await.is_empty());
    assert!(app.search_ids(&comments("评测")).await.is_empty());
    let found = app.search(&q("评测")).await;
    assert_eq!(found[0]["post_id"], post.as_str());
}

#[tokio::test]
async fn a_comment_hit_shows_its_posts_current_title() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let post = new_post(&app, &user, "First title", "b", None).await;
    comment(&app, &user, &post, "夜景 samples attached").await;
    sync(&app).await;
    let resp = app
        .edit_post(&user, &post, serde_json::json!({ "title": "Better title" }))
        .await;
    assert_eq!(resp.status(), 200);
    sync(&app).await;
    assert_eq!(
        app.search(&comments("夜景")).await[0]["title"],
        "Better title"
    );
}

#[tokio::test]
async fn hidden_and_deleted_comments_drop_out_and_restored_ones_come_back() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let moderator = app.moderator().await;
    let post = new_post(&app, &user, "a post", "b", None).await;
    let rude = comment(&app, &user, &post, "广告 rude words").await;
    let oops = comment(&app, &user, &post, "广告 by mistake").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&comments("广告")).await.len(), 2);

    app.moderate(&moderator, "comments", &rude, "hide").await;
    assert_eq!(app.delete_comment(&user, &oops).await.status(), 204);
    sync(&app).await;
    assert!(app.search_ids(&comments("广告")).await.is_empty());

    app.moderate(&moderator, "comments", &rude, "restore").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&comments("广告")).await, [rude]);
}

#[tokio::test]
async fn hiding_or_deleting_a_post_takes_its_comments_out_of_search() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let moderator = app.moderator().await;
    let post = new_post(&app, &user, "a post", "b", None).await;
    let kept = comment(&app, &user, &post, "相机 is great").await;
    let rude = comment(&app, &user, &post, "相机 is rubbish, idiot").await;
    app.moderate(&moderator, "comments", &rude, "hide").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&comments("相机")).await, [kept.as_str()]);

    app.moderate(&moderator, "posts", &post, "hide").await;
    sync(&app).await;
    assert!(app.search_ids(&comments("相机")).await.is_empty());

    // Restoring the post brings back its comments, but not the one hidden
    // on its own.
    app.moderate(&moderator, "posts", &post, "restore").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&comments("相机")).await, [kept.as_str()]);

    assert_eq!(app.delete_post(&user, &post).await.status(), 204);
    sync(&app).await;
    assert!(app.search_ids(&comments("相机")).await.is_empty());
}

#[tokio::test]
async fn the_circle_filter_applies_to_comments() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let cid = app
        .create_circle_described(&admin, "Redmi", "product", "phones")
        .await
        .id();
    let cid = cid.as_str();
    let user = app.register().await;
    let inside = new_post(&app, &user, "in the circle", "b", Some(cid)).await;
    let outside = new_post(&app, &user, "on the plaza", "b", None).await;
    let wanted = comment(&app, &user, &inside, "充电 takes an hour").await;
    comment(&app, &user, &outside, "充电 takes two hours").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&comments("充电")).await.len(), 2);
    let found = app
        .search(&format!("{}&circle_id={cid}", comments("充电")))
        .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["id"], wanted.as_str());
    assert_eq!(found[0]["circle_id"], cid);
}

#[tokio::test]
async fn reindex_brings_back_visible_comments_only() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let moderator = app.moderator().await;
    let post = new_post(&app, &user, "a post", "b", None).await;
    let kept = comment(&app, &user, &post, "重建 keeps me").await;
    let rude = comment(&app, &user, &post, "重建 drops me").await;
    app.moderate(&moderator, "comments", &rude, "hide").await;
    sync(&app).await;
    clear_index(&app).await;
    assert!(app.search_ids(&comments("重建")).await.is_empty());
    reindex(&app).await;
    assert_eq!(app.search_ids(&comments("重建")).await, [kept]);
}

/// What an older agora left in `dir`: an index with other fields, holding
/// a document the database does not have.
fn write_old_index(dir: &std::path::Path) {
    use tantivy::{doc, schema::*, Index};
    std::fs::create_dir_all(dir).unwrap();
    let mut builder = Schema::builder();
    let key = builder.add_text_field("key", STRING);
    let kind = builder.add_text_field("kind", STRING | STORED);
    let title = builder.add_text_field("title", TEXT | STORED);
    let index = Index::create_in_dir(dir, builder.build()).unwrap();
    let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
    writer
        .add_document(doc!(key => "post:ghost", kind => "post", title => "ghost"))
        .unwrap();
    writer.commit().unwrap();
}

#[tokio::test]
async fn an_index_written_with_another_schema_is_replaced_and_refilled() {
    if meili_url().is_some() {
        return skip(
            "search_comments::an_index_written_with_another_schema_is_replaced_and_refilled",
            "this is about the embedded index's files",
        );
    }
    let first = spawn_app_with(generous_limits).await;
    let user = first.register().await;
    let post = new_post(&first, &user, "升级 upgrade", "b", None).await;
    let kept = comment(&first, &user, &post, "升级 went fine").await;
    sync(&first).await;

    // The same database, started with an older agora's search directory.
    let data_dir = tempfile::tempdir().unwrap();
    write_old_index(&data_dir.path().join("search"));
    let database_url = first.config.database_url();
    let data_key = first.config.data_key.clone();
    let second = spawn_app_with(|c| {
        generous_limits(c);
        c.data_dir = data_dir.path().to_path_buf();
        c.database_url = Some(agora::config::Secret::new(database_url));
        c.data_key = data_key;
    })
    .await;

    // The worker fills the new index from the database.
    let deadline = Instant::now() + Duration::from_secs(20);
    while second.search_ids(&comments("升级")).await.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(second.search_ids(&comments("升级")).await, [kept]);
    assert_eq!(second.search_ids(&q("upgrade")).await, [post]);
    assert!(second.search_ids(&q("ghost")).await.is_empty());
}
