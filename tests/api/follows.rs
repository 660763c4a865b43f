//! Follows: following and unfollowing, the lists, and the following feed.
use crate::helpers::{
    assert_invalid, assert_problem, generous_limits, ids_of, items_of, spawn_app_with, HasId,
    NOBODY,
};

#[tokio::test]
async fn follows_and_the_following_feed() {
    let app = spawn_app_with(generous_limits).await;
    let me = app.register().await;
    let star = app.register().await;
    let stranger = app.register().await;
    app.follow(&me, &star.id).await;
    app.follow(&me, &star.id).await;
    let resp = app.try_follow(&me, &me.id).await;
    assert_invalid(resp, "id", None).await;
    assert_problem(app.try_follow(&me, NOBODY).await, 404, "not_found").await;

    let followers = app.get_json(&format!("/users/{}/followers", star.id)).await;
    assert_eq!(items_of(&followers).len(), 1);
    assert_eq!(followers["items"][0]["id"], me.id.as_str());
    let following = app.get_json(&format!("/users/{}/following", me.id)).await;
    assert_eq!(following["items"][0]["id"], star.id.as_str());

    let starred = app
        .create_post(&star, None, "from the star", "b")
        .await
        .id();
    app.create_post(&stranger, None, "from a stranger", "b")
        .await;
    let feed = app.get_json_as(&me, "/feed/following").await;
    assert_eq!(ids_of(&items_of(&feed)), [starred.as_str()]);

    app.unfollow(&me, &star.id).await;
    let feed = app.get_json_as(&me, "/feed/following").await;
    assert!(items_of(&feed).is_empty());
}
