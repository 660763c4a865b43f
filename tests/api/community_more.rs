use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, fields, generous_limits, json_of, spawn_app_with, TestApp, TestUser,
};

async fn new_post(app: &TestApp, user: &TestUser, body: Value) -> String {
    let resp = app
        .post("/posts")
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    json_of(resp).await["id"].as_str().unwrap().to_owned()
}

async fn plaza_ids(app: &TestApp, user: Option<&TestUser>, query: &str) -> Vec<String> {
    let mut req = app.get(&format!("/plaza{query}"));
    if let Some(u) = user {
        req = req.bearer_auth(&u.token);
    }
    let page = json_of(req.send().await.unwrap()).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn follows_and_the_following_feed() {
    let app = spawn_app_with(generous_limits).await;
    let me = app.register().await;
    let star = app.register().await;
    let stranger = app.register().await;
    assert_eq!(
        app.put(&format!("/users/{}/follow", star.id))
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        app.put(&format!("/users/{}/follow", star.id))
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let resp = app
        .put(&format!("/users/{}/follow", me.id))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        fields(&assert_problem(resp, 400, "validation_failed").await),
        ["id"]
    );
    let resp = app
        .put("/users/01900000-0000-7000-8000-000000000000/follow")
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404, "not_found").await;

    let followers = json_of(
        app.get(&format!("/users/{}/followers", star.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(followers["items"].as_array().unwrap().len(), 1);
    assert_eq!(followers["items"][0]["id"], me.id.as_str());
    let following = json_of(
        app.get(&format!("/users/{}/following", me.id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(following["items"][0]["id"], star.id.as_str());

    let starred = new_post(
        &app,
        &star,
        json!({ "title": "from the star", "body": "b" }),
    )
    .await;
    new_post(
        &app,
        &stranger,
        json!({ "title": "from a stranger", "body": "b" }),
    )
    .await;
    let feed = json_of(
        app.get("/feed/following")
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ids: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [starred.as_str()]);

    assert_eq!(
        app.delete(&format!("/users/{}/follow", star.id))
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let feed = json_of(
        app.get("/feed/following")
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(feed["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn reports_reach_moderators_whose_actions_are_audited() {
    let app = spawn_app_with(generous_limits).await;
    let author = app.register().await;
    let reader = app.register().await;
    let moderator = app.register().await;
    app.set_role(&moderator.id, "moderator").await;
    let bad = new_post(
        &app,
        &author,
        json!({ "title": "spam spam", "body": "buy now" }),
    )
    .await;
    let good = new_post(&app, &author, json!({ "title": "good", "body": "fine" })).await;

    let resp = app
        .post("/reports")
        .bearer_auth(&reader.token)
        .json(&json!({ "target_type": "post", "target_id": bad, "reason": "advertising" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = app.post("/reports").bearer_auth(&reader.token).json(&json!({ "target_type": "post", "target_id": "01900000-0000-7000-8000-000000000000", "reason": "x" })).send().await.unwrap();
    assert_eq!(
        fields(&assert_problem(resp, 400, "validation_failed").await),
        ["target_id"]
    );

    assert_problem(
        app.get("/admin/reports")
            .bearer_auth(&reader.token)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    let queue = json_of(
        app.get("/admin/reports")
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(queue["items"][0]["target_id"], bad.as_str());
    assert_eq!(queue["items"][0]["reason"], "advertising");

    let moderate = |id: &str, action: &str, who: &TestUser| {
        app.post(&format!("/admin/posts/{id}/moderation"))
            .bearer_auth(&who.token)
            .json(&json!({ "action": action, "reason": "rule 3" }))
            .send()
    };
    assert_problem(
        moderate(&bad, "hide", &reader).await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        plaza_ids(&app, None, "?sort=new").await,
        [good.clone(), bad.clone()],
        "warms the cache"
    );
    assert_eq!(
        moderate(&bad, "hide", &moderator).await.unwrap().status(),
        204
    );
    assert_eq!(
        plaza_ids(&app, None, "?sort=new").await,
        [good.as_str()],
        "hidden at once, cache or not"
    );
    assert_problem(
        app.get(&format!("/posts/{bad}")).send().await.unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get(&format!("/posts/{bad}"))
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let queue = json_of(
        app.get("/admin/reports")
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        queue["items"].as_array().unwrap().is_empty(),
        "the decision resolved the report"
    );

    assert_eq!(
        moderate(&bad, "restore", &moderator)
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        moderate(&bad, "pin", &moderator).await.unwrap().status(),
        204
    );
    assert_eq!(
        plaza_ids(&app, None, "?sort=new").await,
        [bad.clone(), good.clone()],
        "pinned first"
    );
    assert_eq!(
        moderate(&bad, "lock", &moderator).await.unwrap().status(),
        204
    );
    let resp = app
        .post(&format!("/posts/{bad}/comments"))
        .bearer_auth(&reader.token)
        .json(&json!({ "body": "hi" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 409, "locked").await;
    let resp = moderate(&bad, "explode", &moderator).await.unwrap();
    assert_eq!(
        fields(&assert_problem(resp, 400, "validation_failed").await),
        ["action"]
    );

    let comment = json_of(
        app.post(&format!("/posts/{good}/comments"))
            .bearer_auth(&reader.token)
            .json(&json!({ "body": "rude" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cid = comment["id"].as_str().unwrap();
    let resp = app
        .post(&format!("/admin/comments/{cid}/moderation"))
        .bearer_auth(&moderator.token)
        .json(&json!({ "action": "pin", "reason": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fields(&assert_problem(resp, 400, "validation_failed").await),
        ["action"]
    );
    let resp = app
        .post(&format!("/admin/comments/{cid}/moderation"))
        .bearer_auth(&moderator.token)
        .json(&json!({ "action": "hide", "reason": "rude" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let comments = json_of(
        app.get(&format!("/posts/{good}/comments"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(comments["items"].as_array().unwrap().is_empty());

    let log = json_of(
        app.get("/admin/audit-log")
            .bearer_auth(&moderator.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["hide", "lock", "pin", "restore", "hide"]);
    assert_eq!(log["items"][0]["moderator_id"], moderator.id.as_str());
    assert_eq!(log["items"][0]["reason"], "rude");
}

#[tokio::test]
async fn the_cached_first_page_shows_my_new_post_and_new_likes_at_once() {
    let app = spawn_app_with(generous_limits).await;
    let me = app.register().await;
    let fan = app.register().await;
    let first = new_post(&app, &me, json!({ "title": "one", "body": "b" })).await;
    assert_eq!(plaza_ids(&app, Some(&me), "").await, [first.as_str()]);
    let second = new_post(&app, &me, json!({ "title": "two", "body": "b" })).await;
    assert_eq!(
        plaza_ids(&app, Some(&me), "?sort=new").await,
        [second.clone(), first.clone()]
    );
    assert_eq!(
        plaza_ids(&app, Some(&me), "").await.len(),
        2,
        "the cached hot page was invalidated"
    );
    // liked_by_me is per viewer even though the page is shared.
    app.put(&format!("/posts/{first}/like"))
        .bearer_auth(&fan.token)
        .send()
        .await
        .unwrap();
    let page = json_of(
        app.get("/plaza?sort=new")
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let liked: Vec<bool> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["liked_by_me"].as_bool().unwrap())
        .collect();
    assert_eq!(liked, [false, true]);
    assert_eq!(page["items"][1]["like_count"], 1);
    let page = json_of(
        app.get("/plaza?sort=new")
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["items"][1]["liked_by_me"], false);
}

#[tokio::test]
async fn joined_circles_are_boosted_only_for_users_who_granted_recommendations() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let circle = json_of(
        app.post("/admin/circles")
            .bearer_auth(&admin.token)
            .json(&json!({ "name": "Redmi", "kind": "product", "description": "" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cid = circle["id"].as_str().unwrap();
    let author = app.register().await;
    let in_circle = new_post(
        &app,
        &author,
        json!({ "title": "circle post", "body": "b", "circle_id": cid }),
    )
    .await;
    let plaza_post = new_post(&app, &author, json!({ "title": "plaza post", "body": "b" })).await;
    let fan = app.register().await;
    let other = app.register().await;
    for u in [&fan, &other] {
        app.put(&format!("/circles/{cid}/membership"))
            .bearer_auth(&u.token)
            .send()
            .await
            .unwrap();
    }
    let normal = vec![plaza_post.clone(), in_circle.clone()];
    assert_eq!(plaza_ids(&app, Some(&fan), "").await, normal);
    app.put("/me/consents/personalized_recommendations")
        .bearer_auth(&fan.token)
        .json(&json!({ "granted": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        plaza_ids(&app, Some(&fan), "").await,
        [in_circle.clone(), plaza_post.clone()]
    );
    assert_eq!(
        plaza_ids(&app, Some(&other), "").await,
        normal,
        "others get the same plaza"
    );
    assert_eq!(plaza_ids(&app, None, "").await, normal);
    // Paging the boosted feed neither skips nor repeats.
    let page = json_of(
        app.get("/plaza?limit=1")
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = json_of(
        app.get(&format!("/plaza?limit=1&cursor={cursor}"))
            .bearer_auth(&fan.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(next["items"][0]["id"], plaza_post.as_str());
    app.put("/me/consents/personalized_recommendations")
        .bearer_auth(&fan.token)
        .json(&json!({ "granted": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        plaza_ids(&app, Some(&fan), "").await,
        normal,
        "withdrawal applies at once"
    );
}

#[tokio::test]
async fn seed_demo_fills_an_empty_database_with_a_living_plaza_once() {
    let app = crate::helpers::spawn_app().await;
    let seeded = agora::community::seed::seed_demo(&app.state).await.unwrap();
    assert!(seeded.circles >= 6 && seeded.posts >= 10 && seeded.users.len() >= 10);
    let plaza = json_of(app.get("/plaza?limit=50").send().await.unwrap()).await;
    let titles: Vec<&str> = plaza["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), seeded.posts);
    assert!(titles.iter().any(|t| t.contains("小米")), "Chinese posts");
    assert!(
        titles.iter().any(|t| t.contains("Battery")),
        "English posts"
    );
    assert!(plaza["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["like_count"].as_i64().unwrap() > 0));
    let kinds = json_of(app.get("/circles?kind=city").send().await.unwrap()).await;
    assert!(!kinds["items"].as_array().unwrap().is_empty());
    // A demo account can log in.
    let (phone, _) = &seeded.users[0];
    let resp = app
        .post("/auth/login")
        .json(&json!({ "phone": phone, "password": agora::community::seed::DEMO_PASSWORD, "consents": ["account"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A second run refuses: the database is no longer empty.
    assert!(agora::community::seed::seed_demo(&app.state).await.is_err());
}
