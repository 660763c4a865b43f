//! What the HTTP benchmarks share: the seeded data set (users, circles and
//! posts written straight to the database), a server of agora on its own
//! runtime, and wrk (Debian package `wrk`) to drive it.
#![allow(dead_code)]

use std::time::Instant;

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

/// What was seeded.
pub struct Seeded {
    pub circles: Vec<String>,
    pub users: Vec<String>,
    pub port: u16,
}

pub async fn seed(state: &AppState, n_users: usize, n_posts: usize) -> (Vec<String>, Vec<String>) {
    let now = Utc::now();
    let circle_ids: Vec<String> = (0..20).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rows = circle_ids
        .iter()
        .enumerate()
        .map(|(i, id)| circles::ActiveModel {
            id: Set(id.clone()),
            name: Set(format!("circle {i}")),
            kind: Set(entity::enums::CircleKind::Product),
            description: Set(String::new()),
            icon_upload_id: Set(None),
            member_count: Set(0),
            post_count: Set((n_posts / 20) as i64),
            created_at: Set(now),
            updated_at: Set(now),
            gate: Set(None),
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
            role: Set(entity::enums::Role::User),
            level: Set(1),
            experience: Set(0),
            accepted_notice_version: Set("bench".into()),
            created_at: Set(now),
            updated_at: Set(now),
            show_online_status: Set(true),
            deregister_at: Set(None),
            community_closed_at: Set(None),
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
                client_id: Set(None),
                gate: Set(None),
            }
        });
        posts::Entity::insert_many(rows)
            .exec(&state.db)
            .await
            .unwrap();
        made += batch;
    }
    (circle_ids, user_ids)
}

/// Serves agora on its own runtime and threads, so that the load
/// generator's scheduling does not leak into the measured latencies; the
/// rate limits are lifted. With `AGORA_BENCH_DATABASE_URL` (and
/// `AGORA_BENCH_REDIS_URL`) it runs on PostgreSQL (and Redis). With
/// `index`, the search index is filled from the seeded posts before it
/// answers.
pub fn start_server(n_users: usize, n_posts: usize, index: bool) -> Seeded {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
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
            if let Ok(url) = std::env::var("AGORA_BENCH_REDIS_URL") {
                config.redis_url = Some(Secret::new(url));
            }
            for class in [ActionClass::ReadIp, ActionClass::ReadAccount] {
                config
                    .rate_limits
                    .insert(class, "100000000/1m".parse().unwrap());
            }
            let app = Application::build(config).await.unwrap();
            let state = app.state().clone();
            let t = Instant::now();
            let (circles, users) = seed(&state, n_users, n_posts).await;
            // Bulk-loaded tables have no statistics until autovacuum comes
            // by: PostgreSQL would plan the feeds as sequential scans.
            if state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
                use sea_orm::ConnectionTrait;
                state.db.execute_unprepared("ANALYZE").await.unwrap();
            }
            println!(
                "seeded {n_users} users and {n_posts} posts in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            if index {
                let t = Instant::now();
                agora::search::outbox::reindex(&state).await.unwrap();
                println!("indexed them in {:.1} s", t.elapsed().as_secs_f64());
            }
            let port = app.port();
            tx.send(Seeded {
                circles,
                users,
                port,
            })
            .unwrap();
            app.run_until_stopped().await.unwrap();
            drop(dir);
        });
    });
    rx.recv().unwrap()
}

/// Stops at once, with a hint, when wrk is missing.
pub fn require_wrk() {
    if std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("this benchmark drives the API with wrk: install it first (apt-get install wrk)");
        std::process::exit(2);
    }
}

/// What wrk measured for one URL.
pub struct Figures {
    pub requests: String,
    pub per_second: f64,
    pub p50: String,
    pub p99: String,
    /// Non-2xx answers or socket errors, as wrk words them.
    pub errors: String,
}

/// Drives `url` with wrk: `threads` threads, `connections` connections.
pub fn run_wrk(url: &str, threads: usize, connections: usize, seconds: u64) -> Figures {
    run_wrk_with(url, None, threads, connections, seconds)
}

/// [`run_wrk`] with a wrk Lua script (one that picks each request's path).
pub fn run_wrk_with(
    url: &str,
    script: Option<&std::path::Path>,
    threads: usize,
    connections: usize,
    seconds: u64,
) -> Figures {
    let mut args = vec![
        format!("-t{threads}"),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--latency".to_owned(),
    ];
    if let Some(script) = script {
        args.push("-s".to_owned());
        args.push(script.display().to_string());
    }
    args.push(url.to_owned());
    let out = std::process::Command::new("wrk")
        .args(&args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("?")
        .to_owned();
    let errors = text
        .lines()
        .find(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map_or("0".to_owned(), |l| l.trim().to_owned());
    Figures {
        requests,
        per_second: field("Requests/sec:").parse().unwrap_or(0.0),
        p50: field("50%"),
        p99: field("99%"),
        errors,
    }
}
