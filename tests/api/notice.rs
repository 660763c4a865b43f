//! The privacy notice and catalog, the notice version users accepted, and
//! the processing log they can read.
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, new_phone, notice_version, outdate_notice, spawn_app, PASSWORD,
};

#[tokio::test]
async fn the_catalog_and_the_notice_come_from_the_same_declarations() {
    let app = spawn_app().await;
    let catalog = app.get_json("/privacy/catalog").await;
    let purposes = catalog["purposes"].as_array().unwrap();
    assert_eq!(purposes.len(), agora::privacy::catalog::PURPOSES.len());
    let account = purposes.iter().find(|p| p["key"] == "account").unwrap();
    let phone = account["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "phone_number")
        .unwrap();
    assert_eq!(phone["sensitivity"], "sensitive");
    assert_eq!(phone["storage"], "encrypted_blind_index");
    assert!(phone["collected_by"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["operation_id"] == "auth_register" && c["field"] == "phone"));
    let location = purposes.iter().find(|p| p["key"] == "location").unwrap();
    assert_eq!(location["necessity"], "optional");
    assert_eq!(location["legal_basis"], "dpv:Consent");

    for (lang, phrase) in [("en", "phone number"), ("zh", "手机号码")] {
        let path = format!("/privacy/notice?lang={lang}");
        let resp = crate::helpers::send(app.get(&path).header("accept", "text/markdown")).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["x-notice-version"], notice_version());
        let text = resp.text().await.unwrap();
        assert!(text.contains(phrase), "{lang} notice lacks {phrase}");
        assert!(text.contains(notice_version()));
        assert!(
            text.contains("auth_register `phone`"),
            "the notice names where data is collected"
        );
    }
    assert_eq!(catalog["notice_version"], notice_version());
    let resp = app.get_anon("/privacy/notice?lang=fr").await;
    assert_invalid(resp, "lang", None).await;
}

#[tokio::test]
async fn a_user_whose_accepted_notice_no_longer_covers_the_essentials_is_asked_again() {
    let app = spawn_app().await;
    let user = app.register().await;
    outdate_notice(&app, &user).await;
    let patch = || app.update_profile(&user, json!({ "signature": "hello" }));
    let problem = assert_problem(patch().await, 403, "notice_outdated").await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains(notice_version()));
    // What is needed to decide still works.
    assert_eq!(app.me(&user).await.status(), 200);
    assert_eq!(app.get_as(&user, "/me/consents").await.status(), 200);
    // And so does reading what there is to accept, with the token an SDK
    // sends on every call.
    assert_eq!(app.get_as(&user, "/privacy/notice").await.status(), 200);
    assert_eq!(app.get_as(&user, "/privacy/catalog").await.status(), 200);

    let accept = |version: &str| {
        let body = json!({ "version": version });
        let app = &app;
        let user = &user;
        async move {
            app.send_json_as(user, Method::PUT, "/me/notice-acceptance", &body)
                .await
        }
    };
    assert_invalid(accept("old-one").await, "version", Some("invalid_format")).await;
    let problem = assert_problem(accept("0123456789abcdef").await, 409, "conflict").await;
    assert_eq!(problem["errors"][0]["field"], "version");
    assert_eq!(accept(notice_version()).await.status(), 204);
    assert_eq!(patch().await.status(), 200);
}

#[tokio::test]
async fn the_processing_log_records_purposes_and_item_keys_never_values() {
    let app = spawn_app().await;
    let user = app.register_phone(&new_phone(), "UNIQUE-NICK-77").await;
    app.update_profile(
        &user,
        json!({ "signature": "UNIQUE-SIGNATURE-88", "gender": "other" }),
    )
    .await;
    // Reads collect nothing and log nothing.
    app.me(&user).await;
    let resp = app.get_as(&user, "/me/processing-log").await;
    let text = resp.text().await.unwrap();
    for value in [
        "UNIQUE-NICK-77",
        "UNIQUE-SIGNATURE-88",
        &user.phone,
        PASSWORD,
    ] {
        assert!(!text.contains(value), "the log holds a value: {value}");
    }
    let log: Value = serde_json::from_str(&text).unwrap();
    let entries: Vec<(String, String, Vec<String>)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operation_id"].as_str().unwrap().to_owned(),
                e["purpose"].as_str().unwrap().to_owned(),
                e["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        entries[0],
        (
            "me_update_profile".into(),
            "profile".into(),
            vec!["gender".into(), "signature".into()]
        )
    );
    assert!(entries.contains(&(
        "auth_register".into(),
        "account".into(),
        vec!["password".into(), "phone_number".into(), "sms_code".into()]
    )));
    assert!(entries.contains(&(
        "auth_register".into(),
        "profile".into(),
        vec!["nickname".into()]
    )));
    assert_eq!(entries.len(), 3);
}

#[tokio::test]
async fn the_notice_answers_json_unless_text_is_asked_for() {
    let app = spawn_app().await;
    let markdown =
        crate::helpers::send(app.get("/privacy/notice").header("accept", "text/markdown")).await;
    assert!(markdown.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let markdown = markdown.text().await.unwrap();
    // What a generated client sends: no preference.
    let resp = crate::helpers::send(app.get("/privacy/notice").header("accept", "*/*")).await;
    assert_eq!(resp.headers()["x-notice-version"], notice_version());
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["version"], notice_version());
    assert_eq!(doc["lang"], "en");
    assert_eq!(doc["markdown"], markdown.as_str());
    let purposes = doc["purposes"].as_array().unwrap();
    assert_eq!(purposes.len(), agora::privacy::catalog::PURPOSES.len());
}
