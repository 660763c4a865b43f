//! Snippets are HTML that clients render: the indexed text always comes
//! back escaped, with only agora's own `<b>` marks, on every engine.
use serde_json::json;

use crate::helpers::{new_phone, q, spawn_app, sync};

fn assert_only_our_marks(snippet: &str) {
    let without_marks = snippet.replace("<b>", "").replace("</b>", "");
    assert!(
        !without_marks.contains('<') && !without_marks.contains('>'),
        "markup other than <b> in {snippet}"
    );
}

#[tokio::test]
async fn a_post_body_with_markup_comes_back_escaped_found_by_title_or_body() {
    let app = spawn_app().await;
    let user = app.register().await;
    // Spaced: Meilisearch does not index a word glued between tags.
    let body = "<img src=x onerror=alert(1)> 手机 <script> steal() </script>";
    app.create_post(&user, None, "gadgetzzz review", body).await;
    sync(&app).await;
    // Found by a title word: the body has no match, the snippet is its start.
    let hits = app.search(&format!("type=posts&{}", q("gadgetzzz"))).await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{snippet}"
    );
    assert_only_our_marks(snippet);
    // Found by a body word: our mark around it, the rest still escaped.
    let hits = app.search(&format!("type=posts&{}", q("steal"))).await;
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>steal</b>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert_only_our_marks(snippet);
}

#[tokio::test]
async fn a_profile_signature_with_markup_comes_back_escaped() {
    let app = spawn_app().await;
    let user = app.register_phone(&new_phone(), "markupfan").await;
    let resp = app
        .update_profile(
            &user,
            json!({ "signature": "<script>alert(document.cookie)</script>" }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    sync(&app).await;
    let hits = app.search(&format!("type=users&{}", q("markupfan"))).await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert_only_our_marks(snippet);
}

#[tokio::test]
async fn match_sentinels_typed_into_a_post_never_become_marks() {
    let app = spawn_app().await;
    let user = app.register().await;
    // The engines mark matches with U+E000 / U+E001; a user can type them.
    let body = "before \u{E000}fakebold\u{E001} after zircon";
    app.create_post(&user, None, "sentinel test", body).await;
    sync(&app).await;
    let hits = app.search(&format!("type=posts&{}", q("zircon"))).await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>zircon</b>"), "{snippet}");
    assert!(!snippet.contains("<b>fakebold"), "{snippet}");
    assert_eq!(snippet.matches("<b>").count(), 1, "{snippet}");
}
