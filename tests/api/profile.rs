//! Profiles: filling in and clearing, what the public sees, bad values,
//! and avatars.
use serde_json::{json, Value};

use crate::helpers::{assert_problem, assert_unknown, fields, json_of, spawn_app, NOBODY};

#[tokio::test]
async fn a_user_fills_in_and_clears_their_profile() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = app
        .update_profile(
            &user,
            json!({
                "nickname": "  雷军粉  ",
                "gender": "female",
                "birthday": "1995-05-20",
                "region": "北京",
                "signature": "Are you OK?",
            }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["nickname"], "雷军粉");
    assert_eq!(me["gender"], "female");
    assert_eq!(me["birthday"], "1995-05-20");
    assert_eq!(me["region"], "北京");

    // Absent fields stay; null clears.
    let me: Value = app
        .update_profile(&user, json!({ "region": null }))
        .await
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
    app.update_profile(
        &user,
        json!({ "gender": "male", "birthday": "1990-01-01", "region": "上海", "signature": "hi" }),
    )
    .await;
    let resp = app.get_anon(&format!("/users/{}", user.id)).await;
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
    let resp = app.get_anon(&format!("/users/{NOBODY}")).await;
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
        let resp = app.update_profile(&user, body.clone()).await;
        let problem = assert_problem(resp, 400, "validation_failed").await;
        assert_eq!(fields(&problem), [field], "{body}");
    }
    let me: Value = json_of(app.me(&user).await).await;
    assert_eq!(me["nickname"], "tester");
    assert!(me["birthday"].is_null());
}

#[tokio::test]
async fn the_avatar_must_be_my_own_upload() {
    let app = spawn_app().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let bobs = app.upload_avatar(&bob).await;
    let resp = app
        .update_profile(&alice, json!({ "avatar_upload_id": bobs["id"] }))
        .await;
    assert_unknown(resp, "avatar_upload_id").await;

    // A picture uploaded for a post is not an avatar: the form says what
    // an upload is for, and its privacy tag follows.
    let for_a_post = app.upload_image(&alice, "p.png").await;
    let resp = app
        .update_profile(&alice, json!({ "avatar_upload_id": for_a_post["id"] }))
        .await;
    assert_unknown(resp, "avatar_upload_id").await;
    // Nor is a file an avatar at all.
    let resp = app
        .upload_to("/uploads/avatar", &alice, b"just text\n".to_vec(), "a.txt")
        .await;
    assert_problem(resp, 415, "unsupported_media_type").await;

    let mine = app.upload_avatar(&alice).await;
    let me: Value = app
        .update_profile(&alice, json!({ "avatar_upload_id": mine["id"] }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["avatar_url"], mine["url"]);
    let public: Value = app.get_json(&format!("/users/{}", alice.id)).await;
    assert_eq!(public["avatar_url"], mine["url"]);
}
