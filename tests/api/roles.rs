//! Roles: who may use admin routes, and who may grant roles.
use reqwest::Method;
use serde_json::{json, Value};

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
    let resp = app
        .send_json_as(
            &user,
            Method::PUT,
            &format!("/admin/users/{}/role", other.id),
            &json!({ "role": "admin" }),
        )
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app.get_anon(&format!("/admin/users/{}", other.id)).await;
    assert_problem(resp, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_moderator_may_look_but_not_grant_roles() {
    let app = spawn_app().await;
    let moderator = app.register().await;
    let member = app.register().await;
    app.set_role(&moderator.id, "moderator").await;
    let resp = app
        .get_as(&moderator, &format!("/admin/users/{}", member.id))
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["profile"]["id"], member.id.as_str());
    assert!(body["phone_masked"].as_str().unwrap().contains("****"));
    let resp = app
        .send_json_as(
            &moderator,
            Method::PUT,
            &format!("/admin/users/{}/role", member.id),
            &json!({ "role": "moderator" }),
        )
        .await;
    assert_problem(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn an_admin_grants_and_revokes_roles_but_not_their_own() {
    let app = spawn_app().await;
    let admin = app.register().await;
    let member = app.register().await;
    app.set_role(&admin.id, "admin").await;
    let set = |role: &'static str, target: String| {
        app.api(Method::PUT, &format!("/admin/users/{target}/role"))
            .bearer_auth(&admin.token)
            .json(&json!({ "role": role }))
            .send()
    };
    let resp = set("moderator", member.id.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = json_of(app.me(&member).await).await;
    assert_eq!(me["role"], "moderator");
    // The new moderator can now use moderator routes.
    let resp = app
        .get_as(&member, &format!("/admin/users/{}", admin.id))
        .await;
    assert_eq!(resp.status(), 200);

    assert_eq!(set("user", member.id.clone()).await.unwrap().status(), 200);
    let resp = app
        .get_as(&member, &format!("/admin/users/{}", admin.id))
        .await;
    assert_problem(resp, 403, "forbidden").await;

    assert_problem(
        set("user", admin.id.clone()).await.unwrap(),
        403,
        "forbidden",
    )
    .await;
    let resp = set("emperor", member.id.clone()).await.unwrap();
    assert_problem(resp, 400, "validation_failed").await;
    let resp = set("user", NOBODY.into()).await.unwrap();
    assert_problem(resp, 404, "not_found").await;
}
