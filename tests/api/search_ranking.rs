//! Ranking when a word is common: the best hit leads, and every page of a
//! long result is whole (the embedded engine skips documents that cannot
//! reach a page, and must never skip one that can).
use std::collections::HashSet;

use crate::helpers::{generous_limits, ids_of, items_of, q, spawn_app_with, sync, HasId};

#[tokio::test]
async fn the_best_hit_leads_and_every_page_of_a_common_word_is_whole() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let mut everyone = HashSet::new();
    for i in 0..45 {
        let title = format!("第{i}次 出门");
        let id = app
            .create_post(&user, None, &title, "今晚的夜景拍得还行。")
            .await
            .id();
        everyone.insert(id);
    }
    let best = app
        .create_post(&user, None, "夜景 教程", "三脚架、长曝光，夜景就稳了。")
        .await
        .id();
    everyone.insert(best.clone());
    sync(&app).await;

    let mut seen = Vec::new();
    let mut path = format!("/search?{}&limit=20", q("夜景"));
    loop {
        let page = app.get_json(&path).await;
        seen.extend(ids_of(&items_of(&page)));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/search?{}&limit=20&cursor={cursor}", q("夜景")),
            None => break,
        }
    }
    assert_eq!(
        seen.first(),
        Some(&best),
        "in its title and twice in its text"
    );
    assert_eq!(seen.len(), everyone.len(), "no hit twice, none missing");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), everyone);
}

#[tokio::test]
async fn the_word_as_typed_ranks_above_a_rarer_word_one_typo_away() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    // The misspelling is in one post, the word in twenty: per match, the
    // rare word weighs more, and must still come last.
    let typo = app
        .create_post(&user, None, "Camrea settings", "My camrea at night")
        .await
        .id();
    let mut exact = HashSet::new();
    for i in 0..20 {
        let title = format!("Camera settings {i}");
        let id = app
            .create_post(&user, None, &title, "My camera at night")
            .await
            .id();
        exact.insert(id);
    }
    sync(&app).await;
    let found = app.search_ids(&format!("{}&limit=50", q("camera"))).await;
    assert_eq!(found.len(), 21, "{found:?}");
    assert_eq!(found.last(), Some(&typo), "{found:?}");
    assert_eq!(found[..20].iter().cloned().collect::<HashSet<_>>(), exact);
}
