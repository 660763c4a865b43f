//! The embedded engine's pruning, on one segment big enough for it to
//! skip blocks: pages of 20 must read exactly as one long list.
use chrono::Utc;

use super::TantivyIndex;
use crate::platform::search_index::{Doc, DocKind, SearchIndex, SearchQuery};

fn post(i: usize) -> Doc {
    let title = if i.is_multiple_of(10) {
        "夜景 教程"
    } else {
        "出门 随手拍"
    };
    let body = format!(
        "{}{}",
        "夜景 ".repeat(i % 7 + 1),
        "filler words ".repeat(i % 13)
    );
    Doc {
        kind: DocKind::Post,
        id: format!("p{i:05}"),
        title: title.into(),
        body,
        circle_id: None,
        post_id: None,
        created_at: Utc::now(),
    }
}

fn query(offset: usize, limit: usize) -> SearchQuery {
    SearchQuery {
        text: "夜景".into(),
        kind: DocKind::Post,
        circle_id: None,
        offset,
        limit,
    }
}

fn ids(hits: Vec<crate::platform::search_index::Hit>) -> Vec<String> {
    hits.into_iter().map(|h| h.id).collect()
}

#[tokio::test]
async fn pages_of_a_pruned_search_read_as_one_long_list() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let index = TantivyIndex::open(dir.path())?;
    let total = 2_000;
    index.rebuild((0..total).map(post).collect()).await?;
    let all = ids(index.search(query(0, total)).await?);
    assert_eq!(all.len(), total);
    let mut paged = Vec::new();
    for offset in (0..total).step_by(20) {
        let mut page = ids(index.search(query(offset, 20)).await?);
        page.truncate(20);
        paged.extend(page);
    }
    assert_eq!(paged, all, "a page of 20 differs from the long list");
    assert!(
        all[..200].iter().all(|id| id.ends_with('0')),
        "titles first"
    );
    Ok(())
}
