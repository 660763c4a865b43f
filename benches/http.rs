//! The read paths every app launch hits, as a share of what poem itself
//! serves: seeds the data set (100k posts, 10k users, 20 circles; the
//! search index filled), starts a bare poem endpoint answering a small JSON
//! object and agora in the same process, drives each path with wrk (its
//! own process; 1 thread × 32 connections) and prints requests/s, p99 and
//! the share of the bare endpoint's requests/s measured in the same run
//! (before and after agora's paths, averaged), so that the machine's noise
//! cancels out. Targets are in issue #18 and `benches/README.md`; nothing
//! here asserts a speed. `BENCH_ONLY=/posts` drives only the paths that
//! hold the text (to profile one at a time).
//!
//! ```sh
//! cargo bench --bench http
//! BENCH_POSTS=20000 BENCH_SECONDS=5 cargo bench --bench http
//! AGORA_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
//! AGORA_BENCH_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench http
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/load.rs"]
mod load;
use common::env;
use load::{require_wrk, run_wrk, run_wrk_with, start_server, Figures};

/// A bare poem server on its own runtime, answering `/bare` with a small
/// JSON object: the ceiling every row is compared with.
fn start_bare() -> u16 {
    use poem::{get, handler, listener::TcpAcceptor, web::Json, Route, Server};
    #[handler]
    fn bare() -> Json<serde_json::Value> {
        Json(serde_json::json!({ "id": "0190a0b0-0000-7000-8000-000000000000", "ok": true }))
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            let acceptor = TcpAcceptor::from_tokio(listener).unwrap();
            Server::new_with_acceptor(acceptor)
                .run(Route::new().at("/bare", get(bare)))
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

/// A wrk script asking for `/plaza?sort=new` after a different cursor each
/// time (cursors after each of `ids`, shuffled), so that no page is kept
/// for them: pages read once, as most deep pages are.
fn random_cursor_script(base_path: &str, ids: &[String]) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut order: Vec<usize> = (0..ids.len()).collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "local cursors = {{").unwrap();
    for i in order {
        let cursor = agora::api::page::Cursor::encode(&format!("0|0.0|{}", ids[i]));
        writeln!(file, "\"{cursor}\",").unwrap();
    }
    writeln!(file, "}}\nlocal n = 0").unwrap();
    writeln!(
        file,
        "request = function()\n  n = n % #cursors + 1\n  return wrk.format(\"GET\", \"{base_path}/plaza?sort=new&cursor=\" .. cursors[n])\nend"
    )
    .unwrap();
    file.flush().unwrap();
    file
}

/// Every post's id, newest first, walking the plaza 50 at a time.
async fn all_post_ids(base: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let url = format!("{base}/plaza?sort=new&limit=50&cursor={cursor}");
        let page: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
        for item in page["items"].as_array().into_iter().flatten() {
            ids.push(item["id"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return ids,
        }
    }
}

fn row(name: &str, f: &Figures, bare: f64) {
    let share = if bare > 0.0 {
        100.0 * f.per_second / bare
    } else {
        0.0
    };
    println!(
        "{:<44} {:>9.0} {:>9} {:>9} {:>7.1}% {:>8}",
        name, f.per_second, f.p50, f.p99, share, f.errors
    );
}

fn main() {
    require_wrk();
    let n_users = env("BENCH_USERS", 10_000, 200);
    let n_posts = env("BENCH_POSTS", 100_000, 2_000);
    let seconds = env("BENCH_SECONDS", 10, 1) as u64;
    let connections = env("BENCH_CONNECTIONS", 32, 4);
    let backend = match std::env::var("AGORA_BENCH_DATABASE_URL") {
        Ok(_) => "PostgreSQL + Redis (when AGORA_BENCH_REDIS_URL is set)",
        Err(_) => "SQLite, in-process cache, embedded search",
    };
    let bare_port = start_bare();
    let seeded = start_server(n_users, n_posts, true);
    let base = format!("http://127.0.0.1:{}/api/v1", seeded.port);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (cursor, post) = rt.block_on(async {
        let page: serde_json::Value = reqwest::get(format!("{base}/plaza?sort=new"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
        let post = page["items"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (cursor, post)
    });
    let user = &seeded.users[seeded.users.len() / 2];
    let search = "/search?q=%E5%B0%8F%E7%B1%B3&type=posts";
    let paths = [
        (
            "GET /plaza?sort=hot (cached first page)",
            "/plaza?sort=hot".to_owned(),
        ),
        (
            "GET /plaza?sort=new&cursor=… (page 2)",
            format!("/plaza?sort=new&cursor={cursor}"),
        ),
        ("GET /plaza?limit=50", "/plaza?limit=50".to_owned()),
        ("GET /posts/{id}", format!("/posts/{post}")),
        ("GET /circles", "/circles".to_owned()),
        ("GET /users/{id}", format!("/users/{user}")),
        ("GET /search?q=小米&type=posts", search.to_owned()),
        // Two words, one in every title and one in every text (so each
        // hit's snippet is cut), and a typo one swap away from a word in
        // every title.
        (
            "GET /search?q=小米 moderate",
            "/search?q=%E5%B0%8F%E7%B1%B3%20moderate&type=posts".to_owned(),
        ),
        (
            "GET /search?q=benchmrak (a typo)",
            "/search?q=benchmrak&type=posts".to_owned(),
        ),
    ];
    println!(
        "\n{backend}: {n_posts} posts, {n_users} users; wrk 1 thread × {connections} connections, {seconds} s per row\n"
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>8} {:>8}",
        "path", "req/s", "p50", "p99", "of bare", "errors"
    );
    let bare_url = format!("http://127.0.0.1:{bare_port}/bare");
    let before = run_wrk(&bare_url, 1, connections, seconds);
    // `BENCH_ONLY=<part of a path>` drives only the paths that hold it
    // (to profile one path at a time).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let mut rows = Vec::new();
    for (name, path) in paths.iter().filter(|(_, p)| p.contains(only.as_str())) {
        rows.push((
            name,
            run_wrk(&format!("{base}{path}"), 1, connections, seconds),
        ));
    }
    // Deep pages read once: the feed query and, for posts not read lately,
    // their views are built.
    if "/plaza?sort=new&cursor=<new each time>".contains(only.as_str()) {
        let ids = rt.block_on(all_post_ids(&base));
        let script = random_cursor_script("/api/v1", &ids);
        rows.push((
            &"GET /plaza?sort=new&cursor=<new each time>",
            run_wrk_with(&base, Some(script.path()), 1, connections, seconds),
        ));
    }
    let health = run_wrk(
        &format!("http://127.0.0.1:{}/healthz", seeded.port),
        1,
        connections,
        seconds,
    );
    let after = run_wrk(&bare_url, 1, connections, seconds);
    let bare = (before.per_second + after.per_second) / 2.0;
    row("bare poem (before)", &before, bare);
    for (name, figures) in &rows {
        row(name, figures, bare);
    }
    row("GET /healthz (agora, no database)", &health, bare);
    row("bare poem (after)", &after, bare);
}
