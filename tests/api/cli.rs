//! The `agora` binary: help, the spec, granting roles, and the purge.
use std::process::Command;

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};

fn agora() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agora"))
}

/// The binary, pointed at the test server's data dir, key and database.
fn agora_against(app: &TestApp) -> Command {
    let mut cmd = agora();
    cmd.env("AGORA_DATA_DIR", app.data_dir.path())
        .env(
            "AGORA_DATA_KEY",
            app.config.data_key.as_ref().unwrap().expose(),
        )
        .env_remove("AGORA_REDIS_URL");
    match &app.config.database_url {
        Some(url) => cmd.env("AGORA_DATABASE_URL", url.expose()),
        None => cmd.env_remove("AGORA_DATABASE_URL"),
    };
    cmd
}

#[test]
fn help_lists_the_subcommands() {
    let out = agora().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "openapi", "users"] {
        assert!(text.contains(sub), "{sub} missing from:\n{text}");
    }
    let out = agora().args(["users", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("grant-role"));
}

#[test]
fn openapi_prints_the_spec() {
    let out = agora().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let spec: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "agora");
}

#[tokio::test]
async fn grant_role_makes_an_admin_by_phone_number() {
    let app = spawn_app().await;
    let user = app.register().await;
    let out = agora_against(&app)
        .args(["users", "grant-role", &user.phone, "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let me = app.get_json_as(&user, "/me").await;
    assert_eq!(me["role"], "admin");

    let out = agora()
        .args(["users", "grant-role", &user.phone, "emperor"])
        .env("AGORA_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    // The CLI names the account by masked phone only.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(&user.phone));
}

#[tokio::test]
async fn purge_carries_out_a_deregistration_whose_cooling_off_is_over() {
    let app = spawn_app_with(|c| {
        c.deregistration_cooling_off = std::time::Duration::from_millis(100);
    })
    .await;
    let user = app.register().await;
    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let out = agora_against(&app).arg("purge").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("deregistrations completed: 1"), "{stdout}");
    let resp = app.login(&user.phone, PASSWORD).await;
    assert_eq!(resp.status(), 401);
}

/// Tombstones in the embedded index: deleted documents whose data still
/// sits in the segment files until a compaction rewrites them.
fn tombstones(app: &TestApp) -> u32 {
    let index = tantivy::Index::open_in_dir(app.data_dir.path().join("search")).unwrap();
    let segments = index.searchable_segment_metas().unwrap();
    segments.iter().map(|s| s.num_deleted_docs()).sum()
}

#[tokio::test]
async fn a_purge_run_beside_the_server_still_erases_from_the_index_files() {
    if crate::helpers::meili_url().is_some() {
        return crate::helpers::skip(
            "cli::a_purge_run_beside_the_server_still_erases_from_the_index_files",
            "the embedded index only",
        );
    }
    let app = spawn_app_with(|c| {
        c.deregistration_cooling_off = std::time::Duration::from_millis(100);
    })
    .await;
    let user = app.register().await;
    let peer = app.register().await;
    let secret = crate::helpers::marker();
    // Indexed together, so that one segment holds both: erasing one leaves
    // a tombstone there (a wholly deleted segment would simply be dropped).
    app.create_post(&user, None, "soon erased", &secret).await;
    app.create_post(&peer, None, "stays", "the peer's words")
        .await;
    crate::helpers::sync(&app).await;
    assert_eq!(app.search_ids(&crate::helpers::q(&secret)).await.len(), 1);
    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    // The server holds the index; the CLI cannot compact it itself.
    let out = agora_against(&app).arg("purge").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The server applies the deletions and compacts on request, long
    // before its own next purge (an hour away).
    let mut left = u32::MAX;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let found = app.search_ids(&crate::helpers::q(&secret)).await;
        left = tombstones(&app);
        if found.is_empty() && left == 0 && app.count("search_outbox").await == 0 {
            return;
        }
    }
    panic!("the index still holds {left} erased documents' data");
}

/// The binary on a fresh data directory, as the README's first commands
/// run it on a bare machine (no database, cache or engine configured).
fn agora_bare(dir: &std::path::Path) -> Command {
    let mut cmd = agora();
    cmd.current_dir(dir)
        .env("AGORA_DATA_DIR", dir.join("data"))
        .env_remove("AGORA_DATABASE_URL")
        .env_remove("AGORA_REDIS_URL")
        .env_remove("AGORA_MEILI_URL")
        .env_remove("AGORA_DATA_KEY");
    cmd
}

#[tokio::test]
async fn the_readme_first_commands_serve_and_seed_a_bare_machine() {
    let dir = tempfile::tempdir().unwrap();
    // `cargo run -- seed-demo`: demo data, and how to log in with it.
    let out = agora_bare(dir.path()).arg("seed-demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("seeded"), "{stdout}");

    // `cargo run`: serves, on the seeded data.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = agora_bare(dir.path())
        .env("AGORA_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut plaza = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if let Ok(resp) = client.get(format!("{base}/api/v1/plaza")).send().await {
            plaza = Some(resp.json::<Value>().await.unwrap());
            break;
        }
    }
    let health = client.get(format!("{base}/healthz")).send().await;
    server.kill().unwrap();
    server.wait().unwrap();
    let plaza = plaza.expect("the server answered within ten seconds");
    assert!(!plaza["items"].as_array().unwrap().is_empty(), "{plaza}");
    assert_eq!(health.unwrap().status(), 200);
}
