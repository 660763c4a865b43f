//! A user who used every feature, for the data-rights tests (export, PII
//! sweep), and the deregistration they end with.
use std::time::Duration;

use serde_json::json;

use super::{
    client_id, expect, q, run_purge, sync, HasId, TestApp, TestUser, PASSWORD, SHORT_COOLING_OFF,
};

/// A random marker to plant in what a user gives and look for afterwards:
/// lowercase letters and digits, so every tokenizer keeps it whole, and
/// short enough to be a nickname.
pub fn marker() -> String {
    format!("mkr{}", &uuid::Uuid::new_v4().simple().to_string()[..20])
}

/// Everything a busy user did.
pub struct Busy {
    pub user: TestUser,
    /// A second session, signed in with device headers.
    pub device_token: String,
    /// Follows and is followed by the user, talks with them, answered
    /// their comment.
    pub peer: TestUser,
    /// Blocked by the user.
    pub stranger: TestUser,
    pub circle: String,
    /// The user's post, in the circle, with an image and one edit.
    pub post: String,
    pub avatar: String,
    pub image: String,
    /// The diagnostic log attached to the post.
    pub log: String,
    /// A text file the user sent the peer.
    pub file: String,
    /// The user's comment on the peer's post, which the peer answered.
    pub comment: String,
    pub peer_post: String,
    pub peer_reply: String,
    pub conversation: String,
    /// Why the user reported the peer's post.
    pub report_reason: String,
    /// The peer's message the user read the conversation up to.
    pub read_up_to: String,
    /// The user's registration for an event asking every item, with
    /// `{marker}-real-name`, `-address`, `-event-city`, this phone and ID.
    pub registration: String,
    pub contact_phone: String,
    pub national_id: String,
    /// The user's application to a help group (with this QQ number and
    /// WeChat ID), approved; the user also manages `managed_group`.
    pub application: String,
    pub qq_number: String,
    pub wechat_id: String,
    pub managed_group: String,
    /// A check-in task worth 5 coins, which the user checked in to.
    pub check_in_task: String,
    /// A prize the user redeemed those coins for, with delivery details:
    /// `{marker}-prize-name`, `-prize-address`, the same phone and ID.
    pub claim: String,
    /// An application to a beta program, answering `{marker}-answer`, with
    /// the same phone; its installed apps held `com.{marker}.app`.
    pub beta_application: String,
}

/// A user who used every feature, everything they typed carrying `marker`
/// (`{marker}-title`, `{marker}-city`, …; the nickname is the marker
/// itself), and a peer whose own content carries `peer_marker`. The second
/// session's device model is `device`, and its other device headers carry
/// it too (`{device}-os`, `-app`, `-lang`, `-tz`, `-id`). The search outbox is drained.
pub async fn busy_user(app: &TestApp, marker: &str, peer_marker: &str, device: &str) -> Busy {
    let m = marker;
    let pm = peer_marker;
    let admin = app.admin().await;
    let circle_name = format!("club {}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let circle = app
        .create_circle_described(&admin, &circle_name, "club", "busy people")
        .await
        .id();
    let user = app.register_phone(&super::new_phone(), m).await;
    let peer = app.register_phone(&super::new_phone(), pm).await;
    let stranger = app.register().await;
    // A change of mind: a deregistration asked for and cancelled (before
    // the second device signs in, which the request would sign out).
    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    assert_eq!(
        app.delete_as(&user, "/me/deregistration").await.status(),
        204
    );

    let login = app
        .post("/auth/login")
        .header("X-Device-Model", device)
        .header("X-OS-Version", format!("{device}-os"))
        .header("X-App-Version", format!("{device}-app"))
        .header("Accept-Language", format!("{device}-lang"))
        .header("X-Timezone", format!("{device}-tz"))
        .header("X-Device-Id", format!("{device}-id"))
        .json(&json!({ "consents": ["account", "browsing"], "phone": user.phone, "password": PASSWORD }));
    let device_token = expect(login, 200).await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let avatar = app.upload_avatar(&user).await.id();
    let profile = json!({
        "gender": "female", "birthday": "1995-05-20", "avatar_upload_id": avatar,
        "region": format!("{m}-region"), "signature": format!("{m}-signature"),
    });
    assert_eq!(app.update_profile(&user, profile).await.status(), 200);
    for purpose in ["location", "search_history", "diagnostic_logs"] {
        app.grant(&user, purpose).await;
    }
    assert_eq!(
        app.set_city(&user, &format!("{m}-city")).await.status(),
        204
    );
    app.join_circle(&user, &circle).await;

    let image = app.upload_image(&user, "post.png").await.id();
    let log = app.upload_log_ok(&user).await.id();
    let body = json!({
        "circle_id": circle, "title": format!("{m}-title"), "body": format!("{m}-body"),
        "image_upload_ids": [image], "device_model": format!("{m}-phone"),
        "log_upload_id": log,
    });
    let post = app.create_post_from(&user, body).await.id();
    let edit = json!({ "title": format!("{m}-title-edited") });
    assert_eq!(app.edit_post(&user, &post, edit).await.status(), 200);

    let peer_post = app
        .create_post(&peer, None, &format!("{pm}-title"), &format!("{pm}-body"))
        .await
        .id();
    let comment = app
        .comment(&user, &peer_post, &format!("{m}-comment"))
        .await
        .id();
    let peer_reply = app
        .reply(&peer, &peer_post, &comment, &format!("{pm}-reply"))
        .await
        .id();

    app.like(&user, &peer_post).await;
    app.like_comment(&user, &peer_reply).await;
    app.like(&peer, &post).await;
    app.follow(&user, &peer.id).await;
    app.follow(&peer, &user.id).await;
    assert_eq!(app.block(&user, &stranger.id).await.status(), 204);
    let search = format!("/search?{}", q(&format!("{m} search")));
    assert_eq!(app.get_as(&user, &search).await.status(), 200);

    // The user is offline, so the peer's message leaves a notification.
    let conversation = app.open_conversation(&user, &peer).await;
    app.send_text(&user, &conversation, &format!("{m}-message"))
        .await;
    let peer_message = app
        .send_text(&peer, &conversation, &format!("{pm}-message"))
        .await;
    let notes = |marker: &str| format!("notes {marker}-file\n").into_bytes();
    let file = app.upload_attachment(&user, notes(m), "a.txt").await.id();
    let peer_file = app.upload_attachment(&peer, notes(pm), "b.txt").await.id();
    for (who, upload_id) in [(&user, &file), (&peer, &peer_file)] {
        let body = json!({ "client_id": client_id(), "kind": "file", "upload_id": upload_id });
        let resp = app.send_message(who, &conversation, body).await;
        assert_eq!(resp.status(), 201);
    }

    // Read up to the peer's message (after the notification it left).
    let read = app
        .mark_read(&user, &conversation, &peer_message["id"])
        .await;
    assert_eq!(read.status(), 204);
    let read_up_to = peer_message.id();

    // An event that ships, asking for every item; the user registers.
    let moderator = app.moderator().await;
    let items = super::ALL_EVENT_ITEMS;
    let event = app
        .create_event(&moderator, &super::event_body("Trial kits", &items, true))
        .await
        .id();
    app.grant(&user, "event_registration").await;
    let contact_phone = super::new_phone();
    let seq = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    let national_id = super::national_id("19850615", seq);
    let registration = json!({
        "real_name": format!("{m}-real-name"), "gender": "female",
        "contact_phone": contact_phone, "national_id_number": national_id,
        "shipping_address": format!("{m}-address"), "city": format!("{m}-event-city"),
    });
    let resp = app.register_for(&user, &event, &registration).await;
    let registration = super::expect_status(resp, 201).await.id();
    // A guardian's consent for the same event (as for a younger user).
    app.grant(&user, "guardian_verification").await;
    let guardian_phone = super::new_phone();
    let guardian =
        json!({ "subject": { "kind": "event", "id": event }, "guardian_phone": guardian_phone });
    let resp = app
        .post_as(&user, "/guardian-consents/codes", &guardian)
        .await;
    assert_eq!(resp.status(), 202);
    let mut consent = guardian;
    consent["sms_code"] = json!(super::guardian_code(app, &user, &event, &guardian_phone));
    assert_eq!(
        app.post_as(&user, "/guardian-consents", &consent)
            .await
            .status(),
        201
    );

    // A help group the user joined, and one they manage.
    let group_manager = app.register().await;
    let group = app.create_group(&[&group_manager]).await;
    let managed_group = app.create_group(&[&user]).await;
    app.grant(&user, "help_group_application").await;
    let qq_number = format!(
        "{}",
        10_000 + uuid::Uuid::new_v4().as_u128() % 1_000_000_000
    );
    let wechat_id = format!("w{}", &m[3..18]);
    let body = super::application_body(&contact_phone, &qq_number, Some(&wechat_id));
    let application = super::expect_status(app.apply_to(&user, &group, &body).await, 201)
        .await
        .id();
    let resp = app
        .decide_application(&group_manager, &group, &application, "approve", None)
        .await;
    assert_eq!(resp.status(), 200);

    // A daily check-in, worth 5 coins.
    let admin = app.admin().await;
    let task =
        json!({ "kind": "check_in", "title": "Daily check-in", "description": "", "coins": 5 });
    let check_in_task = super::expect_status(
        app.post_as(&admin, "/admin/rewards/tasks", &task).await,
        201,
    )
    .await
    .id();
    let path = format!("/rewards/tasks/{check_in_task}/check-in");
    assert_eq!(app.post_as(&user, &path, &json!({})).await.status(), 201);

    // A T-shirt for those coins, and where to send it.
    let prize = super::create_prize(app, &admin, &super::prize_body(5, 3, "physical")).await;
    let claim = super::redeem(app, &user, &prize).await;
    app.grant(&user, "prize_delivery").await;
    let delivery = super::delivery_body(&format!("{m}-prize"), &national_id, &contact_phone);
    let resp = super::give_delivery(app, &user, &claim, &delivery).await;
    assert_eq!(resp.status(), 200);

    // A beta program, applied to with an answer and the installed apps.
    let program = app.open_program(&super::program_body(3)).await;
    app.grant(&user, "beta_program").await;
    let private_app = format!("com.{m}.app");
    let mut body = super::beta_application(&contact_phone, Some(&[private_app.as_str()]));
    body["answers"] = json!([format!("{m}-answer")]);
    let beta_application =
        super::expect_status(app.apply_to_program(&user, &program, &body).await, 201)
            .await
            .id();

    let report_reason = "looks like advertising".to_owned();
    let resp = app.report(&user, "post", &peer_post, &report_reason).await;
    assert_eq!(resp.status(), 201);
    sync(app).await;
    Busy {
        user,
        device_token,
        peer,
        stranger,
        circle,
        post,
        avatar,
        image,
        log,
        file,
        comment,
        peer_post,
        peer_reply,
        conversation,
        report_reason,
        read_up_to,
        registration,
        contact_phone,
        national_id,
        application,
        qq_number,
        wechat_id,
        managed_group,
        check_in_task,
        claim,
        beta_application,
    }
}

/// Runs the purge once and applies the search updates it queued.
pub async fn purge(app: &TestApp) {
    run_purge(app).await;
    sync(app).await;
}

/// Deregisters `user`, waits out the (short) cooling-off and purges.
pub async fn deregister_and_purge(app: &TestApp, user: &TestUser, scope: &str, content: &str) {
    let resp = app.request_deregistration(user, scope, content).await;
    assert_eq!(resp.status(), 202);
    tokio::time::sleep(SHORT_COOLING_OFF + Duration::from_millis(300)).await;
    purge(app).await;
}
