//! Roles: who may use admin routes, and who may grant roles.
use serde_json::Value;

use crate::helpers::{assert_problem, json_of, spawn_app, NOBODY};

#[tokio::test]
async fn a_plain_user_cannot_use_admin_routes() {
    let app = spawn_app().await;
    let user = app.register().await;
    let other = app.register().await;
    let resp = app
        .get_as(&user, &format!("/admin/users/{}", other.id))
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app.grant_role(&user, &other.id, "admin").await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app.get_anon(&format!("/admin/users/{}", other.id)).await;
    assert_problem(resp, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_moderator_may_look_but_not_grant_roles() {
    let app = spawn_app().await;
    let moderator = app.moderator().await;
    let member = app.register().await;
    let resp = app
        .get_as(&moderator, &format!("/admin/users/{}", member.id))
        .await;
    assert_eq!(resp.status(), 200);
    let body = json_of(resp).await;
    assert_eq!(body["profile"]["id"], member.id.as_str());
    assert!(body["phone_masked"].as_str().unwrap().contains("****"));
    let resp = app.grant_role(&moderator, &member.id, "moderator").await;
    assert_problem(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn an_admin_grants_and_revokes_roles_but_not_their_own() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let member = app.register().await;
    let set = |role: &'static str, target: String| {
        let (app, admin) = (&app, &admin);
        async move { app.grant_role(admin, &target, role).await }
    };
    let resp = set("moderator", member.id.clone()).await;
    assert_eq!(resp.status(), 200);
    let me: Value = json_of(app.me(&member).await).await;
    assert_eq!(me["role"], "moderator");
    // The new moderator can now use moderator routes.
    let resp = app
        .get_as(&member, &format!("/admin/users/{}", admin.id))
        .await;
    assert_eq!(resp.status(), 200);

    assert_eq!(set("user", member.id.clone()).await.status(), 200);
    let resp = app
        .get_as(&member, &format!("/admin/users/{}", admin.id))
        .await;
    assert_problem(resp, 403, "forbidden").await;

    assert_problem(set("user", admin.id.clone()).await, 403, "forbidden").await;
    let resp = set("emperor", member.id.clone()).await;
    assert_problem(resp, 400, "validation_failed").await;
    let resp = set("user", NOBODY.into()).await;
    assert_problem(resp, 404, "not_found").await;
}

#[tokio::test]
async fn a_plain_user_is_refused_by_role_before_the_body_is_judged() {
    let app = spawn_app().await;
    let user = app.register().await;
    // An invalid admin body: a plain user learns nothing of its schema.
    for body in [serde_json::json!({}), serde_json::json!({ "name": 7 })] {
        let resp = app.post_as(&user, "/admin/circles", &body).await;
        assert_problem(resp, 403, "forbidden").await;
    }
    let resp = app
        .send_json_as(
            &user,
            reqwest::Method::PUT,
            &format!("/admin/users/{}/role", user.id),
            &serde_json::json!({ "role": "nonsense" }),
        )
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app
        .post_as(
            &user,
            &format!("/admin/posts/{NOBODY}/moderation"),
            &serde_json::json!({}),
        )
        .await;
    assert_problem(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn every_admin_route_refuses_a_plain_user_before_it_reads_anything() {
    let app = spawn_app().await;
    let user = app.register().await;
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/admin/") {
            continue;
        }
        // Every id names nothing, and every body is nonsense: the role
        // decides first.
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { NOBODY } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let resp = app
                .send_json_as(
                    &user,
                    method.clone(),
                    &concrete,
                    &serde_json::json!({ "bogus": [1] }),
                )
                .await;
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap();
            assert_eq!(status, 403, "{method} {path}: {body}");
            assert!(body.contains("\"forbidden\""), "{method} {path}: {body}");
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} admin operations");
}
