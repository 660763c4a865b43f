//! Circles: a member's life in one (join, post with images, comments,
//! likes, the feeds, leave), and who may write or run circles at all.
use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    assert_problem, assert_unknown, fields, generous_limits, items_of, send, spawn_app,
    spawn_app_with, HasId, NOBODY,
};

#[tokio::test]
async fn a_member_posts_with_images_in_a_circle_and_the_community_answers() {
    let app = spawn_app_with(generous_limits).await;
    let admin = app.admin().await;
    let cid = app.create_circle(&admin, "Xiaomi 14", "product").await.id();
    let fan = app.register().await;
    let friend = app.register().await;

    let joined = app.join_circle(&fan, &cid).await;
    assert_eq!(joined["joined"], true);
    assert_eq!(joined["member_count"], 1);
    // Joining twice changes nothing.
    let again = app.join_circle(&fan, &cid).await;
    assert_eq!(again["member_count"], 1);
    let mine = app.get_json_as(&fan, "/me/circles").await;
    assert_eq!(mine["items"][0]["id"], cid.as_str());

    let a = app.upload_image(&fan, "a.png").await;
    let b = app.upload_image(&fan, "b.png").await;
    let resp = app
        .try_create_post(
            &fan,
            json!({
                "circle_id": cid, "title": "徕卡影像体验", "body": "**Leica** colours are great",
                "image_upload_ids": [a["id"], b["id"]], "device_model": "Xiaomi 14 Ultra",
            }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let created = crate::helpers::json_of(resp).await;
    let pid = created.id();
    assert_eq!(created["author"]["id"], fan.id.as_str());
    assert_eq!(created["images"].as_array().unwrap().len(), 2);
    assert_eq!(created["images"][0]["id"], a["id"]);
    assert_eq!(created["device_model"], "Xiaomi 14 Ultra");

    let comment = app.comment(&friend, &pid, "好看!").await;
    let reply = app.reply(&fan, &pid, &comment.id(), "谢谢").await;
    assert_eq!(reply["parent_id"], comment["id"]);
    // Replies go one level deep only.
    let deeper = json!({ "body": "deeper", "parent_id": reply["id"] });
    let resp = app.try_comment(&friend, &pid, deeper).await;
    let problem = assert_problem(resp, 409, "conflict").await;
    assert_eq!(problem["errors"][0]["field"], "parent_id");

    let liked = app.like(&friend, &pid).await;
    assert_eq!(liked, json!({ "liked": true, "like_count": 1 }));
    let liked = app.like(&friend, &pid).await;
    assert_eq!(liked["like_count"], 1, "liking twice is one like");
    let cl = app.like_comment(&fan, &comment.id()).await;
    assert_eq!(cl["like_count"], 1);

    let seen = app.get_json_as(&friend, &format!("/posts/{pid}")).await;
    assert_eq!(seen["like_count"], 1);
    assert_eq!(seen["comment_count"], 2);
    assert_eq!(seen["liked_by_me"], true);
    let anonymous = app.get_json(&format!("/posts/{pid}")).await;
    assert_eq!(anonymous["liked_by_me"], false);

    let comments = app
        .get_json_as(&fan, &format!("/posts/{pid}/comments"))
        .await;
    let items = items_of(&comments);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["liked_by_me"], true);

    for path in [
        "/plaza".to_owned(),
        format!("/circles/{cid}/posts"),
        format!("/circles/{cid}/posts?sort=new"),
    ] {
        let feed = app.get_json(&path).await;
        assert_eq!(feed["items"][0]["id"], pid.as_str(), "{path}");
    }
    let circle = app.get_json(&format!("/circles/{cid}")).await;
    assert_eq!(circle["post_count"], 1);

    let unliked = app.unlike(&friend, &pid).await;
    assert_eq!(unliked, json!({ "liked": false, "like_count": 0 }));
    let left = app.leave_circle(&fan, &cid).await;
    assert_eq!(left["joined"], false);
    assert_eq!(left["member_count"], 0);
}

#[tokio::test]
async fn every_community_write_needs_a_session_and_admin_routes_an_admin() {
    let app = spawn_app().await;
    let id = NOBODY;
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
        let method: Method = method.parse().unwrap();
        let resp = send(app.api(method.clone(), path).json(&json!({}))).await;
        assert_eq!(resp.status(), 401, "{method} {path}");
    }
    let user = app.register().await;
    let resp = app.try_create_circle(&user, "n", "club", "").await;
    assert_problem(resp, 403, "forbidden").await;
    let admin = app.admin().await;
    let circle = app.create_circle(&admin, "上海同城会", "city").await;
    let rename = json!({ "name": "mine" });
    let resp = app
        .patch_as(&user, &format!("/admin/circles/{}", circle.id()), &rename)
        .await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app
        .try_create_circle(&admin, "上海同城会", "city", "")
        .await;
    let problem = assert_problem(resp, 409, "conflict").await;
    assert_eq!(fields(&problem), ["name"]);
    let cities = app.get_json("/circles?kind=city").await;
    assert_eq!(items_of(&cities).len(), 1);
    let clubs = app.get_json("/circles?kind=club").await;
    assert!(items_of(&clubs).is_empty());
    assert_problem(
        app.get_anon(&format!("/circles/{id}/posts")).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_circle_icon_is_an_image_uploaded_for_public_use() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let someone = app.register().await;
    let private = app
        .upload_attachment(&someone, crate::helpers::png_bytes(), "dm.png")
        .await;
    let avatar = app.upload_avatar(&someone).await;
    let icon = app.upload_image(&admin, "icon.png").await;
    let circle = |name: &str, icon: &serde_json::Value| json!({ "name": name, "kind": "club", "description": "d", "icon_upload_id": icon });
    // Someone's private attachment or avatar cannot be pinned as an icon.
    for (name, upload) in [("from a message", &private), ("from a profile", &avatar)] {
        let resp = app
            .post_as(&admin, "/admin/circles", &circle(name, &upload["id"]))
            .await;
        assert_unknown(resp, "icon_upload_id").await;
    }
    let resp = app
        .post_as(
            &admin,
            "/admin/circles",
            &circle("with an icon", &icon["id"]),
        )
        .await;
    assert_eq!(resp.status(), 201);
}
