//! The engine's failure modes, on whichever engine the run uses: a stalled
//! engine answers 503 in bounded time, a reindex never shows searches an
//! empty index; and with Meilisearch, readiness uses the key searches need,
//! and an index lost behind agora's back is restored and refilled.
use std::time::Duration;

use agora::config::Secret;

use crate::helpers::{
    assert_problem, generous_limits, json_of, meili_url, q, reindex, skip, spawn_app_with, sync,
    HasId, TestApp,
};

#[tokio::test]
async fn a_search_engine_that_never_answers_is_a_503_not_a_hang() {
    // A socket that accepts connections and never answers: a stopped engine.
    let stalled = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = stalled.local_addr().unwrap();
    let app = spawn_app_with(|c| {
        generous_limits(c);
        c.meili_url = Some(format!("http://{addr}"));
        c.meili_timeout = Duration::from_millis(300);
    })
    .await;
    // Not a speed target: only "comes back at all", far past the timeout.
    let bound = Duration::from_secs(30);
    let ready = tokio::time::timeout(bound, app.get_root("/readyz"))
        .await
        .expect("readiness hung on a stalled engine");
    let problem = assert_problem(ready, 503, "unavailable").await;
    assert_eq!(problem["checks"]["search"], "down");
    let search = tokio::time::timeout(bound, app.get_anon(&format!("/search?{}", q("小米"))))
        .await
        .expect("search hung on a stalled engine");
    assert_problem(search, 503, "unavailable").await;
    drop(stalled);
}

#[tokio::test]
async fn searches_during_a_reindex_always_find_what_was_indexed() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    for i in 0..40 {
        app.create_post(&user, None, &format!("swapword {i}"), "rebuild me")
            .await;
    }
    sync(&app).await;
    assert!(!app.search_ids(&q("swapword")).await.is_empty());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searching = {
        let (client, stop) = (app.client.clone(), stop.clone());
        let url = app.url(&format!("/search?{}", q("swapword")));
        tokio::spawn(async move {
            let (mut searches, mut empty) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                let page: serde_json::Value =
                    client.get(&url).send().await.unwrap().json().await.unwrap();
                searches += 1;
                if crate::helpers::items_of(&page).is_empty() {
                    empty += 1;
                }
            }
            (searches, empty)
        })
    };
    for _ in 0..3 {
        assert!(reindex(&app).await >= 40);
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    let (searches, empty) = searching.await.unwrap();
    assert!(searches > 0);
    assert_eq!(
        empty, 0,
        "{empty} of {searches} searches saw an empty index"
    );
}

fn meili_key() -> Option<String> {
    std::env::var("AGORA_TEST_MEILI_KEY")
        .ok()
        .filter(|k| !k.is_empty())
}

#[tokio::test]
async fn meilisearch_readiness_needs_the_key_searches_need() {
    if meili_url().is_none() || meili_key().is_none() {
        return skip(
            "search_engine::meilisearch_readiness_needs_the_key_searches_need",
            "needs AGORA_TEST_MEILI_URL and AGORA_TEST_MEILI_KEY",
        );
    }
    let app =
        spawn_app_with(|c| c.meili_key = Some(Secret::new(String::from("not-the-key")))).await;
    let problem = assert_problem(app.get_root("/readyz").await, 503, "unavailable").await;
    assert_eq!(problem["checks"]["search"], "down");
    assert_problem(
        app.get_anon(&format!("/search?{}", q("key"))).await,
        503,
        "unavailable",
    )
    .await;
}

/// Deletes the test's index behind agora's back.
async fn delete_index(app: &TestApp) {
    let url = meili_url().unwrap();
    let resp = reqwest::Client::new()
        .delete(format!("{url}/indexes/{}", app.config.meili_index))
        .bearer_auth(meili_key().unwrap_or_default())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    // The deletion is a task: wait until the index is gone.
    for _ in 0..100 {
        let status = reqwest::Client::new()
            .get(format!("{url}/indexes/{}", app.config.meili_index))
            .bearer_auth(meili_key().unwrap_or_default())
            .send()
            .await
            .unwrap()
            .status();
        if status == 404 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index was not deleted");
}

#[tokio::test]
async fn a_meilisearch_index_lost_behind_agoras_back_is_restored_and_refilled() {
    if meili_url().is_none() {
        return skip(
            "search_engine::a_meilisearch_index_lost_behind_agoras_back_is_restored_and_refilled",
            "needs AGORA_TEST_MEILI_URL",
        );
    }
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let circle_post = app
        .create_post(&user, None, "lostindex 测试", "still here")
        .await
        .id();
    sync(&app).await;
    assert_eq!(
        app.search_ids(&q("lostindex")).await,
        [circle_post.as_str()]
    );
    delete_index(&app).await;
    // A write recreates the index without its settings, as Meilisearch does.
    app.create_post(&user, None, "after the loss", "x").await;
    sync(&app).await;
    // Searches do not fail for it, readiness notices, and the worker
    // restores the settings and refills the index from the database.
    let mut found = false;
    for _ in 0..200 {
        let resp = app.get_anon(&format!("/search?{}", q("lostindex"))).await;
        assert_eq!(resp.status(), 200);
        let ids = crate::helpers::ids_of(&crate::helpers::items_of(&json_of(resp).await));
        if ids == [circle_post.as_str()] {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "the lost index was never refilled");
    let mut ready = false;
    for _ in 0..100 {
        if app.get_root("/readyz").await.status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "readiness never recovered");
}

#[tokio::test]
async fn a_query_with_no_word_finds_nothing_on_every_engine() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    app.create_post(&user, None, "punctuation post", "some words")
        .await;
    sync(&app).await;
    // Meilisearch would take these as "everything"; they name no word.
    for query in ["!!!", "。。。", "-", "+", "*", "\"\"", "?*"] {
        for kind in ["posts", "users", "circles", "comments"] {
            let resp = app
                .get_anon(&format!("/search?type={kind}&{}", q(query)))
                .await;
            assert_eq!(resp.status(), 200, "{query}");
            let page = json_of(resp).await;
            assert!(
                crate::helpers::items_of(&page).is_empty(),
                "{kind} {query}: {page}"
            );
        }
    }
    // A word beside punctuation still finds.
    assert_eq!(app.search_ids(&q("punctuation!!!")).await.len(), 1);
}

#[tokio::test]
async fn a_hit_carries_its_resource_s_own_timestamp() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let post = app.create_post(&user, None, "timestampword", "b").await;
    sync(&app).await;
    let hits = app.search(&q("timestampword")).await;
    assert_eq!(hits.len(), 1);
    let at =
        |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let shown = json_of(app.get_anon(&format!("/posts/{}", post.id())).await).await;
    assert_eq!(at(&hits[0]["created_at"]), at(&shown["created_at"]));
}

#[tokio::test]
async fn several_instances_on_an_embedded_index_are_warned_about() {
    if crate::helpers::redis_url().is_none() || meili_url().is_some() {
        return skip(
            "search_engine::several_instances_on_an_embedded_index_are_warned_about",
            "needs AGORA_TEST_REDIS_URL without AGORA_TEST_MEILI_URL (the multi-instance setup on the embedded index)",
        );
    }
    let _app = spawn_app_with(generous_limits).await;
    let logs = crate::helpers::captured_logs();
    assert!(
        logs.contains("search is the embedded index, one per instance"),
        "no warning about an embedded index shared by several instances"
    );
}

#[tokio::test]
async fn a_deletion_during_a_reindex_is_not_undone_by_it() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    for i in 0..60 {
        app.create_post(&user, None, &format!("filler {i}"), "many posts")
            .await;
    }
    let doomed = app
        .create_post(&user, None, "resurrectword", "delete me")
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.search_ids(&q("resurrectword")).await, [doomed.as_str()]);
    // The deletion lands while the rebuild reads and writes its copy.
    let deleting = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(app.delete_post(&user, &doomed).await.status(), 204);
        sync(&app).await;
    };
    let (count, ()) = tokio::join!(reindex(&app), deleting);
    assert!(count >= 60);
    sync(&app).await;
    assert!(
        app.search_ids(&q("resurrectword")).await.is_empty(),
        "the reindex brought a deleted post back"
    );
}
