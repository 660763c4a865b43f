//! The proof: a user who used every feature, with a marker in everything
//! they gave, deregisters; after the purge no store holds the marker — not
//! the database's bytes, not Redis, not the search index's files, not the
//! media store, not the logs. The peer's own content stays, which shows the
//! sweep looks in the right places.

use redis::AsyncCommands;

use crate::helpers::{
    busy_user, captured_logs, deregister_and_purge, event_body, files_holding, holds, json_of,
    marker, national_id, purge, q, redis_url, short_cooling_off, spawn_app_with, sync,
    timestamp_cast, HasId, TestApp, ALL_EVENT_ITEMS, PASSWORD,
};

fn database_holds(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    if app.config.database_url.is_none() {
        for name in ["agora.db", "agora.db-wal"] {
            let path = app.data_dir.path().join(name);
            if std::fs::read(&path).is_ok_and(|bytes| holds(&bytes, needle)) {
                found.push(path.display().to_string());
            }
        }
    } else {
        let out = std::process::Command::new("pg_dump")
            .args(["--data-only", &app.config.database_url()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if holds(&out.stdout, needle) {
            found.push("pg_dump".into());
        }
    }
    found
}

async fn redis_holds(app: &TestApp, needle: &str) -> Vec<String> {
    let Some(url) = redis_url() else {
        return Vec::new();
    };
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let pattern = format!("{}*", app.config.redis_prefix);
    let keys: Vec<String> = conn.keys(pattern).await.unwrap();
    let mut found = Vec::new();
    for key in keys {
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let values: Vec<Vec<u8>> = match kind.as_str() {
            "string" => vec![conn.get(&key).await.unwrap()],
            "hash" => conn.hvals(&key).await.unwrap(),
            "set" => conn.smembers(&key).await.unwrap(),
            "list" => conn.lrange(&key, 0, -1).await.unwrap(),
            "zset" => conn.zrange(&key, 0, -1).await.unwrap(),
            _ => Vec::new(),
        };
        if holds(key.as_bytes(), needle) || values.iter().any(|v| holds(v, needle)) {
            found.push(format!("redis {key}"));
        }
    }
    found
}

/// Every place that holds `needle`.
async fn places(app: &TestApp, needle: &str) -> Vec<String> {
    let mut found = database_holds(app, needle);
    found.extend(redis_holds(app, needle).await);
    for dir in ["search", "media"] {
        files_holding(&app.data_dir.path().join(dir), needle, &mut found);
    }
    // Meilisearch's own files, when the run uses one whose data directory
    // it can read (the index of every test shares them; markers are unique).
    if let Some(dir) = std::env::var_os("AGORA_TEST_MEILI_DATA_DIR").filter(|d| !d.is_empty()) {
        files_holding(std::path::Path::new(&dir), needle, &mut found);
    }
    if holds(captured_logs().as_bytes(), needle) {
        found.push("logs".into());
    }
    found
}

#[tokio::test]
async fn nothing_of_a_deregistered_account_survives_anywhere() {
    let app = spawn_app_with(short_cooling_off).await;
    let (m, pm) = (marker(), marker());
    let busy = busy_user(&app, &m, &pm, &format!("{m}-device")).await;
    // Readers fill the feed caches with the user's post.
    for path in [
        "/plaza?sort=new".to_owned(),
        format!("/circles/{}/posts", busy.circle),
    ] {
        assert_eq!(app.get_anon(&path).await.status(), 200);
    }
    // Before: the marker is everywhere one would expect.
    let before = places(&app, &m).await;
    if redis_url().is_some() {
        assert!(before.iter().any(|p| p.starts_with("redis")), "{before:?}");
    }
    assert!(
        before
            .iter()
            .any(|p| p.contains("agora.db") || p == "pg_dump"),
        "{before:?}"
    );
    assert!(before.iter().any(|p| p.contains("media")), "{before:?}");
    // The index's files are compressed, so a byte search there proves
    // only absence; the engine itself shows what it held.
    let found = |kind: &str| {
        let query = format!("{}&type={kind}", q(&m));
        let app = &app;
        async move { app.search_ids(&query).await }
    };
    assert_eq!(found("posts").await, [busy.post.as_str()]);
    assert_eq!(found("users").await, [busy.user.id.as_str()]);

    deregister_and_purge(&app, &busy.user, "account", "delete").await;

    assert_eq!(places(&app, &m).await, Vec::<String>::new());
    for kind in ["posts", "users", "comments"] {
        assert!(found(kind).await.is_empty(), "{kind}");
    }
    // The peer's own words stay where they were.
    let peer = places(&app, &pm).await;
    assert!(
        peer.iter()
            .any(|p| p.contains("agora.db") || p == "pg_dump"),
        "{peer:?}"
    );
    assert!(peer.iter().any(|p| p.contains("media")), "{peer:?}");
    assert_eq!(app.login(&busy.user.phone, PASSWORD).await.status(), 401);
    // The peer still reads their side of the conversation, with nobody on the other end.
    let list = app.get_json_as(&busy.peer, "/conversations").await;
    assert_eq!(list["items"][0]["id"], busy.conversation.as_str());
    assert!(list["items"][0]["peer"].is_null());
}

#[tokio::test]
async fn leaving_the_service_keeps_only_the_account() {
    let app = spawn_app_with(short_cooling_off).await;
    let (m, pm) = (marker(), marker());
    let busy = busy_user(&app, &m, &pm, "Pixel 9").await;

    deregister_and_purge(&app, &busy.user, "service", "delete").await;

    assert_eq!(places(&app, &m).await, Vec::<String>::new());
    assert!(!places(&app, &pm).await.is_empty());
    let login = app.login(&busy.user.phone, PASSWORD).await;
    assert_eq!(login.status(), 200);
    let token = json_of(login).await["token"].as_str().unwrap().to_owned();
    let me = app.me(&token).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn message_text_is_never_stored_in_clear() {
    let app = spawn_app_with(|_| {}).await;
    let a = app.register().await;
    let b = app.register().await;
    let conversation = app.open_conversation(&a, &b).await;
    let secret = marker();
    app.send_text(&a, &conversation, &format!("meet at {secret}"))
        .await;
    // Readable through the API, to the two of them...
    let texts = app.messages(&b, &conversation).await;
    assert!(texts[0]["text"].as_str().unwrap().contains(&secret));
    // ...and nowhere in the database's bytes.
    assert_eq!(database_holds(&app, &secret), Vec::<String>::new());
}

#[tokio::test]
async fn what_retention_removes_leaves_no_trace() {
    let app = spawn_app_with(|_| {}).await;
    let author = app.register().await;
    let m = marker();
    let post = app
        .create_post(&author, None, &format!("{m} title"), &format!("{m} body"))
        .await
        .id();
    let comment = app
        .comment(&author, &post, &format!("{m} comment"))
        .await
        .id();
    sync(&app).await;
    assert_eq!(app.get_anon("/plaza?sort=new").await.status(), 200);
    assert!(!places(&app, &m).await.is_empty());
    let deleted = app.delete_comment(&author, &comment).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.delete_post(&author, &post).await.status(), 204);
    // The grace passes.
    use sea_orm::ConnectionTrait;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339();
    let cast = timestamp_cast();
    for table in ["posts", "comments"] {
        app.state
            .db
            .execute_unprepared(&format!(
                "UPDATE {table} SET deleted_at = '{long_ago}'{cast} WHERE deleted_at IS NOT NULL"
            ))
            .await
            .unwrap();
    }
    purge(&app).await;
    assert_eq!(places(&app, &m).await, Vec::<String>::new());
    assert!(app.search_ids(&q(&m)).await.is_empty());
}

#[tokio::test]
async fn a_recalled_message_and_a_withdrawn_city_leave_no_trace() {
    let app = spawn_app_with(|_| {}).await;
    let (a, b) = (app.register().await, app.register().await);
    let (said, sent, city) = (marker(), marker(), marker());
    let conversation = app.open_conversation(&a, &b).await;
    let text = app
        .send_text(&a, &conversation, &format!("{said} text"))
        .await;
    let file = app
        .upload_attachment(&a, format!("{sent} notes\n").into_bytes(), "n.txt")
        .await;
    let attachment = app
        .send_upload(&a, &conversation, "file", &file["id"])
        .await;
    let attachment = json_of(attachment).await;
    app.grant(&a, "location").await;
    assert_eq!(app.set_city(&a, &city).await.status(), 204);
    assert!(!places(&app, &sent).await.is_empty(), "the file is stored");

    for message in [&text, &attachment] {
        assert_eq!(app.recall(&a, message).await.status(), 204);
    }
    assert_eq!(app.set_consent(&a, "location", false).await.status(), 200);
    // At once, not at the next purge: the database's log is reset in the
    // background right after each erasure.
    let mut left = Vec::new();
    for _ in 0..40 {
        left = Vec::new();
        for marker in [&said, &sent, &city] {
            left.extend(places(&app, marker).await);
        }
        if left.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("still held: {left:?}");
}

#[tokio::test]
async fn three_months_after_an_event_none_of_its_registrants_markers_survive() {
    let app = spawn_app_with(|_| {}).await;
    let staff = app.moderator().await;
    let body = event_body("Trial kits", &ALL_EVENT_ITEMS, true);
    let event = app.create_event(&staff, &body).await.id();
    let user = app.register().await;
    app.grant(&user, "event_registration").await;
    let m = marker();
    let number = national_id("19850615", 77);
    let registration = serde_json::json!({
        "real_name": format!("{m}-name"), "gender": "male", "contact_phone": "13912345678",
        "national_id_number": number, "shipping_address": format!("{m}-address"),
        "city": format!("{m}-city"),
    });
    let resp = app.register_for(&user, &event, &registration).await;
    assert_eq!(resp.status(), 201);
    assert!(!places(&app, &m).await.is_empty());
    // A month after the event: kept (the rule's period is three months).
    let ended = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    let cast = timestamp_cast();
    use sea_orm::ConnectionTrait;
    let set_end = |days: i64| {
        format!(
            "UPDATE events SET starts_at = '{}'{cast}, ends_at = '{}'{cast}",
            ended(days + 1),
            ended(days)
        )
    };
    app.state.db.execute_unprepared(&set_end(30)).await.unwrap();
    purge(&app).await;
    assert!(!places(&app, &m).await.is_empty());
    // Past three months: nothing of what they gave, nor who registered;
    // the event keeps the count.
    app.state.db.execute_unprepared(&set_end(91)).await.unwrap();
    purge(&app).await;
    assert_eq!(places(&app, &m).await, Vec::<String>::new());
    assert_eq!(places(&app, &number).await, Vec::<String>::new());
    assert_eq!(app.count("event_registrations").await, 0);
    let seen = app.get_json(&format!("/events/{event}")).await;
    assert_eq!(seen["final_counts"]["pending"], 1, "{seen}");
    assert_eq!(seen["final_counts"]["approved"], 0);
    let mine = app.get_json_as(&user, "/me/event-registrations").await;
    assert!(mine["items"].as_array().unwrap().is_empty(), "{mine}");
}

#[tokio::test]
async fn a_guardians_number_is_kept_nowhere() {
    let app = spawn_app_with(|_| {}).await;
    let staff = app.moderator().await;
    let event = app
        .create_event(
            &staff,
            &event_body("Kids' coding day", &["national_id_number"], false),
        )
        .await
        .id();
    let child = app.register().await;
    app.grant(&child, "guardian_verification").await;
    let guardian = crate::helpers::new_phone();
    let subject = serde_json::json!({ "kind": "event", "id": event });
    let ask = serde_json::json!({ "subject": subject, "guardian_phone": guardian });
    assert_eq!(
        app.post_as(&child, "/guardian-consents/codes", &ask)
            .await
            .status(),
        202
    );
    let code = crate::helpers::guardian_code(&app, &child, &event, &guardian);
    let consent = serde_json::json!({
        "subject": subject, "guardian_phone": guardian, "sms_code": code,
    });
    assert_eq!(
        app.post_as(&child, "/guardian-consents", &consent)
            .await
            .status(),
        201
    );
    // Not the number, not its international form, not its last eight
    // digits: the database, Redis, the index, the media and the logs.
    for needle in [
        guardian.clone(),
        format!("+86{guardian}"),
        guardian[3..].to_owned(),
    ] {
        assert_eq!(
            places(&app, &needle).await,
            Vec::<String>::new(),
            "{needle}"
        );
    }
}

#[tokio::test]
async fn a_prize_winners_details_past_the_tax_period_leave_no_trace() {
    let app = spawn_app_with(|_| {}).await;
    let (admin, winner) = (app.admin().await, app.register().await);
    crate::helpers::give_coins(&app, &admin, &winner.id, 10).await;
    let prize_body = crate::helpers::prize_body(10, 1, "physical");
    let prize = crate::helpers::create_prize(&app, &admin, &prize_body).await;
    let claim = crate::helpers::redeem(&app, &winner, &prize).await;
    app.grant(&winner, "prize_delivery").await;
    let number = national_id("19900101", 11);
    let details = crate::helpers::delivery_body(&marker(), &number, &crate::helpers::new_phone());
    let resp = crate::helpers::give_delivery(&app, &winner, &claim, &details).await;
    assert_eq!(resp.status(), 200);
    // What the database holds: ciphertexts, each a needle of its own.
    let stored: Vec<String> = {
        use sea_orm::ConnectionTrait;
        let backend = app.state.db.get_database_backend();
        let sql = format!(
            "SELECT real_name, national_id, contact_phone, shipping_address FROM reward_claims WHERE id = '{claim}'"
        );
        let row = app
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        (0..4)
            .map(|i| row.try_get_by_index::<String>(i).unwrap())
            .collect()
    };
    assert!(
        !database_holds(&app, &stored[1]).is_empty(),
        "the sweep sees it"
    );
    for step in ["shipment", "delivered"] {
        let body = serde_json::json!({ "carrier": "SF", "tracking_number": "SF1" });
        let path = format!("/admin/rewards/claims/{claim}/{step}");
        assert_eq!(app.post_as(&admin, &path, &body).await.status(), 200);
    }
    use sea_orm::ConnectionTrait;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(3654)).to_rfc3339();
    let cast = timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE reward_claims SET delivered_at = '{long_ago}'{cast} WHERE id = '{claim}'"
        ))
        .await
        .unwrap();
    purge(&app).await;
    for value in stored.iter().chain([&number]) {
        assert_eq!(places(&app, value).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn an_installed_apps_list_is_kept_nowhere_and_a_program_past_its_term_leaves_no_applicant() {
    let app = spawn_app_with(|_| {}).await;
    let program = app.open_program(&crate::helpers::program_body(3)).await;
    let user = app.register().await;
    app.grant(&user, "beta_program").await;
    // A marker app, not one the program watches: only the verdict stays.
    let private_app = format!("com.private.{}", marker());
    let answer = marker();
    let mut body = crate::helpers::beta_application(
        "13912345678",
        Some(&[private_app.as_str(), "com.other.store"]),
    );
    body["answers"] = serde_json::json!([answer]);
    let created = app.apply_to_program(&user, &program, &body).await;
    assert_eq!(created.status(), 201);
    let created = json_of(created).await;
    assert_eq!(
        created["screening"]["watched_present"],
        serde_json::json!(["com.other.store"])
    );
    assert_eq!(places(&app, &private_app).await, Vec::<String>::new());
    // The answer is kept while the program runs (the sweep sees it) …
    assert!(!places(&app, &answer).await.is_empty(), "the sweep sees it");
    // … and nowhere once the program ended more than 90 days ago.
    use sea_orm::ConnectionTrait;
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(91)).to_rfc3339();
    let cast = timestamp_cast();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE beta_programs SET opens_at = '{long_ago}'{cast}, closes_at = '{long_ago}'{cast}, ends_at = '{long_ago}'{cast} WHERE id = '{program}'"
        ))
        .await
        .unwrap();
    purge(&app).await;
    assert_eq!(places(&app, &answer).await, Vec::<String>::new());
    assert_eq!(places(&app, &private_app).await, Vec::<String>::new());
}
