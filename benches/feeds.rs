//! Feed load benchmark: seeds 10k users and 100k posts (20 circles), then
//! drives the plaza and circle feeds over HTTP with concurrent clients and
//! prints requests/s and latency percentiles. Not a test: numbers on shared
//! machines are noisy, so nothing here asserts a speed.
//!
//! ```sh
//! cargo bench --bench feeds
//! BENCH_POSTS=20000 BENCH_SECONDS=5 BENCH_CONCURRENCY=16 cargo bench --bench feeds
//! AGORA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bench cargo bench --bench feeds
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use agora::{
    community::posts::hot_rank,
    config::{Config, Secret},
    platform::ratelimit::ActionClass,
    startup::Application,
    state::AppState,
};
use chrono::{Duration as Span, Utc};
use entity::{circles, posts, users};
use sea_orm::{ActiveValue::Set, EntityTrait};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn seed(state: &AppState, n_users: usize, n_posts: usize) -> Vec<String> {
    let now = Utc::now();
    let circle_ids: Vec<String> = (0..20).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows = circle_ids
        .iter()
        .enumerate()
        .map(|(i, id)| circles::ActiveModel {
            id: Set(id.clone()),
            name: Set(format!("circle {i}")),
            kind: Set("product".into()),
            description: Set(String::new()),
            icon_upload_id: Set(None),
            member_count: Set(0),
            post_count: Set((n_posts / 20) as i64),
            created_at: Set(now),
            updated_at: Set(now),
        });
    circles::Entity::insert_many(rows)
        .exec(&state.db)
        .await
        .unwrap();
    let user_ids: Vec<String> = (0..n_users)
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    for chunk in user_ids.chunks(1000) {
        let rows = chunk.iter().enumerate().map(|(i, id)| users::ActiveModel {
            id: Set(id.clone()),
            phone_ciphertext: Set("bench".into()),
            phone_blind_index: Set(id.clone()),
            password_hash: Set("bench".into()),
            nickname: Set(format!("user {i}")),
            avatar_upload_id: Set(None),
            gender: Set(None),
            birthday: Set(None),
            region: Set(None),
            signature: Set(None),
            role: Set("user".into()),
            level: Set(1),
            experience: Set(0),
            accepted_notice_version: Set("bench".into()),
            created_at: Set(now),
            updated_at: Set(now),
        });
        users::Entity::insert_many(rows)
            .exec(&state.db)
            .await
            .unwrap();
    }
    let mut made = 0;
    while made < n_posts {
        let batch = (n_posts - made).min(1000);
        let rows = (made..made + batch).map(|i| {
            // Spread over 60 days, with a long tail of likes.
            let created = now - Span::seconds((i as i64 * 7919) % (60 * 86_400));
            let likes = ((i * 2_654_435_761) % 1000) as i64 / ((i % 7) as i64 + 1);
            posts::ActiveModel {
                id: Set(uuid::Uuid::now_v7().to_string()),
                author_id: Set(Some(user_ids[i % user_ids.len()].clone())),
                circle_id: Set((i % 10 < 7).then(|| circle_ids[i % 20].clone())),
                title: Set(format!("post {i} 小米 benchmark")),
                body: Set("A body of moderate length, 中文和English mixed. ".repeat(8)),
                device_model: Set(None),
                log_upload_id: Set(None),
                like_count: Set(likes),
                comment_count: Set(0),
                hot_rank: Set(hot_rank(likes, created)),
                pinned: Set(false),
                locked: Set(false),
                hidden: Set(false),
                deleted_at: Set(None),
                created_at: Set(created),
                edited_at: Set(None),
            }
        });
        posts::Entity::insert_many(rows)
            .exec(&state.db)
            .await
            .unwrap();
        made += batch;
    }
    circle_ids
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

async fn drive(client: &reqwest::Client, url: String, concurrency: usize, seconds: u64) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers = (0..concurrency).map(|_| {
        let client = client.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let _ = resp.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        })
    });
    let mut outcome = Outcome {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        let (lat, err) = worker.await.unwrap();
        outcome.latencies.extend(lat);
        outcome.errors += err;
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort();
    outcome
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let n_users = env("BENCH_USERS", 10_000);
    let n_posts = env("BENCH_POSTS", 100_000);
    let seconds = env("BENCH_SECONDS", 10) as u64;
    let concurrency = env("BENCH_CONCURRENCY", 32);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        data_key: Some(Secret::new("00".repeat(32))),
        ..Config::default()
    };
    if let Ok(url) = std::env::var("AGORA_BENCH_DATABASE_URL") {
        config.database_url = Some(Secret::new(url));
    }
    for class in [ActionClass::ReadIp, ActionClass::ReadAccount] {
        config
            .rate_limits
            .insert(class, "100000000/1m".parse().unwrap());
    }
    let app = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());

    let t = Instant::now();
    let circles = seed(&state, n_users, n_posts).await;
    println!(
        "seeded {n_users} users and {n_posts} posts in {:.1} s",
        t.elapsed().as_secs_f64()
    );

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
        "scenario", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for (name, url) in scenarios {
        let out = drive(&client, url, concurrency, seconds).await;
        let rps = out.latencies.len() as f64 / out.elapsed.as_secs_f64();
        println!(
            "{:<40} {:>10} {:>10.0} {:>10.2} {:>10.2} {:>8}",
            name,
            out.latencies.len(),
            rps,
            percentile(&out.latencies, 0.5),
            percentile(&out.latencies, 0.99),
            out.errors
        );
    }
}
