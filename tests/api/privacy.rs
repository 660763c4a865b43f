use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, fields, new_phone, notice_version, spawn_app, TestApp, TestUser, PASSWORD,
    TEST_CODE,
};

fn spec() -> Value {
    serde_json::from_str(&agora::openapi::spec_json()).unwrap()
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let reference = schema["$ref"].as_str().or_else(|| {
        schema["allOf"]
            .as_array()?
            .iter()
            .find_map(|p| p["$ref"].as_str())
    });
    match reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

fn untagged_properties(
    spec: &Value,
    schema: &Value,
    path: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    let schema = resolve(spec, schema);
    let Some(props) = schema["properties"].as_object() else {
        return;
    };
    for (name, prop) in props {
        let field = format!("{path}{name}");
        if prop.get("x-privacy").is_none() {
            out.push(field.clone());
        }
        if depth < 6 {
            let target = if prop["type"] == "array" {
                &prop["items"]
            } else {
                prop
            };
            untagged_properties(spec, target, &format!("{field}."), out, depth + 1);
        }
    }
}

#[test]
fn every_request_field_parameter_and_header_carries_a_privacy_tag() {
    let annotated = agora::openapi::annotated();
    assert!(
        annotated.problems.is_empty(),
        "broken tags: {:#?}",
        annotated.problems
    );
    let spec = spec();
    let mut missing = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or(path);
            assert!(
                op["x-privacy-purposes"].is_array(),
                "{id} has no x-privacy-purposes"
            );
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param.get("x-privacy").is_none() {
                    missing.push(format!(
                        "{id} ({method} {path}): {} parameter `{}`",
                        param["in"], param["name"]
                    ));
                }
            }
            for (_, media) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let mut fields = Vec::new();
                untagged_properties(&spec, &media["schema"], "", &mut fields, 0);
                missing.extend(
                    fields
                        .into_iter()
                        .map(|f| format!("{id} ({method} {path}): body field `{f}`")),
                );
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a privacy tag:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_walk_catches_an_untagged_or_mistagged_field() {
    // A spec as poem-openapi would make it, with one field left untagged,
    // one tag naming an item its purpose does not have, and one Required
    // tag on a field the schema makes optional.
    let raw = json!({
        "paths": { "/x": { "post": {
            "operationId": "x_create",
            "parameters": [{ "in": "query", "name": "q", "required": false, "description": "privacy: search_query for search_history, optional" }],
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/X" } } } }
        } } },
        "components": { "schemas": { "X": {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": { "type": "string", "description": "privacy: not personal" },
                "b": { "type": "string", "description": "no tag here" },
                "c": { "type": "string", "description": "privacy: city for account, optional" },
                "d": { "type": "string", "description": "privacy: nickname for profile, required" }
            }
        } } }
    });
    let annotated = agora::privacy::spec::annotate(raw);
    let problems = annotated.problems.join("\n");
    assert!(
        problems.contains("X.c") && problems.contains("does not list city under account"),
        "{problems}"
    );
    assert!(problems.contains("X.d"), "{problems}");
    let mut missing = Vec::new();
    untagged_properties(
        &annotated.spec,
        &annotated.spec["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"],
        "",
        &mut missing,
        0,
    );
    assert!(missing.contains(&"b".to_owned()));
    assert_eq!(
        annotated.spec["paths"]["/x"]["post"]["parameters"][0]["x-privacy"]["purpose"],
        "search_history"
    );
    assert_eq!(
        annotated.spec["paths"]["/x"]["post"]["x-privacy-purposes"],
        json!(["profile", "search_history"])
    );
}

#[test]
fn tagged_fields_carry_x_privacy_in_the_spec() {
    let spec = spec();
    let phone = &spec["components"]["schemas"]["RegisterRequest"]["properties"]["phone"];
    assert_eq!(phone["x-privacy"]["item"], "phone_number");
    assert_eq!(phone["x-privacy"]["purpose"], "account");
    assert_eq!(phone["x-privacy"]["sensitivity"], "sensitive");
    assert_eq!(phone["x-privacy"]["necessity"], "required");
    assert_eq!(phone["x-privacy"]["retention"], "until_account_closure");
    assert!(
        !phone["description"].as_str().unwrap().contains("privacy:"),
        "the tag line leaves the description"
    );
    let login = &spec["paths"]["/auth/login"]["post"];
    let device_id = login["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "X-Device-Id")
        .unwrap();
    assert_eq!(device_id["in"], "header");
    assert_eq!(device_id["x-privacy"]["item"], "device_id");
    assert_eq!(login["x-privacy-purposes"], json!(["account", "browsing"]));
}

#[tokio::test]
async fn the_catalog_and_the_notice_come_from_the_same_declarations() {
    let app = spawn_app().await;
    let catalog: Value = app
        .get("/privacy/catalog")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
        let resp = app
            .get(&format!("/privacy/notice?lang={lang}"))
            .send()
            .await
            .unwrap();
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
    let resp = app.get("/privacy/notice?lang=fr").send().await.unwrap();
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), ["lang"]);
}

async fn sql_count(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn registering_without_the_separate_grant_for_the_phone_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let phone = new_phone();
    let resp = app
        .post("/auth/sms-codes")
        .json(&json!({ "phone": phone, "purpose": "register" }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 403, "consent_required").await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "account", "items": ["phone_number"] }])
    );
    assert_eq!(app.count("sms_codes").await, 0);

    app.send_code(&phone, "register").await;
    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": notice_version(),
    });
    let problem = assert_problem(app.register_raw(body).await, 403, "consent_required").await;
    assert_eq!(problem["purposes"][0]["purpose"], "account");
    assert_eq!(app.count("users").await, 0);

    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": "an-old-version", "consents": ["account", "teleportation"],
    });
    let problem = assert_problem(app.register_raw(body).await, 400, "validation_failed").await;
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(named, ["accepted_notice_version", "consents[1]"]);
    assert_eq!(app.count("users").await, 0);
}

async fn consents(app: &TestApp, user: &TestUser) -> Vec<Value> {
    app.get("/me/consents")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn set_consent(
    app: &TestApp,
    user: &TestUser,
    purpose: &str,
    granted: bool,
) -> reqwest::Response {
    app.api(Method::PUT, &format!("/me/consents/{purpose}"))
        .bearer_auth(&user.token)
        .json(&json!({ "granted": granted }))
        .send()
        .await
        .unwrap()
}

async fn set_city(app: &TestApp, user: &TestUser, city: &str) -> reqwest::Response {
    app.api(Method::PUT, "/me/location")
        .bearer_auth(&user.token)
        .json(&json!({ "city": city }))
        .send()
        .await
        .unwrap()
}

async fn city(app: &TestApp, user: &TestUser) -> Value {
    let me: Value = app
        .get("/me")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["city"].clone()
}

#[tokio::test]
async fn optional_purposes_are_off_by_default_and_refused_without_a_grant() {
    let app = spawn_app().await;
    let user = app.register().await;
    let states = consents(&app, &user).await;
    let location = states.iter().find(|s| s["purpose"] == "location").unwrap();
    assert_eq!(location["necessity"], "optional");
    assert_eq!(location["granted"], false);
    let profile = states.iter().find(|s| s["purpose"] == "profile").unwrap();
    assert_eq!(
        profile["granted"], true,
        "essential purposes without sensitive items are on"
    );
    let account = states.iter().find(|s| s["purpose"] == "account").unwrap();
    assert_eq!(account["granted"], true, "granted on the registration form");

    let problem =
        assert_problem(set_city(&app, &user, "杭州").await, 403, "consent_required").await;
    assert_eq!(
        problem["purposes"],
        json!([{ "purpose": "location", "items": ["city"] }])
    );
    assert!(city(&app, &user).await.is_null());
    assert_eq!(app.count("user_locations").await, 0);
}

#[tokio::test]
async fn a_grant_yields_a_receipt_and_a_withdrawal_stops_processing_and_erases_at_once() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = set_consent(&app, &user, "location", true).await;
    assert_eq!(resp.status(), 200);
    let receipt: Value = resp.json().await.unwrap();
    for key in [
        "receipt_id",
        "timestamp",
        "jurisdiction",
        "controller",
        "notice_version",
        "purpose",
        "items",
        "legal_basis",
        "retention",
        "third_parties",
    ] {
        assert!(!receipt[key].is_null(), "receipt lacks {key}: {receipt}");
    }
    assert_eq!(receipt["action"], "grant");
    assert_eq!(receipt["granted"], true);
    assert_eq!(receipt["purpose"], "location");
    assert_eq!(receipt["notice_version"], notice_version());
    assert_eq!(receipt["legal_basis"], "dpv:Consent");
    assert_eq!(receipt["items"][0]["item"], "city");

    assert_eq!(set_city(&app, &user, "杭州").await.status(), 204);
    assert_eq!(city(&app, &user).await, "杭州");

    let withdrawal: Value = set_consent(&app, &user, "location", false)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(withdrawal["action"], "withdrawal");
    assert_eq!(withdrawal["granted"], false);
    assert!(
        city(&app, &user).await.is_null(),
        "the city is erased with the withdrawal"
    );
    assert_eq!(app.count("user_locations").await, 0);
    assert_problem(set_city(&app, &user, "杭州").await, 403, "consent_required").await;

    // Refusing what was never granted is a refusal.
    let refusal: Value = set_consent(&app, &user, "usage_statistics", false)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refusal["action"], "refusal");

    let receipts: Value = app
        .get("/me/consent-receipts")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = receipts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["purpose"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("usage_statistics", "refusal"),
            ("location", "withdrawal"),
            ("location", "grant"),
            ("account", "grant")
        ]
    );
    // Receipts are immutable: the first one is unchanged by what followed.
    let first = receipts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["receipt_id"] == receipt["receipt_id"])
        .unwrap();
    assert_eq!(first, &receipt);
}

#[tokio::test]
async fn withdrawing_search_history_deletes_the_history() {
    let app = spawn_app().await;
    let user = app.register().await;
    assert_eq!(
        set_consent(&app, &user, "search_history", true)
            .await
            .status(),
        200
    );
    for q in ["小米 14", "手机", "小米 14", "camera"] {
        agora::search::history::record(&app.state.db, &user.id, q)
            .await
            .unwrap();
    }
    let list: Value = app
        .get("/me/search-history")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let queries: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["query"].as_str().unwrap())
        .collect();
    assert_eq!(
        queries,
        ["camera", "小米 14", "手机"],
        "newest first, deduplicated"
    );

    let one = list["items"][0]["id"].as_str().unwrap();
    let resp = app
        .api(Method::DELETE, &format!("/me/search-history/{one}"))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let other = app.register().await;
    let resp = app
        .api(
            Method::DELETE,
            &format!(
                "/me/search-history/{}",
                list["items"][1]["id"].as_str().unwrap()
            ),
        )
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 404, "not_found").await;

    assert_eq!(
        set_consent(&app, &user, "search_history", false)
            .await
            .status(),
        200
    );
    assert_eq!(
        sql_count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM search_history WHERE user_id = '{}'",
                user.id
            )
        )
        .await,
        0
    );
}

#[tokio::test]
async fn essential_purposes_end_only_by_deregistration_but_sensitive_extras_can_be_withdrawn() {
    let app = spawn_app().await;
    let user = app.register().await;
    assert_problem(
        set_consent(&app, &user, "account", false).await,
        409,
        "consent_not_withdrawable",
    )
    .await;
    assert_problem(
        set_consent(&app, &user, "profile", false).await,
        409,
        "consent_not_withdrawable",
    )
    .await;
    assert_eq!(
        set_consent(&app, &user, "browsing", true).await.status(),
        200
    );
    assert_eq!(
        set_consent(&app, &user, "browsing", false).await.status(),
        200
    );
    assert_problem(
        set_consent(&app, &user, "mind_reading", true).await,
        404,
        "not_found",
    )
    .await;
}

async fn login_with_device_id(app: &TestApp, phone: &str, consents: Value) -> String {
    let resp = app
        .post("/auth/login")
        .header("X-Device-Id", "OAID-SECRET-4242")
        .header("X-Device-Model", "Redmi K70")
        .json(&json!({ "phone": phone, "password": PASSWORD, "consents": consents }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_sensitive_header_is_dropped_without_its_grant_and_kept_encrypted_with_it() {
    let app = spawn_app().await;
    let user = app.register().await;
    login_with_device_id(&app, &user.phone, json!(["account"])).await;
    assert_eq!(
        sql_count(
            &app,
            "SELECT COUNT(*) FROM sessions WHERE device_id IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        sql_count(
            &app,
            "SELECT COUNT(*) FROM sessions WHERE device_model = 'Redmi K70'"
        )
        .await,
        1,
        "plain device headers are kept"
    );

    login_with_device_id(&app, &user.phone, json!(["account", "browsing"])).await;
    assert_eq!(
        sql_count(
            &app,
            "SELECT COUNT(*) FROM sessions WHERE device_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        sql_count(
            &app,
            "SELECT COUNT(*) FROM sessions WHERE device_id LIKE '%OAID%'"
        )
        .await,
        0,
        "stored encrypted"
    );
}

#[tokio::test]
async fn the_processing_log_records_purposes_and_item_keys_never_values() {
    let app = spawn_app().await;
    let user = app.register_phone(&new_phone(), "UNIQUE-NICK-77").await;
    app.api(Method::PATCH, "/me/profile")
        .bearer_auth(&user.token)
        .json(&json!({ "signature": "UNIQUE-SIGNATURE-88", "gender": "other" }))
        .send()
        .await
        .unwrap();
    // Reads collect nothing and log nothing.
    app.get("/me")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    let resp = app
        .get("/me/processing-log")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
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
async fn a_user_whose_accepted_notice_no_longer_covers_the_essentials_is_asked_again() {
    let app = spawn_app().await;
    let user = app.register().await;
    let now = chrono::Utc::now().to_rfc3339();
    let cast = if crate::helpers::pg_url().is_some() {
        "::timestamptz"
    } else {
        ""
    };
    app.state
        .db
        .execute_unprepared(&format!(
            "INSERT INTO notice_versions (version, essential_hash, published_at) VALUES ('old-one', 'different', '{now}'{cast})"
        ))
        .await
        .unwrap();
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE users SET accepted_notice_version = 'old-one' WHERE id = '{}'",
            user.id
        ))
        .await
        .unwrap();
    let patch = || {
        app.api(Method::PATCH, "/me/profile")
            .bearer_auth(&user.token)
            .json(&json!({ "signature": "hello" }))
            .send()
    };
    let problem = assert_problem(patch().await.unwrap(), 403, "notice_outdated").await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains(notice_version()));
    // What is needed to decide still works.
    assert_eq!(
        app.get("/me")
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.get("/me/consents")
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let resp = app
        .api(Method::PUT, "/me/notice-acceptance")
        .bearer_auth(&user.token)
        .json(&json!({ "version": "old-one" }))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), ["version"]);
    let resp = app
        .api(Method::PUT, "/me/notice-acceptance")
        .bearer_auth(&user.token)
        .json(&json!({ "version": notice_version() }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(patch().await.unwrap().status(), 200);
}

#[tokio::test]
async fn only_the_last_hundred_searches_are_kept() {
    let app = spawn_app().await;
    let user = app.register().await;
    for i in 0..103 {
        agora::search::history::record(&app.state.db, &user.id, &format!("query {i}"))
            .await
            .unwrap();
    }
    assert_eq!(
        sql_count(&app, "SELECT COUNT(*) FROM search_history").await,
        100
    );
    let page: Value = app
        .get("/me/search-history?limit=1")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["query"], "query 102");
    let resp = app
        .api(Method::DELETE, "/me/search-history")
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        sql_count(&app, "SELECT COUNT(*) FROM search_history").await,
        0
    );
}

#[tokio::test]
async fn letter_case_in_headers_does_not_get_past_the_consent_check() {
    let app = spawn_app().await;
    let user = app.register().await;
    // A content type in capitals is still JSON to the consent check.
    let resp = app
        .api(Method::PUT, "/me/location")
        .bearer_auth(&user.token)
        .header("content-type", "Application/JSON")
        .body(r#"{"city":"杭州"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "consent_required").await;
    // A scheme in capitals is still this user: grants come from the record,
    // never from the request.
    let resp = app
        .api(Method::PUT, "/me/location")
        .header("authorization", format!("BEARER {}", user.token))
        .json(&json!({ "city": "杭州", "consents": ["location"] }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "consent_required").await;
    let resp = app
        .api(Method::PUT, "/me/location")
        .header("authorization", format!("Basic {}", user.token))
        .json(&json!({ "city": "杭州" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 401, "unauthorized").await;
    assert_eq!(app.count("user_locations").await, 0);
}

#[tokio::test]
async fn a_signed_in_users_grants_do_not_cover_someone_elses_registration() {
    let app = spawn_app().await;
    let user = app.register().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    let body = json!({
        "phone": phone, "sms_code": TEST_CODE, "password": PASSWORD, "nickname": "x",
        "accepted_notice_version": notice_version(),
    });
    let resp = app
        .post("/auth/register")
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403, "consent_required").await;
    assert_eq!(app.count("users").await, 1);
}
