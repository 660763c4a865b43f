//! Search benchmark on the embedded engine: indexes 100k posts (Chinese and
//! English) through the `SearchIndex` trait, printing documents/s, then runs
//! queries and prints latency percentiles (in-process, no HTTP). Not a test.
//!
//! ```sh
//! cargo bench --bench search
//! BENCH_DOCS=20000 BENCH_QUERIES=500 cargo bench --bench search
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use agora::platform::search_index::{
    tantivy::TantivyIndex, Doc, DocKind, IndexOp, SearchIndex, SearchQuery,
};
use chrono::Utc;

const ZH: &[&str] = &[
    "小米", "手机", "拍照", "夜景", "电池", "续航", "平板", "澎湃", "系统", "更新", "徕卡", "镜头",
    "充电", "屏幕",
];
const EN: &[&str] = &[
    "battery",
    "camera",
    "update",
    "screen",
    "charging",
    "tablet",
    "night",
    "photo",
    "review",
    "performance",
];

mod common;
use common::env;

fn text(i: usize, words: usize) -> String {
    (0..words)
        .map(|w| {
            let n = i.wrapping_mul(2_654_435_761).wrapping_add(w * 40_503) >> 4;
            if (i + w).is_multiple_of(2) {
                ZH[n % ZH.len()]
            } else {
                EN[n % EN.len()]
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let n_docs = env("BENCH_DOCS", 100_000, 2_000);
    let n_queries = env("BENCH_QUERIES", 2_000, 50);
    let dir = tempfile::tempdir().unwrap();
    let index = TantivyIndex::open(&dir.path().join("search")).unwrap();
    let now = Utc::now();
    let started = Instant::now();
    for batch in (0..n_docs).collect::<Vec<_>>().chunks(1000) {
        let ops = batch
            .iter()
            .map(|&i| {
                IndexOp::Upsert(Doc {
                    kind: DocKind::Post,
                    id: uuid::Uuid::now_v7().to_string(),
                    title: text(i, 4),
                    body: text(i + 7, 40),
                    circle_id: Some(format!("circle-{}", i % 20)),
                    post_id: None,
                    created_at: now,
                })
            })
            .collect();
        index.apply(ops).await.unwrap();
    }
    let took = started.elapsed().as_secs_f64();
    println!("indexed {n_docs} posts in {took:.1} s: {:.0} documents/s (batches of 1000, one commit each)", n_docs as f64 / took);

    // The issue's three kinds of query, each timed on its own.
    let classes: [(&str, MakeQuery); 3] = [
        ("one common word (Chinese or English)", |i| {
            if i % 2 == 0 {
                ZH[i % ZH.len()].to_owned()
            } else {
                EN[i % EN.len()].to_owned()
            }
        }),
        ("two words (Chinese and English)", |i| {
            format!("{} {}", ZH[i % ZH.len()], EN[i % EN.len()])
        }),
        ("a typo in an English word", |i| typo(EN[i % EN.len()])),
    ];
    let mut empty: Vec<String> = Vec::new();
    for (class, make) in classes {
        let mut latencies = Vec::with_capacity(n_queries);
        for i in 0..n_queries {
            let query = make(i);
            let t = Instant::now();
            let hits = index
                .search(SearchQuery {
                    text: query.clone(),
                    kind: DocKind::Post,
                    circle_id: None,
                    offset: 0,
                    limit: 20,
                })
                .await
                .unwrap();
            latencies.push(t.elapsed());
            if hits.is_empty() && !empty.contains(&query) {
                empty.push(query);
            }
        }
        latencies.sort();
        println!(
            "{n_queries} queries, {class} (20 hits with snippets): p50 {:.2} ms, p99 {:.2} ms",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99)
        );
    }
    if !empty.is_empty() {
        println!("queries that found nothing: {empty:?}");
    }
}

/// The `i`th query of a kind.
type MakeQuery = fn(usize) -> String;

/// `word` with two letters in its middle swapped (one edit away, as typo
/// tolerance counts a transposition).
fn typo(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let mid = chars.len() / 2;
    chars.swap(mid - 1, mid);
    chars.into_iter().collect()
}
