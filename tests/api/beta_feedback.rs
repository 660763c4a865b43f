//! A beta program's feedback circle: opened with the program, closed to
//! all but its approved testers and staff. Testers post feedback there,
//! with a diagnostic log; nobody else finds the circle or its posts — not
//! in the circle lists, the plaza, a following feed or search, and not by
//! id (404) — and a tester removed loses it on the next request.
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, expect_status, generous_limits, items_of, program_body, q, spawn_app_with,
    sync, HasId, TestApp, TestUser,
};

/// What `who` gets for each read of a closed circle and its post.
async fn reads(app: &TestApp, who: Option<&TestUser>, circle: &str, post: &str) -> Vec<u16> {
    let paths = [
        format!("/circles/{circle}"),
        format!("/circles/{circle}/posts"),
        format!("/posts/{post}"),
        format!("/posts/{post}/comments"),
    ];
    let mut codes = Vec::new();
    for path in paths {
        let resp = match who {
            Some(user) => app.get_as(user, &path).await,
            None => app.get_anon(&path).await,
        };
        codes.push(resp.status().as_u16());
    }
    codes
}

fn titles(page: &Value) -> Vec<String> {
    items_of(page)
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_programs_feedback_circle_is_seen_only_by_its_testers_and_staff() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let program = app.open_program(&program_body(2)).await;
    let view = app.get_json(&format!("/beta/programs/{program}")).await;
    let circle = view["feedback_circle_id"].as_str().unwrap().to_owned();
    let (tester, approved) = app.beta_applicant(&program, "13912345601").await;
    let resp = app
        .decide_beta(&staff, &program, &approved.id(), "approve", None)
        .await;
    expect_status(resp, 200).await;
    let (waiting, _) = app.beta_applicant(&program, "13912345602").await;
    let outsider = app.register().await;

    // The tester joins and posts feedback with a diagnostic log.
    let joined = expect_status(
        app.put_as(&tester, &format!("/circles/{circle}/membership"))
            .await,
        200,
    )
    .await;
    assert_eq!(joined["name"], "HyperOS 3 developer beta · feedback");
    app.grant(&tester, "diagnostic_logs").await;
    let log = app.upload_log_ok(&tester).await;
    let body = json!({
        "circle_id": circle, "title": "Camera freezes QZX7FEEDBACK",
        "body": "After a video call.", "log_upload_id": log["id"],
    });
    let post = expect_status(app.try_create_post(&tester, body).await, 201).await;
    let post_id = post.id();
    assert_eq!(post["diagnostic_log"]["id"], log["id"]);
    let comment = json!({ "body": "Same here." });
    let path = format!("/posts/{post_id}/comments");
    expect_status(app.post_as(&tester, &path, &comment).await, 201).await;

    // Testers and staff read it all; staff see the log.
    for who in [&tester, &staff] {
        assert_eq!(reads(&app, Some(who), &circle, &post_id).await, [200; 4]);
    }
    let seen = app.get_json_as(&staff, &format!("/posts/{post_id}")).await;
    assert_eq!(seen["diagnostic_log"]["id"], log["id"]);
    let feed = app
        .get_json_as(&tester, &format!("/circles/{circle}/posts"))
        .await;
    assert_eq!(titles(&feed), ["Camera freezes QZX7FEEDBACK"]);

    // Nobody else: an applicant still waiting, a stranger, no session.
    for who in [Some(&waiting), Some(&outsider), None] {
        assert_eq!(reads(&app, who, &circle, &post_id).await, [404; 4]);
    }
    for (method, path) in [
        (Method::PUT, format!("/circles/{circle}/membership")),
        (Method::DELETE, format!("/circles/{circle}/membership")),
        (Method::PUT, format!("/posts/{post_id}/like")),
        (Method::DELETE, format!("/posts/{post_id}")),
        (Method::GET, format!("/posts/{post_id}/revisions")),
    ] {
        let resp = app.send_as(&outsider, method, &path).await;
        assert_problem(resp, 404, "not_found").await;
    }
    let resp = app
        .send_json_as(
            &outsider,
            Method::PATCH,
            &format!("/posts/{post_id}"),
            &json!({ "title": "Mine" }),
        )
        .await;
    assert_problem(resp, 404, "not_found").await;
    let report = json!({ "target_type": "post", "target_id": post_id, "reason": "Spam." });
    let resp = app.post_as(&outsider, "/reports", &report).await;
    assert_problem(resp, 404, "not_found").await;
    let resp = app.post_as(&tester, "/reports", &report).await;
    assert_eq!(resp.status(), 201, "a tester reports what they see");
    let resp = app.post_as(&outsider, &path, &comment).await;
    assert_problem(resp, 404, "not_found").await;
    let elsewhere = json!({ "circle_id": circle, "title": "Hi", "body": "In." });
    let resp = app.try_create_post(&outsider, elsewhere).await;
    assert_problem(resp, 404, "not_found").await;
    // Nor found through a list, a feed or search, where a public post
    // with the same words is.
    let public = json!({ "title": "Public QZX7FEEDBACK", "body": "Out here." });
    expect_status(app.try_create_post(&waiting, public).await, 201).await;
    let circles = app.get_json_as(&outsider, "/circles").await;
    assert!(items_of(&circles)
        .iter()
        .all(|c| c["id"] != circle.as_str()));
    let mine = app.get_json_as(&tester, "/me/circles").await;
    assert!(items_of(&mine).iter().all(|c| c["id"] != circle.as_str()));
    for sort in ["hot", "new"] {
        let plaza = app
            .get_json_as(&outsider, &format!("/plaza?sort={sort}"))
            .await;
        assert_eq!(titles(&plaza), ["Public QZX7FEEDBACK"], "{sort}");
    }
    for author in [&tester, &waiting] {
        let follow = format!("/users/{}/follow", author.id);
        let resp = app.send_as(&outsider, Method::PUT, &follow).await;
        assert_eq!(resp.status(), 204);
    }
    let following = app.get_json_as(&outsider, "/feed/following").await;
    assert_eq!(titles(&following), ["Public QZX7FEEDBACK"]);
    sync(&app).await;
    let found = app.search(&q("QZX7FEEDBACK")).await;
    assert_eq!(titles(&json!({ "items": found })), ["Public QZX7FEEDBACK"]);
    let found = app.search(&q("feedback")).await;
    assert!(
        found
            .iter()
            .all(|d| d["id"] != circle.as_str() && d["id"] != post_id.as_str()),
        "{found:?}"
    );

    // Removed, the tester loses the circle and the thread; their own post
    // stays theirs to read.
    let resp = app
        .decide_beta(&staff, &program, &approved.id(), "reject", Some("Done."))
        .await;
    expect_status(resp, 200).await;
    let codes = reads(&app, Some(&tester), &circle, &post_id).await;
    assert_eq!(codes, [404, 404, 200, 404]);
    let resp = app.post_as(&tester, &path, &comment).await;
    assert_problem(resp, 404, "not_found").await;
    // Their membership stays theirs to end.
    let leave = format!("/circles/{circle}/membership");
    let left = expect_status(app.send_as(&tester, Method::DELETE, &leave).await, 200).await;
    assert_eq!(left["member_count"], 0, "{left}");
    let resp = app.send_as(&tester, Method::DELETE, &leave).await;
    assert_problem(resp, 404, "not_found").await;
    let again = json!({ "circle_id": circle, "title": "More", "body": "Still." });
    let resp = app.try_create_post(&tester, again).await;
    assert_problem(resp, 404, "not_found").await;
}

#[tokio::test]
async fn a_program_opened_before_feedback_circles_gets_one_when_migrating() {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let before = migration::Migrator::migrations().len() as u32 - 1;
    migration::Migrator::up(&db, Some(before)).await.unwrap();
    let id = "0190a0b0-0000-7000-8000-00000000abcd";
    let long = "An older program whose name runs on well past what a circle name holds";
    db.execute_unprepared(&format!(
        "INSERT INTO beta_programs (id, name, description, device_models, capacity, opens_at, \
         closes_at, ends_at, questions, watched_apps, created_at, updated_at) VALUES \
         ('{id}', '{long}', '', '[]', 5, '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z', \
         '2026-12-30T00:00:00Z', '[]', '[]', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')"
    ))
    .await
    .unwrap();
    migration::Migrator::up(&db, None).await.unwrap();
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            format!(
                "SELECT c.name, c.gate FROM beta_programs p JOIN circles c \
                 ON c.id = p.feedback_circle_id WHERE p.id = '{id}'"
            ),
        ))
        .await
        .unwrap()
        .expect("the program has its circle");
    let name: String = row.try_get_by_index(0).unwrap();
    let gate: String = row.try_get_by_index(1).unwrap();
    assert_eq!(gate, format!("beta_program:{id}"));
    assert!(name.chars().count() <= 64, "{name}");
    assert!(name.ends_with(" · feedback · 00abcd"), "{name}");
}
