//! `GET /me/export`: everything the service holds about me, once a day.
use serde_json::Value;

use crate::helpers::{
    assert_problem, busy_user, generous_message_limits, json_of, marker, spawn_app, spawn_app_with,
    Busy, TestApp, TestUser, PASSWORD,
};

async fn export(app: &TestApp, user: &TestUser) -> reqwest::Response {
    app.get_as(user, "/me/export").await
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().or_else(|| v["id"].as_str()).unwrap())
        .collect()
}

fn check_social(s: &Value, busy: &Busy) {
    assert_eq!(ids(&s["likes"]["posts"]), [busy.peer_post.as_str()]);
    assert_eq!(ids(&s["likes"]["comments"]), [busy.peer_reply.as_str()]);
    assert_eq!(ids(&s["follows"]["following"]), [busy.peer.id.as_str()]);
    assert_eq!(ids(&s["follows"]["followers"]), [busy.peer.id.as_str()]);
    assert_eq!(ids(&s["blocks"]), [busy.stranger.id.as_str()]);
    assert_eq!(s["circles"][0]["circle_id"], busy.circle.as_str());
    assert_eq!(s["reports"][0]["reason"], busy.report_reason.as_str());
}

#[tokio::test]
async fn the_export_holds_everything_i_gave_and_nothing_secret() {
    let app = spawn_app_with(generous_message_limits).await;
    let (m, pm) = (marker(), marker());
    let busy = busy_user(&app, &m, &pm, &format!("{m}-device")).await;
    let resp = export(&app, &busy.user).await;
    assert_eq!(resp.status(), 200);
    let raw = resp.text().await.unwrap();
    let doc: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(doc["user_id"], busy.user.id.as_str());
    let s = &doc["sections"];
    for name in app.registries.personal_data.sections() {
        let section = &s[name];
        let filled = match section {
            Value::Array(items) => !items.is_empty(),
            Value::Object(map) => !map.is_empty(),
            _ => false,
        };
        assert!(filled, "section {name} is empty: {section}");
    }

    // The beta application is there; the installed apps it was checked
    // with are not (nothing kept them).
    let beta = s["beta_applications"].to_string();
    assert!(beta.contains(&busy.beta_application), "{beta}");
    assert!(!raw.contains(&format!("com.{m}.app")));
    assert!(s["account"]["phone_masked"]
        .as_str()
        .unwrap()
        .contains("****"));
    assert_eq!(s["profile"]["nickname"], m.as_str());
    assert_eq!(s["profile"]["city"], format!("{m}-city"));
    assert!(s["sessions"].to_string().contains(&format!("{m}-device")));
    // The device id, stored encrypted with its grant, is mine to read.
    assert!(s["sessions"]
        .to_string()
        .contains(&format!("{m}-device-id")));
    // The deregistration asked for and cancelled is mine to see too.
    assert!(s["deregistrations"][0]["cancelled_at"].is_string());
    let post = &s["posts"][0];
    assert_eq!(post["id"], busy.post.as_str());
    assert_eq!(post["title"], format!("{m}-title-edited"));
    assert_eq!(post["revisions"][0]["title"], format!("{m}-title"));
    assert_eq!(ids(&post["image_upload_ids"]), [busy.image.as_str()]);
    assert_eq!(post["diagnostic_log_upload_id"], busy.log.as_str());
    assert_eq!(s["comments"][0]["id"], busy.comment.as_str());
    check_social(s, &busy);
    assert_eq!(s["search_history"][0]["query"], format!("{m} search"));
    let conversation = &s["conversations"][0];
    assert_eq!(conversation["id"], busy.conversation.as_str());
    let said = conversation["messages"].to_string();
    for text in [
        format!("{m}-message"),
        format!("{pm}-message"),
        busy.file.clone(),
    ] {
        assert!(said.contains(&text), "{text} missing from {said}");
    }
    let uploads = ids(&s["uploads"]);
    for upload in [&busy.avatar, &busy.image, &busy.file] {
        assert!(uploads.contains(&upload.as_str()), "{upload}");
    }
    assert!(s["consents"]["receipts"].as_array().unwrap().len() >= 2);
    // My event registration, with the full values I gave (mine to read).
    let registration = &s["event_registrations"][0];
    assert_eq!(registration["id"], busy.registration.as_str());
    assert_eq!(
        registration["national_id_number"],
        busy.national_id.as_str()
    );
    // My coins: the check-in that earned them, the prize they paid for.
    assert_eq!(s["coins"]["balance"], 0);
    assert_eq!(
        s["coins"]["ledger"][0]["task_id"],
        busy.check_in_task.as_str()
    );
    assert_eq!(s["coins"]["ledger"][1]["claim_id"], busy.claim.as_str());
    // My prize claim, with where I asked it sent.
    let claim = &s["prize_claims"][0];
    assert_eq!(claim["id"], busy.claim.as_str());
    assert_eq!(claim["status"], "submitted");
    let delivery = &claim["delivery"];
    assert_eq!(delivery["national_id_number"], busy.national_id.as_str());
    assert!(delivery["shipping_address"]
        .as_str()
        .unwrap()
        .ends_with("-prize-address"));
    // My help-group application in full, and the group I manage.
    let application = &s["help_group_applications"][0];
    assert_eq!(application["id"], busy.application.as_str());
    assert_eq!(application["status"], "approved");
    assert_eq!(application["wechat_id"], busy.wechat_id.as_str());
    assert_eq!(
        s["help_groups_managed"][0]["group_id"],
        busy.managed_group.as_str()
    );

    // No credential of any kind, and never the whole phone number.
    for secret in [
        PASSWORD,
        &busy.user.token,
        &busy.device_token,
        &busy.user.phone,
        "argon2",
    ] {
        assert!(!raw.contains(secret), "the export holds {secret}");
    }
}

#[tokio::test]
async fn a_second_export_within_a_day_is_refused() {
    let app = spawn_app_with(|_| {}).await;
    let user = app.register().await;
    assert_eq!(export(&app, &user).await.status(), 200);
    let resp = export(&app, &user).await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_problem(resp, 429, "rate_limited").await;
    // Someone else's export is theirs to make.
    let other = app.register().await;
    let doc = json_of(export(&app, &other).await).await;
    assert_eq!(doc["user_id"], other.id.as_str());
}

#[tokio::test]
async fn a_head_request_neither_runs_the_export_nor_spends_the_days_one() {
    let app = spawn_app_with(generous_message_limits).await;
    let user = app.register().await;
    for _ in 0..2 {
        let resp = app
            .send_as(&user, reqwest::Method::HEAD, "/me/export")
            .await;
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(export(&app, &user).await.status(), 200);
    assert_problem(export(&app, &user).await, 429, "rate_limited").await;
}

/// The catalog's items that some operation collects and the service keeps
/// (not a one-way hash, not used and dropped): what an export must hold.
async fn kept_items(app: &TestApp) -> Vec<String> {
    let catalog = app.get_json("/privacy/catalog").await;
    let mut kept: Vec<String> = catalog["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap())
        .filter(|i| !i["collected_by"].as_array().unwrap().is_empty())
        .filter(|i| !matches!(i["storage"].as_str(), Some("hashed" | "ephemeral")))
        .map(|i| i["key"].as_str().unwrap().to_owned())
        .collect();
    kept.sort();
    kept.dedup();
    assert!(
        kept.len() > 20,
        "the catalog walk found too little: {kept:?}"
    );
    kept
}

#[tokio::test]
async fn every_item_the_api_collects_and_keeps_is_in_some_owners_export() {
    let app = spawn_app().await;
    let kept = kept_items(&app).await;
    let exported: Vec<&str> = app
        .registries
        .personal_data
        .owners()
        .flat_map(|o| o.items().iter().copied())
        .collect();
    let missing: Vec<&String> = kept
        .iter()
        .filter(|k| !exported.contains(&k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "collected and kept, but in no export: {missing:?}"
    );
    // And an owner names only items the catalog has.
    for item in &exported {
        assert!(agora::privacy::catalog::item(item).is_some(), "{item}");
    }
}

/// What the busy user gave for each catalog item, as it reads back: a
/// marker, or the id of what the item is about.
fn planted(busy: &Busy, m: &str, device: &str) -> Vec<(&'static str, String)> {
    let phone = &busy.user.phone;
    vec![
        // Never whole: masked, as the account section shows it.
        ("phone_number", format!("****{}", &phone[phone.len() - 4..])),
        ("device_model", device.to_owned()),
        ("os_version", format!("{device}-os")),
        ("app_version", format!("{device}-app")),
        ("language", format!("{device}-lang")),
        ("timezone", format!("{device}-tz")),
        ("device_id", format!("{device}-id")),
        ("search_query", format!("{m} search")),
        ("nickname", m.to_owned()),
        ("avatar", busy.avatar.clone()),
        ("gender", "female".to_owned()),
        ("birthday", "1995-05-20".to_owned()),
        ("region", format!("{m}-region")),
        ("signature", format!("{m}-signature")),
        ("post_title", format!("{m}-title")),
        ("post_body", format!("{m}-body")),
        ("uploaded_media", busy.image.clone()),
        ("diagnostic_log", busy.log.clone()),
        ("follows", busy.peer.id.clone()),
        ("likes", busy.peer_reply.clone()),
        ("comments", format!("{m}-comment")),
        ("circle_memberships", busy.circle.clone()),
        ("blocks", busy.stranger.id.clone()),
        ("conversation_list", busy.conversation.clone()),
        ("message_text", format!("{m}-message")),
        ("message_media", busy.file.clone()),
        ("message_timestamps", busy.read_up_to.clone()),
        ("report_reason", busy.report_reason.clone()),
        ("city", format!("{m}-city")),
        ("real_name", format!("{m}-real-name")),
        ("contact_phone", format!("+86{}", busy.contact_phone)),
        ("national_id_number", busy.national_id.clone()),
        ("shipping_address", format!("{m}-address")),
        ("qq_number", busy.qq_number.clone()),
        ("wechat_id", busy.wechat_id.clone()),
        ("screening_answers", format!("{m}-answer")),
    ]
}

#[tokio::test]
async fn every_kept_item_the_user_gave_reads_back_from_the_sections_of_its_owner() {
    // The items come from the catalog; each must have a value the busy
    // user gave, and that value must be in the export, in a section of an
    // owner that claims the item. A new item the API collects fails here
    // until the busy user gives it and its owner exports it.
    let app = spawn_app_with(generous_message_limits).await;
    let (m, pm) = (marker(), marker());
    let device = format!("{m}-device");
    let busy = busy_user(&app, &m, &pm, &device).await;
    let doc: Value = export(&app, &busy.user).await.json().await.unwrap();
    let planted = planted(&busy, &m, &device);
    for item in kept_items(&app).await {
        let Some((_, value)) = planted.iter().find(|(key, _)| *key == item) else {
            panic!("the busy user gives no `{item}`: plant one in busy_user and here");
        };
        let sections: Vec<&str> = app
            .registries
            .personal_data
            .owners()
            .filter(|o| o.items().contains(&item.as_str()))
            .flat_map(|o| o.sections().into_iter().map(|s| s.name))
            .collect();
        let held: String = sections
            .iter()
            .map(|name| doc["sections"][name].to_string())
            .collect();
        assert!(
            held.contains(value.as_str()),
            "`{item}` ({value}) is not in the sections of its owners: {sections:?}"
        );
    }
}
