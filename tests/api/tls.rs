//! TLS to every backend, for real: each test starts its backend behind a
//! certificate from a CA made at run time, then proves that agora works
//! through it with that CA, refuses it with another, reports the wire's
//! state on `/readyz`, and refuses clear text beyond this machine.
use std::time::Duration;

use agora::{config::Secret, startup::Application};
use serde_json::Value;

use crate::helpers::{
    base_config, captured_logs, close, connect_ws, next_event, next_matching, q, spawn_app_with,
    spawn_sibling, sync, tls_meili, tls_postgres, tls_redis, Pki, TestApp, TLS_MEILI_KEY,
};

/// `/readyz`: its status and `checks`.
async fn readiness(app: &TestApp) -> (u16, Value) {
    let resp = app.get_root("/readyz").await;
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    (status, body["checks"].clone())
}

/// Why a build failed, every cause included.
async fn refusal(config: agora::config::Config) -> String {
    match Application::build(config).await {
        Ok(_) => panic!("the server started"),
        Err(err) => format!("{err:#}"),
    }
}

#[tokio::test]
async fn redis_over_tls_works_with_its_ca_and_is_refused_with_another() {
    let test = "redis_over_tls_works_with_its_ca_and_is_refused_with_another";
    let pki = Pki::new();
    let Some(redis) = tls_redis(test, &pki) else {
        return;
    };
    let port = redis.port;
    let with = |host: &str, ca: Option<&std::path::Path>, unverified: bool| {
        let (url, ca) = (
            format!("rediss://{host}:{port}"),
            ca.map(|c| c.to_path_buf()),
        );
        move |c: &mut agora::config::Config| {
            c.redis_url = Some(Secret::new(url));
            c.redis_prefix = format!("agora-tls:{}:", uuid::Uuid::new_v4().simple());
            c.tls_ca_file = ca;
            c.tls_allow_unverified = unverified;
        }
    };

    // Its CA: verified, and what lives in Redis works through it.
    let app = spawn_app_with(with("localhost", Some(&pki.ca), false)).await;
    let (status, checks) = readiness(&app).await;
    assert_eq!(status, 200, "{checks}");
    assert_eq!(checks["cache_kind"], "redis");
    assert_eq!(checks["tls"]["cache"], "verified");
    let cache = &app.state.cache;
    cache
        .set("tls-probe", b"through TLS", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        cache.get("tls-probe").await.unwrap().as_deref(),
        Some(&b"through TLS"[..])
    );
    // Registration takes SMS limits and codes from Redis.
    let user = app.register().await;
    assert_eq!(app.get_json_as(&user, "/me").await["id"], user.id);
    // A second instance: presence and the realtime bus cross through it.
    let two = spawn_sibling(&app).await;
    let peer = app.register().await;
    let conversation = app.open_conversation(&user, &peer).await;
    let mut peer_socket = connect_ws(&two, &peer.token).await;
    let user_socket = connect_ws(&app, &user.token).await;
    next_matching(&mut peer_socket, "presence", |e| e["user_id"] == user.id).await;
    assert!(two.presence(&peer, &user.id).await);
    let sent = app.send_text(&user, &conversation, "over rediss").await;
    let event = next_event(&mut peer_socket, "message.created").await;
    assert_eq!(event["message"]["id"], sent["id"]);
    close(user_socket).await;
    drop(two);

    // Not believed, so never used: another CA, the system's roots alone
    // (which do not know the test CA), and a name the certificate does not
    // carry (it is for `localhost`).
    let refused = [
        ("another CA", with("localhost", Some(&pki.other_ca), false)),
        ("the system's roots", with("localhost", None, false)),
        ("another name", with("127.0.0.1", Some(&pki.ca), false)),
    ];
    for (case, customise) in refused {
        let wrong = spawn_app_with(customise).await;
        let (status, checks) = readiness(&wrong).await;
        assert_eq!(status, 503, "{case}: {checks}");
        assert_eq!(checks["cache"], "down", "{case}");
        let set = wrong
            .state
            .cache
            .set("tls-probe", b"x", Duration::from_secs(60));
        assert!(set.await.is_err(), "{case}");
    }

    // The explicit opt-out: encrypted, unverified, and said loudly.
    let unverified = spawn_app_with(with("localhost", Some(&pki.other_ca), true)).await;
    let (status, checks) = readiness(&unverified).await;
    assert_eq!(status, 200, "{checks}");
    assert_eq!(checks["tls"]["cache"], "unverified");
    let logs = captured_logs();
    assert!(
        logs.contains("Redis: TLS WITHOUT CERTIFICATE VERIFICATION"),
        "no warning"
    );
}

#[tokio::test]
async fn postgres_over_tls_verifies_the_server_and_refuses_another_ca() {
    let test = "postgres_over_tls_verifies_the_server_and_refuses_another_ca";
    let pki = Pki::new();
    let Some(pg) = tls_postgres(test, &pki) else {
        return;
    };
    let port = pg.port;
    let on = |host: &str, query: String| {
        let url = format!("postgres://postgres@{host}:{port}/postgres?{query}");
        move |c: &mut agora::config::Config| c.database_url = Some(Secret::new(url))
    };
    let database = |query: String| on("localhost", query);
    let refused = |customise: Box<dyn FnOnce(&mut agora::config::Config)>| async move {
        let dir = tempfile::tempdir().unwrap();
        let mut config = base_config(dir.path());
        customise(&mut config);
        refusal(config).await.to_lowercase()
    };
    let root = |ca: &std::path::Path| format!("sslrootcert={}", ca.display());

    // verify-full with the URL's own root certificate.
    let app = spawn_app_with(database(format!("sslmode=verify-full&{}", root(&pki.ca)))).await;
    let (status, checks) = readiness(&app).await;
    assert_eq!(status, 200, "{checks}");
    assert_eq!(checks["tls"]["database"], "verified");
    let user = app.register().await;
    assert_eq!(app.get_json_as(&user, "/me").await["id"], user.id);
    // The server agrees: none of agora's connections is in clear.
    let clear = app
        .sql_count(
            "SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
             WHERE a.datname = 'postgres' AND a.backend_type = 'client backend' AND NOT s.ssl",
        )
        .await;
    assert_eq!(clear, 0);

    // AGORA_TLS_CA_FILE stands in when the URL names no root certificate.
    let app = spawn_app_with(|c| {
        database("sslmode=verify-full".into())(c);
        c.tls_ca_file = Some(pki.ca.clone());
    })
    .await;
    assert_eq!(readiness(&app).await.1["tls"]["database"], "verified");

    // Refused at start, naming the certificate: another CA, the public
    // roots alone, and a name the certificate does not carry.
    let why = refused(Box::new(database(format!(
        "sslmode=verify-full&{}",
        root(&pki.other_ca)
    ))))
    .await;
    assert!(why.contains("certificate"), "another CA: {why}");
    let why = refused(Box::new(database("sslmode=verify-full".into()))).await;
    assert!(why.contains("certificate"), "public roots: {why}");
    let why = refused(Box::new(on(
        "127.0.0.1",
        format!("sslmode=verify-full&{}", root(&pki.ca)),
    )))
    .await;
    assert!(why.contains("certificate"), "another name: {why}");

    // verify-ca checks the chain but not the name (and sqlx trusts the
    // public roots beside the file): encrypted, not verified. `require`
    // checks nothing. `disable` is clear text, which this machine's own
    // server may be reached by; `prefer` (the default) is what it offered.
    let cases = [
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&{}", root(&pki.ca)),
            "unverified",
        ),
        ("localhost", "sslmode=require".to_owned(), "unverified"),
        ("localhost", "sslmode=disable".to_owned(), "off"),
        (
            "localhost",
            "application_name=agora".to_owned(),
            "unverified",
        ),
    ];
    for (host, query, state) in cases {
        let app = spawn_app_with(on(host, query.clone())).await;
        assert_eq!(readiness(&app).await.1["tls"]["database"], state, "{query}");
    }
}

#[tokio::test]
async fn meilisearch_over_https_works_with_its_ca_and_is_refused_with_another() {
    let test = "meilisearch_over_https_works_with_its_ca_and_is_refused_with_another";
    let pki = Pki::new();
    let Some(meili) = tls_meili(test, &pki) else {
        return;
    };
    let port = meili.port;
    let with = |host: &str, ca: &std::path::Path| {
        let (url, ca) = (format!("https://{host}:{port}"), ca.to_path_buf());
        move |c: &mut agora::config::Config| {
            c.meili_url = Some(url);
            c.meili_key = Some(Secret::new(TLS_MEILI_KEY));
            c.meili_index = format!("agora_tls_{}", uuid::Uuid::new_v4().simple());
            c.tls_ca_file = Some(ca);
        }
    };

    let app = spawn_app_with(with("localhost", &pki.ca)).await;
    let (status, checks) = readiness(&app).await;
    assert_eq!(status, 200, "{checks}");
    assert_eq!(checks["search_kind"], "meilisearch");
    assert_eq!(checks["tls"]["search"], "verified");
    let user = app.register().await;
    let post = app
        .create_post(&user, None, "Encrypted lighthouse", "found through https")
        .await;
    sync(&app).await;
    assert_eq!(
        app.search_ids(&q("lighthouse")).await,
        [post["id"].as_str().unwrap()]
    );

    // Another CA, or a name the certificate does not carry.
    for (host, ca) in [("localhost", &pki.other_ca), ("127.0.0.1", &pki.ca)] {
        let wrong = spawn_app_with(with(host, ca)).await;
        let (status, checks) = readiness(&wrong).await;
        assert_eq!(status, 503, "{host}: {checks}");
        assert_eq!(checks["search"], "down");
        let resp = wrong
            .get_anon(&format!("/search?{}", q("lighthouse")))
            .await;
        assert_eq!(resp.status(), 503);
    }
}

#[tokio::test]
async fn a_backend_beyond_this_machine_in_clear_is_refused_unless_allowed() {
    // 192.0.2.0/24 is for documentation: nothing answers there, and
    // nothing needs to — the refusal comes before any connection.
    let remote = "192.0.2.1";
    type Set = fn(&mut agora::config::Config);
    let cases: [(&str, Set); 3] = [
        ("Redis", |c| {
            c.redis_url = Some(Secret::new("redis://192.0.2.1:6379"));
        }),
        ("Meilisearch", |c| {
            c.meili_url = Some("http://192.0.2.1:7700".into());
        }),
        ("PostgreSQL", |c| {
            c.database_url = Some(Secret::new(
                "postgres://agora@192.0.2.1:5432/agora?sslmode=disable",
            ));
        }),
    ];
    for (backend, set) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut config = base_config(dir.path());
        set(&mut config);
        let why = refusal(config).await;
        assert!(why.contains(&format!("{backend} at {remote}")), "{why}");
        assert!(why.contains("AGORA_ALLOW_PLAINTEXT_BACKENDS"), "{why}");
    }

    // Allowed (a private network): it starts, and says what is in clear.
    let dir = tempfile::tempdir().unwrap();
    let mut config = base_config(dir.path());
    cases[0].1(&mut config);
    cases[1].1(&mut config);
    config.allow_plaintext_backends = true;
    let app = Application::build(config).await.unwrap();
    assert_eq!(app.state().tls.cache, agora::platform::tls::TlsState::Off);
    let logs = captured_logs();
    for backend in ["Redis", "Meilisearch"] {
        assert!(
            logs.contains(&format!(
                "{backend} is reached WITHOUT TLS at a remote address"
            )),
            "no warning for {backend}"
        );
    }
}

#[test]
fn the_compose_stack_says_its_backends_are_on_a_private_network() {
    // Its backends are other containers, reached in clear: without the
    // setting, `docker compose up` would stop at agora's start.
    let compose =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml"))
            .unwrap();
    let agora = compose.split("\n  postgres:").next().unwrap();
    for plain in ["postgres://", "redis://", "http://meilisearch"] {
        assert!(agora.contains(plain), "{plain}");
    }
    assert!(agora.contains("AGORA_ALLOW_PLAINTEXT_BACKENDS: \"true\""));
}
