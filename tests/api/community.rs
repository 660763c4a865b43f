use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::{
    helpers::{
        assert_problem, fields, generous_limits, json_of, spawn_app, spawn_app_with, TestApp,
        TestUser,
    },
    uploads::{png_bytes, upload},
};

async fn make_circle(app: &TestApp, admin: &TestUser, name: &str, kind: &str) -> Value {
    let resp = app
        .post("/admin/circles")
        .bearer_auth(&admin.token)
        .json(&json!({ "name": name, "kind": kind, "description": format!("all about {name}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    json_of(resp).await
}

async fn post(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post("/posts")
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn new_post(app: &TestApp, user: &TestUser, title: &str) -> Value {
    let resp = post(app, user, json!({ "title": title, "body": "正文 body" })).await;
    assert_eq!(resp.status(), 201);
    json_of(resp).await
}

#[tokio::test]
async fn a_member_posts_with_images_in_a_circle_and_the_community_answers() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let circle = make_circle(&app, &admin, "Xiaomi 14", "product").await;
    let cid = circle["id"].as_str().unwrap();
    let fan = app.register().await;
    let friend = app.register().await;

    let joined = json_of(
        app.put(&format!("/circles/{cid}/membership"))
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(joined["joined"], true);
    assert_eq!(joined["member_count"], 1);
    // Joining twice changes nothing.
    let again = json_of(
        app.put(&format!("/circles/{cid}/membership"))
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again["member_count"], 1);
    let mine = json_of(
        app.get("/me/circles")
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(mine["items"][0]["id"], cid);

    let a: Value = upload(&app, &fan.token, png_bytes(), "a.png")
        .await
        .json()
        .await
        .unwrap();
    let b: Value = upload(&app, &fan.token, png_bytes(), "b.png")
        .await
        .json()
        .await
        .unwrap();
    let resp = post(
        &app,
        &fan,
        json!({
            "circle_id": cid, "title": "徕卡影像体验", "body": "**Leica** colours are great",
            "image_upload_ids": [a["id"], b["id"]], "device_model": "Xiaomi 14 Ultra",
        }),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let created = json_of(resp).await;
    let pid = created["id"].as_str().unwrap();
    assert_eq!(created["author"]["id"], fan.id.as_str());
    assert_eq!(created["images"].as_array().unwrap().len(), 2);
    assert_eq!(created["images"][0]["id"], a["id"]);
    assert_eq!(created["device_model"], "Xiaomi 14 Ultra");

    let comment = json_of(
        app.post(&format!("/posts/{pid}/comments"))
            .bearer_auth(&friend.token)
            .json(&json!({ "body": "好看!" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let reply = app
        .post(&format!("/posts/{pid}/comments"))
        .bearer_auth(&fan.token)
        .json(&json!({ "body": "谢谢", "parent_id": comment["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let reply = json_of(reply).await;
    assert_eq!(reply["parent_id"], comment["id"]);
    // Replies go one level deep only.
    let resp = app
        .post(&format!("/posts/{pid}/comments"))
        .bearer_auth(&friend.token)
        .json(&json!({ "body": "deeper", "parent_id": reply["id"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fields(&assert_problem(resp, 400, "validation_failed").await),
        ["parent_id"]
    );

    let liked = json_of(
        app.put(&format!("/posts/{pid}/like"))
            .bearer_auth(&friend.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(liked, json!({ "liked": true, "like_count": 1 }));
    let liked = json_of(
        app.put(&format!("/posts/{pid}/like"))
            .bearer_auth(&friend.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(liked["like_count"], 1, "liking twice is one like");
    let cl = json_of(
        app.put(&format!(
            "/comments/{}/like",
            comment["id"].as_str().unwrap()
        ))
        .bearer_auth(&fan.token)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(cl["like_count"], 1);

    let seen = json_of(
        app.get(&format!("/posts/{pid}"))
            .bearer_auth(&friend.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(seen["like_count"], 1);
    assert_eq!(seen["comment_count"], 2);
    assert_eq!(seen["liked_by_me"], true);
    let anonymous = json_of(app.get(&format!("/posts/{pid}")).send().await.unwrap()).await;
    assert_eq!(anonymous["liked_by_me"], false);

    let comments = json_of(
        app.get(&format!("/posts/{pid}/comments"))
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let items = comments["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["liked_by_me"], true);

    for path in [
        "/plaza".to_owned(),
        format!("/circles/{cid}/posts"),
        format!("/circles/{cid}/posts?sort=new"),
    ] {
        let feed = json_of(app.get(&path).send().await.unwrap()).await;
        assert_eq!(feed["items"][0]["id"], pid, "{path}");
    }
    let circle = json_of(app.get(&format!("/circles/{cid}")).send().await.unwrap()).await;
    assert_eq!(circle["post_count"], 1);

    let unliked = json_of(
        app.delete(&format!("/posts/{pid}/like"))
            .bearer_auth(&friend.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unliked, json!({ "liked": false, "like_count": 0 }));
    let left = json_of(
        app.delete(&format!("/circles/{cid}/membership"))
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(left["joined"], false);
    assert_eq!(left["member_count"], 0);
}

#[tokio::test]
async fn a_hundred_concurrent_likes_count_a_hundred() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let pid = new_post(&app, &author, "like me").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = join_all((0..100).map(|_| app.register())).await;
    let responses = join_all(users.iter().map(|u| {
        app.put(&format!("/posts/{pid}/like"))
            .bearer_auth(&u.token)
            .send()
    }))
    .await;
    for resp in responses {
        assert_eq!(resp.unwrap().status(), 200);
    }
    // The same user racing with themselves still counts once.
    let doubles = join_all((0..5).map(|_| {
        app.put(&format!("/posts/{pid}/like"))
            .bearer_auth(&users[0].token)
            .send()
    }))
    .await;
    assert!(doubles.into_iter().all(|r| r.unwrap().status() == 200));
    let seen = json_of(app.get(&format!("/posts/{pid}")).send().await.unwrap()).await;
    assert_eq!(seen["like_count"], 100);
    assert_eq!(app.count("post_likes").await, 100);
}

async fn collect(
    app: &TestApp,
    sort: &str,
    limit: usize,
    pages: usize,
    between: impl AsyncFnMut(),
) -> Vec<String> {
    let mut between = between;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        let mut path = format!("/plaza?sort={sort}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = json_of(app.get(&path).send().await.unwrap()).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
        between().await;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn feed_pages_neither_skip_nor_repeat_when_posts_arrive_between_them() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let mut originals = Vec::new();
    for i in 0..25 {
        originals.push(
            new_post(&app, &author, &format!("post {i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for sort in ["new", "hot"] {
        let seen = collect(&app, sort, 10, 10, async || {
            new_post(&app, &author, "arrived late").await;
        })
        .await;
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort}: a post repeated");
        for id in &originals {
            assert!(seen.contains(id), "{sort}: post {id} was skipped");
        }
    }
}

#[tokio::test]
async fn bad_posts_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let other = app.register().await;
    let theirs: Value = upload(&app, &other.token, png_bytes(), "x.png")
        .await
        .json()
        .await
        .unwrap();
    let mine: Value = upload(&app, &user.token, png_bytes(), "y.png")
        .await
        .json()
        .await
        .unwrap();
    let ten: Vec<Value> = (0..10).map(|_| mine["id"].clone()).collect();
    let cases = [
        (json!({ "title": "t".repeat(201), "body": "b" }), "title"),
        (json!({ "title": "t", "body": "b".repeat(50_001) }), "body"),
        (json!({ "title": "   ", "body": "b" }), "title"),
        (
            json!({ "title": "t", "body": "b", "image_upload_ids": ten }),
            "image_upload_ids",
        ),
        (
            json!({ "title": "t", "body": "b", "image_upload_ids": [theirs["id"]] }),
            "image_upload_ids[0]",
        ),
        (
            json!({ "title": "t", "body": "b", "circle_id": "01900000-0000-7000-8000-000000000000" }),
            "circle_id",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            post(&app, &user, body.clone()).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(
            fields(&problem),
            [field],
            "{}",
            &body.to_string()[..body.to_string().len().min(80)]
        );
    }
    assert_eq!(app.count("posts").await, 0);
    assert_eq!(app.count("post_images").await, 0);
}

#[tokio::test]
async fn one_post_per_fifteen_seconds() {
    let app = spawn_app().await;
    let user = app.register().await;
    new_post(&app, &user, "first").await;
    let resp = post(
        &app,
        &user,
        json!({ "title": "second", "body": "too soon" }),
    )
    .await;
    assert!(resp.headers().get("retry-after").is_some());
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn a_diagnostic_log_needs_its_optional_grant() {
    let app = spawn_app_with(generous_limits).await;
    let user = app.register().await;
    let log: Value = upload(&app, &user.token, png_bytes(), "log.png")
        .await
        .json()
        .await
        .unwrap();
    let body = json!({ "title": "bug", "body": "it crashes", "log_upload_id": log["id"] });
    let problem = assert_problem(
        post(&app, &user, body.clone()).await,
        403,
        "consent_required",
    )
    .await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "diagnostic_logs", "items": ["diagnostic_log"] }])
    );
    assert_eq!(app.count("posts").await, 0);
    let resp = app
        .put("/me/consents/diagnostic_logs")
        .bearer_auth(&user.token)
        .json(&json!({ "granted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(post(&app, &user, body).await.status(), 201);
}

#[tokio::test]
async fn authors_edit_with_history_and_delete_and_others_may_not() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let stranger = app.register().await;
    let moderator = app.register().await;
    app.set_role(&moderator.id, "moderator").await;
    let pid = new_post(&app, &author, "v1 title").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let resp = app
        .patch(&format!("/posts/{pid}"))
        .bearer_auth(&stranger.token)
        .json(&json!({ "title": "hacked" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "forbidden").await;
    let edited = json_of(
        app.patch(&format!("/posts/{pid}"))
            .bearer_auth(&author.token)
            .json(&json!({ "title": "v2 title" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(edited["title"], "v2 title");
    assert!(edited["edited_at"].is_string());
    let history = json_of(
        app.get(&format!("/posts/{pid}/revisions"))
            .bearer_auth(&author.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(history[0]["title"], "v1 title");
    assert_eq!(
        app.get(&format!("/posts/{pid}/revisions"))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_problem(
        app.get(&format!("/posts/{pid}/revisions"))
            .bearer_auth(&stranger.token)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;

    assert_problem(
        app.delete(&format!("/posts/{pid}"))
            .bearer_auth(&stranger.token)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        app.delete(&format!("/posts/{pid}"))
            .bearer_auth(&author.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_problem(
        app.get(&format!("/posts/{pid}")).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    let feed = json_of(app.get("/plaza").send().await.unwrap()).await;
    assert!(
        feed["items"].as_array().unwrap().is_empty(),
        "a deleted post leaves the feed at once"
    );

    let other = new_post(&app, &stranger, "spam").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.delete(&format!("/posts/{other}"))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn every_community_write_needs_a_session_and_admin_routes_an_admin() {
    let app = spawn_app().await;
    let id = "01900000-0000-7000-8000-000000000000";
    let writes = [
        ("POST", "/posts".to_owned()),
        ("PATCH", format!("/posts/{id}")),
        ("DELETE", format!("/posts/{id}")),
        ("PUT", format!("/posts/{id}/like")),
        ("DELETE", format!("/posts/{id}/like")),
        ("POST", format!("/posts/{id}/comments")),
        ("DELETE", format!("/comments/{id}")),
        ("PUT", format!("/comments/{id}/like")),
        ("DELETE", format!("/comments/{id}/like")),
        ("PUT", format!("/circles/{id}/membership")),
        ("DELETE", format!("/circles/{id}/membership")),
        ("POST", "/admin/circles".to_owned()),
        ("PATCH", format!("/admin/circles/{id}")),
        ("PUT", format!("/users/{id}/follow")),
        ("DELETE", format!("/users/{id}/follow")),
        ("POST", "/reports".to_owned()),
        ("POST", format!("/admin/posts/{id}/moderation")),
        ("POST", format!("/admin/comments/{id}/moderation")),
    ];
    for (method, path) in &writes {
        let resp = app
            .api(method.parse().unwrap(), path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{method} {path}");
    }
    let user = app.register().await;
    let resp = app
        .post("/admin/circles")
        .bearer_auth(&user.token)
        .json(&json!({ "name": "n", "kind": "club", "description": "" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "forbidden").await;
    let admin = app.admin().await;
    let circle = make_circle(&app, &admin, "上海同城会", "city").await;
    let resp = app
        .patch(&format!(
            "/admin/circles/{}",
            circle["id"].as_str().unwrap()
        ))
        .bearer_auth(&user.token)
        .json(&json!({ "name": "mine" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "forbidden").await;
    let resp = app
        .post("/admin/circles")
        .bearer_auth(&admin.token)
        .json(&json!({ "name": "上海同城会", "kind": "city", "description": "" }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 409, "conflict").await;
    assert_eq!(fields(&problem), ["name"]);
    let cities = json_of(app.get("/circles?kind=city").send().await.unwrap()).await;
    assert_eq!(cities["items"].as_array().unwrap().len(), 1);
    let clubs = json_of(app.get("/circles?kind=club").send().await.unwrap()).await;
    assert!(clubs["items"].as_array().unwrap().is_empty());
    assert_problem(
        app.get(&format!("/circles/{id}/posts"))
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn one_comment_per_five_seconds_and_fifty_likes_a_minute() {
    let app = spawn_app_with(|c| {
        generous_limits(c);
        c.rate_limits.insert(
            agora::platform::ratelimit::ActionClass::CommentCreate,
            "1/5s".parse().unwrap(),
        );
        c.rate_limits.insert(
            agora::platform::ratelimit::ActionClass::Like,
            "50/1m".parse().unwrap(),
        );
    })
    .await;
    let user = app.register().await;
    let mut ids = Vec::new();
    for i in 0..51 {
        ids.push(
            new_post(&app, &user, &format!("p{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let comment = |body: &'static str| {
        app.post(&format!("/posts/{}/comments", ids[0]))
            .bearer_auth(&user.token)
            .json(&json!({ "body": body }))
            .send()
    };
    assert_eq!(comment("first").await.unwrap().status(), 201);
    assert_problem(comment("second").await.unwrap(), 429, "rate_limited").await;
    for id in &ids[..50] {
        assert_eq!(
            app.put(&format!("/posts/{id}/like"))
                .bearer_auth(&user.token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_problem(
        app.put(&format!("/posts/{}/like", ids[50]))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap(),
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn a_resent_post_with_the_same_client_id_is_not_posted_twice() {
    let app = spawn_app().await;
    let user = app.register().await;
    let body =
        json!({ "client_id": "3f2c7a9e-retry", "title": "flaky network", "body": "sent twice" });
    let first = json_of(post(&app, &user, body.clone()).await).await;
    // The retry comes within the flood window: it is the same post, not a 429.
    let resp = post(&app, &user, body).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(json_of(resp).await["id"], first["id"]);
    assert_eq!(app.count("posts").await, 1);
    // Another user may use the same key for their own post.
    let other = app.register().await;
    let theirs = json_of(
        post(
            &app,
            &other,
            json!({ "client_id": "3f2c7a9e-retry", "title": "t", "body": "b" }),
        )
        .await,
    )
    .await;
    assert_ne!(theirs["id"], first["id"]);
}
