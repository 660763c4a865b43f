//! Search over posts, profiles and circles: tokenizing Chinese and
//! English, what drops out, bad input, outages, reindexing and typos.
use sea_orm::ConnectionTrait;

use crate::helpers::{
    assert_invalid, assert_problem, captured_logs, clear_index, fields, generous_limits, meili_url,
    new_phone, q, reindex, skip, spawn_app_with, sync, timestamp_cast, HasId,
};

#[tokio::test]
async fn chinese_queries_find_chinese_posts_and_english_ones_english_posts() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let zh = app
        .create_post(
            &user,
            None,
            "小米14 拍照体验",
            "这台手机的徕卡镜头在夜景下表现很好。",
        )
        .await
        .id();
    let en = app
        .create_post(
            &user,
            None,
            "Battery life of the Redmi Note",
            "Two days on one charge, fast charging is great.",
        )
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("小米")).await, [zh.as_str()]);
    assert_eq!(app.search_ids(&q("手机")).await, [zh.as_str()]);
    assert_eq!(app.search_ids(&q("夜景")).await, [zh.as_str()]);
    assert_eq!(
        app.search_ids(&q("battery")).await,
        [en.as_str()],
        "case does not matter"
    );
    assert_eq!(app.search_ids(&q("Redmi charging")).await, [en.as_str()]);
    let hits = app.search(&q("徕卡")).await;
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("<b>徕卡</b>"),
        "{hits:?}"
    );
    assert_eq!(hits[0]["type"], "post");
}

#[tokio::test]
async fn hidden_and_deleted_posts_drop_out_of_search() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let moderator = app.moderator().await;
    let hidden = app
        .create_post(&user, None, "spam 广告", "buy now 广告")
        .await
        .id();
    let deleted = app
        .create_post(&user, None, "oops 广告", "posted by mistake")
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("广告")).await.len(), 2);
    app.moderate(&moderator, "posts", &hidden, "hide").await;
    app.delete_post(&user, &deleted).await;
    sync(&app).await;
    assert!(app.search_ids(&q("广告")).await.is_empty());
    // Restored, it comes back.
    app.moderate(&moderator, "posts", &hidden, "restore").await;
    sync(&app).await;
    assert_eq!(app.search_ids(&q("广告")).await, [hidden]);
}

#[tokio::test]
async fn users_and_circles_are_searchable_and_posts_filter_by_circle() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let cid = app
        .create_circle_described(&admin, "摄影俱乐部", "club", "Photography club")
        .await
        .id();
    let user = app.register_phone(&new_phone(), "夜景达人").await;
    let inside = app
        .create_post(&user, Some(&cid), "夜景 in the club", "b")
        .await
        .id();
    app.create_post(&user, None, "夜景 outside", "b").await;
    sync(&app).await;
    assert_eq!(
        app.search_ids(&format!("{}&type=circles", q("摄影"))).await,
        [cid.as_str()]
    );
    assert_eq!(
        app.search_ids(&format!("{}&type=users", q("夜景达人")))
            .await,
        [user.id.as_str()]
    );
    assert_eq!(
        app.search_ids(&format!("{}&circle_id={cid}", q("夜景")))
            .await,
        [inside]
    );
    assert_eq!(app.search_ids(&q("夜景")).await.len(), 2);
}

#[tokio::test]
async fn bad_search_input_is_named() {
    let app = spawn_app_with(generous_limits).await;
    for (query, field) in [
        ("q=".to_owned(), "q"),
        ("q=%20%20".to_owned(), "q"),
        (format!("q={}", "a".repeat(201)), "q"),
        ("q=x&type=recipes".to_owned(), "type"),
        ("q=x&type=comment".to_owned(), "type"),
        ("q=x&cursor=bogus".to_owned(), "cursor"),
    ] {
        let problem = assert_problem(
            app.get_anon(&format!("/search?{query}")).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(fields(&problem), [field], "{query}");
    }
    assert_invalid(app.get_anon("/search").await, "q", None).await;
}

#[tokio::test]
async fn the_outbox_keeps_updates_through_an_index_outage_and_catches_up() {
    if meili_url().is_some() {
        return skip(
            "search::the_outbox_keeps_updates_through_an_index_outage_and_catches_up",
            "this outage is made by locking the embedded index; Meilisearch outages: when_the_search_engine_is_down_* and search_engine::a_search_engine_that_never_answers_*",
        );
    }
    let app = spawn_app_with(generous_limits).await;
    // Another writer holds the index: the engine is unavailable to agora.
    let index = tantivy::Index::open_in_dir(app.data_dir.path().join("search")).unwrap();
    let blocker: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let user = app.register().await;
    let id = app
        .create_post(
            &user,
            None,
            "outage 测试",
            "written while the index was down",
        )
        .await
        .id();
    sync(&app).await;
    assert!(app.search_ids(&q("outage")).await.is_empty());
    assert!(
        app.count("search_outbox").await >= 2,
        "the updates wait in the outbox"
    );
    // The engine comes back; the retry is due.
    drop(blocker);
    let now = chrono::Utc::now().to_rfc3339();
    let cast = timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE search_outbox SET next_attempt_at = '{now}'{cast}"
        ))
        .await
        .unwrap();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("outage")).await, [id]);
    assert_eq!(app.count("search_outbox").await, 0);
}

#[tokio::test]
async fn reindex_rebuilds_the_index_from_the_database() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let id = app
        .create_post(&user, None, "重建索引", "reindex me")
        .await
        .id();
    sync(&app).await;
    clear_index(&app).await;
    assert!(app.search_ids(&q("reindex")).await.is_empty());
    let count = reindex(&app).await;
    assert!(count >= 2);
    assert_eq!(app.search_ids(&q("reindex")).await, [id]);
}

#[tokio::test]
async fn when_the_search_engine_is_down_search_is_503_and_the_rest_keeps_working() {
    let app = spawn_app_with(|c| {
        generous_limits(c);
        c.meili_url = Some("http://127.0.0.1:1".into());
    })
    .await;
    let problem = assert_problem(app.get_root("/readyz").await, 503, "unavailable").await;
    assert_eq!(problem["checks"]["search"], "down");
    assert_eq!(problem["checks"]["search_kind"], "meilisearch");
    assert_problem(
        app.get_anon(&format!("/search?{}", q("小米"))).await,
        503,
        "unavailable",
    )
    .await;
    // Everything else works, and the index updates wait in the outbox.
    let user = app.register().await;
    app.create_post(&user, None, "written during the outage", "b")
        .await;
    assert_eq!(app.get_anon("/plaza").await.status(), 200);
    sync(&app).await;
    assert!(app.count("search_outbox").await >= 2);
}

#[tokio::test]
async fn meilisearch_adapter_suite_runs_when_configured() {
    if meili_url().is_none() {
        return skip(
            "search::meilisearch_adapter_suite_runs_when_configured",
            "needs AGORA_TEST_MEILI_URL (and AGORA_TEST_MEILI_KEY) to run the search suite against Meilisearch",
        );
    }
    // With it set, every search test above runs against Meilisearch; this
    // one checks that the engine in use really is Meilisearch.
    let app = spawn_app_with(generous_limits).await;
    let body = crate::helpers::json_of(app.get_root("/readyz").await).await;
    assert_eq!(body["checks"]["search_kind"], "meilisearch");
}

#[tokio::test]
async fn a_typo_in_a_longer_english_word_still_finds_the_post() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let id = app
        .create_post(&user, None, "Battery report", "Charging overnight is fine")
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("batery")).await, [id.as_str()]);
    assert_eq!(
        app.search_ids(&q("chargign")).await,
        [id.as_str()],
        "a swapped pair counts as one edit"
    );
    assert!(app.search_ids(&q("xyzzy")).await.is_empty());
}

#[tokio::test]
async fn an_outbox_row_that_cannot_be_applied_waits_without_holding_up_the_rest() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    sync(&app).await;
    // A row no version of agora knows how to apply (written by a newer
    // release, say), queued before the next real change.
    let now = chrono::Utc::now().to_rfc3339();
    let cast = timestamp_cast();
    let poisoned = uuid::Uuid::now_v7().to_string();
    app.state
        .db
        .execute_unprepared(&format!(
            "INSERT INTO search_outbox (id, kind, doc_id, attempts, next_attempt_at, created_at) \
             VALUES ('{poisoned}', 'gadget', 'g-1', 0, '{now}'{cast}, '{now}'{cast})"
        ))
        .await
        .unwrap();
    let post = app
        .create_post(&user, None, "Queued behind a stranger", "zephyrine lantern")
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("zephyrine")).await, [post.as_str()]);
    // The unknown row is neither applied nor silently dropped: it waits
    // its backoff, and the log says why.
    let waiting = app
        .sql_count(&format!(
            "SELECT CAST(attempts AS BIGINT) AS n FROM search_outbox WHERE id = '{poisoned}'"
        ))
        .await;
    assert!(waiting >= 1, "the failed attempt is counted");
    assert!(captured_logs().contains("unknown document kind"));
}
