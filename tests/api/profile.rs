use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{assert_problem, fields, spawn_app},
    uploads::{png_bytes, upload},
};

#[tokio::test]
async fn a_user_fills_in_and_clears_their_profile() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = app
        .api(Method::PATCH, "/me/profile")
        .bearer_auth(&user.token)
        .json(&json!({
            "nickname": "  雷军粉  ",
            "gender": "female",
            "birthday": "1995-05-20",
            "region": "北京",
            "signature": "Are you OK?",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["nickname"], "雷军粉");
    assert_eq!(me["gender"], "female");
    assert_eq!(me["birthday"], "1995-05-20");
    assert_eq!(me["region"], "北京");

    // Absent fields stay; null clears.
    let me: Value = app
        .api(Method::PATCH, "/me/profile")
        .bearer_auth(&user.token)
        .json(&json!({ "region": null }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(me["region"].is_null());
    assert_eq!(me["gender"], "female");
    assert_eq!(me["signature"], "Are you OK?");
}

#[tokio::test]
async fn the_public_profile_never_shows_private_fields() {
    let app = spawn_app().await;
    let user = app.register().await;
    app.api(Method::PATCH, "/me/profile")
        .bearer_auth(&user.token)
        .json(&json!({ "gender": "male", "birthday": "1990-01-01", "region": "上海", "signature": "hi" }))
        .send()
        .await
        .unwrap();
    let resp = app
        .get(&format!("/users/{}", user.id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let public: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(public["signature"], "hi");
    assert_eq!(public["nickname"], "tester");
    for private in ["phone", "phone_masked", "birthday", "gender", "region"] {
        assert!(public.get(private).is_none(), "{private} leaked");
    }
    assert!(!text.contains(&user.phone[3..]));
    assert!(!text.contains("1990"));
}

#[tokio::test]
async fn an_unknown_user_is_404() {
    let app = spawn_app().await;
    let resp = app
        .get("/users/01900000-0000-7000-8000-000000000000")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404, "not_found").await;
}

#[tokio::test]
async fn bad_profile_values_are_named() {
    let app = spawn_app().await;
    let user = app.register().await;
    let cases = [
        (json!({ "nickname": "x".repeat(33) }), "nickname"),
        (json!({ "nickname": "" }), "nickname"),
        (json!({ "gender": "robot" }), "gender"),
        (json!({ "birthday": "2999-01-01" }), "birthday"),
        (json!({ "birthday": "yesterday" }), "birthday"),
        (json!({ "signature": "s".repeat(201) }), "signature"),
        (json!({ "region": 42 }), "region"),
    ];
    for (body, field) in cases {
        let resp = app
            .api(Method::PATCH, "/me/profile")
            .bearer_auth(&user.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(resp, 400, "validation_failed").await;
        assert_eq!(fields(&problem), [field], "{body}");
    }
    let me: Value = app
        .get("/me")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["nickname"], "tester");
    assert!(me["birthday"].is_null());
}

#[tokio::test]
async fn the_avatar_must_be_my_own_upload() {
    let app = spawn_app().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let bobs: Value = upload(&app, &bob.token, png_bytes(), "b.png")
        .await
        .json()
        .await
        .unwrap();
    let resp = app
        .api(Method::PATCH, "/me/profile")
        .bearer_auth(&alice.token)
        .json(&json!({ "avatar_upload_id": bobs["id"] }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), ["avatar_upload_id"]);

    let mine: Value = upload(&app, &alice.token, png_bytes(), "a.png")
        .await
        .json()
        .await
        .unwrap();
    let me: Value = app
        .api(Method::PATCH, "/me/profile")
        .bearer_auth(&alice.token)
        .json(&json!({ "avatar_upload_id": mine["id"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["avatar_url"], mine["url"]);
    let public: Value = app
        .get(&format!("/users/{}", alice.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["avatar_url"], mine["url"]);
}
