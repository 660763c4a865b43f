//! Feed load benchmark: seeds 10k users and 100k posts (20 circles), then
//! drives the plaza and circle feeds over HTTP with `wrk` (Debian package
//! `wrk`, a load generator of its own process) and prints requests/s and
//! latency percentiles. Not a test: numbers on shared machines are noisy,
//! so nothing here asserts a speed.
//!
//! ```sh
//! cargo bench --bench feeds
//! BENCH_POSTS=20000 BENCH_SECONDS=5 BENCH_CONCURRENCY=16 cargo bench --bench feeds
//! AGORA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bench cargo bench --bench feeds
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/load.rs"]
mod load;
use common::env;
use load::{require_wrk, run_wrk, start_server};

fn main() {
    require_wrk();
    let n_users = env("BENCH_USERS", 10_000, 200);
    let n_posts = env("BENCH_POSTS", 100_000, 2_000);
    let seconds = env("BENCH_SECONDS", 10, 1) as u64;
    let concurrency = env("BENCH_CONCURRENCY", 32, 4);
    let seeded = start_server(n_users, n_posts, false);
    let base = format!("http://127.0.0.1:{}/api/v1", seeded.port);
    let circles = seeded.circles;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(load(base, circles, seconds, concurrency));
}

async fn load(base: String, circles: Vec<String>, seconds: u64, concurrency: usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();
    // A cursor deep enough to miss the first-page cache.
    let page: serde_json::Value = client
        .get(format!("{base}/plaza?sort=new"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    let scenarios = [
        ("plaza, hot, first page (cached)", format!("{base}/plaza")),
        (
            "plaza, new, page 2 (uncached)",
            format!("{base}/plaza?sort=new&cursor={cursor}"),
        ),
        (
            "plaza, hot, 50 per page (uncached)",
            format!("{base}/plaza?limit=50"),
        ),
        (
            "circle, hot, first page (cached)",
            format!("{base}/circles/{}/posts", circles[3]),
        ),
        (
            "circle, new, 50 per page (uncached)",
            format!("{base}/circles/{}/posts?sort=new&limit=50", circles[3]),
        ),
    ];
    println!("{concurrency} concurrent clients, {seconds} s per scenario\n");
    println!(
        "{:<40} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "scenario", "requests", "req/s", "p50", "p99", "errors"
    );
    for (name, url) in scenarios {
        let f = run_wrk(&url, 2, concurrency, seconds);
        println!(
            "{:<40} {:>10} {:>10.0} {:>10} {:>10} {:>8}",
            name, f.requests, f.per_second, f.p50, f.p99, f.errors
        );
    }
}
