use serde_json::Value;

use crate::helpers::spawn_app;

mod examples;

fn spec() -> Value {
    serde_json::from_str(&agora::openapi::spec_json()).unwrap()
}

#[test]
fn the_committed_spec_is_current() {
    let generated = agora::openapi::spec_json();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    if std::env::var("AGORA_UPDATE_SPEC").is_ok() {
        std::fs::write(&path, format!("{generated}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json` \
         (or the tests with AGORA_UPDATE_SPEC=1) and commit it"
    );
}

#[test]
fn every_operation_has_a_snake_case_area_verb_id_a_tag_and_docs() {
    let spec = spec();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "{id} twice");
            assert!(
                id.contains('_') && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id}"
            );
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1), "{id}");
            assert!(op["summary"].is_string(), "{id} has no summary");
            assert!(
                op["responses"]["default"].is_object(),
                "{id} documents no problem response"
            );
        }
    }
    for expected in [
        "auth_register",
        "auth_login",
        "auth_send_sms_code",
        "me_get",
        "uploads_create",
        "users_get",
    ] {
        assert!(ids.contains(expected), "{expected} missing");
    }
}

#[test]
fn the_spec_declares_bearer_auth_and_the_base_path() {
    let spec = spec();
    let server = &spec["servers"][0];
    assert_eq!(server["url"], "{origin}/api/v1");
    assert_eq!(
        server["variables"]["origin"]["default"],
        "http://127.0.0.1:8080"
    );
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.values().any(|s| s["scheme"] == "bearer"));
    let me = &spec["paths"]["/me"]["get"];
    assert!(me["security"].is_array());
}

#[tokio::test]
async fn the_server_serves_the_spec_and_the_docs() {
    let app = spawn_app().await;
    let served: Value = app
        .get_root("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(served, spec());
    let resp = app.get_root("/docs").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger"));
    assert!(html.contains("x-privacy"), "the docs show the privacy tags");
}

/// Every place in `value` that holds `found`, as JSON pointers.
fn places_of(value: &Value, at: &str, found: &dyn Fn(&str, &Value) -> bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{at}/{key}");
                if found(key, inner) {
                    out.push(here.clone());
                }
                places_of(inner, &here, found, out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                places_of(inner, &format!("{at}/{i}"), found, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_spec_holds_no_nulls() {
    // OpenAPI has no `null` anywhere (a post-processing slip would put one
    // where an array or object belongs).
    let mut found = Vec::new();
    places_of(&spec(), "", &|_, v| v.is_null(), &mut found);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn schemas_are_referenced_plainly_never_through_all_of() {
    // Generators such as openapi-python-client cannot take `allOf` of an
    // enum; a description does not need one.
    let mut found = Vec::new();
    places_of(&spec(), "", &|key, _| key == "allOf", &mut found);
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn absent_values_are_left_out_never_sent_as_null() {
    // The convention (README): a field with no value is omitted; the spec
    // marks it not required. No answer carries `null`.
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let post = app.create_post(&a, None, "no circle", "nor images").await;
    let post_id = post["id"].as_str().unwrap().to_owned();
    let conversation = app.open_conversation(&a, &b).await;
    let mut answers = vec![post];
    for path in [
        "/me".to_owned(),
        format!("/posts/{post_id}"),
        "/plaza?sort=new".to_owned(),
        "/conversations".to_owned(),
        format!("/conversations/{conversation}/messages"),
        "/me/notifications".to_owned(),
        "/auth/sessions".to_owned(),
        format!("/users/{}", b.id),
    ] {
        answers.push(app.get_json_as(&a, &path).await);
    }
    for answer in &answers {
        let mut nulls = Vec::new();
        places_of(answer, "", &|_, v| v.is_null(), &mut nulls);
        assert!(nulls.is_empty(), "null at {nulls:?} in {answer}");
    }
}

#[tokio::test]
async fn the_spec_states_the_bounds_the_server_enforces() {
    let spec = spec();
    let max = agora::api::page::MAX_LIMIT;
    let mut limits = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["name"] == "limit" {
                    limits += 1;
                    assert_eq!(param["schema"]["minimum"], 1, "{param}");
                    assert_eq!(param["schema"]["maximum"], max, "{param}");
                }
            }
        }
    }
    assert!(limits > 15, "found only {limits} paged operations");
    let password = &spec["components"]["schemas"]["RegisterRequest"]["properties"]["password"];
    assert_eq!(password["minLength"], agora::identity::password::MIN_LEN);
    let title = &spec["components"]["schemas"]["NewPostBody"]["properties"]["title"];
    assert_eq!(title["minLength"], 1);
    // And the server holds to them: the bounds pass, one past them does not.
    let app = spawn_app().await;
    assert_eq!(
        app.get_anon(&format!("/plaza?limit={max}")).await.status(),
        200
    );
    assert_eq!(app.get_anon("/plaza?limit=1").await.status(), 200);
    for bad in [0, max + 1] {
        let resp = app.get_anon(&format!("/plaza?limit={bad}")).await;
        crate::helpers::assert_invalid(resp, "limit", None).await;
    }
}

#[test]
fn every_operation_declares_the_problems_it_can_answer_with() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            let name = format!("{method} {path}");
            assert_eq!(
                responses["429"]["headers"]["Retry-After"]["schema"]["type"], "integer",
                "{name}"
            );
            let signed_in = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if signed_in {
                assert!(responses["401"].is_object(), "{name}");
                assert!(responses["403"].is_object(), "{name}");
            }
            if path.contains('{') {
                assert!(responses["404"].is_object(), "{name}");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(responses[status].is_object(), "{name} {status}");
                }
            }
            for (status, response) in responses.as_object().unwrap() {
                if status.starts_with('4') {
                    let schema = &response["content"]["application/problem+json"]["schema"];
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/Problem",
                        "{name} {status}"
                    );
                }
            }
        }
    }
}

#[test]
fn consent_receipts_and_the_export_are_typed_models_not_any() {
    let spec = spec();
    let schema_of = |path: &str, method: &str| {
        spec["paths"][path][method]["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["schema"]["$ref"]
            .clone()
    };
    assert_eq!(
        schema_of("/me/consents/{purpose}", "put"),
        "#/components/schemas/ConsentReceipt"
    );
    assert_eq!(
        schema_of("/me/consent-receipts", "get"),
        "#/components/schemas/Page_ConsentReceipt"
    );
    let receipt = &spec["components"]["schemas"]["ConsentReceipt"];
    assert_eq!(receipt["properties"]["timestamp"]["format"], "date-time");
    assert_eq!(
        schema_of("/me/export", "get"),
        "#/components/schemas/ExportDocument"
    );
}

#[tokio::test]
async fn public_operations_that_read_a_session_refuse_a_bad_token_as_declared() {
    let spec = spec();
    let app = spawn_app().await;
    let admin = app.admin().await;
    let circle = app.create_circle(&admin, "Declared", "product").await;
    let circle = circle["id"].as_str().unwrap();
    let post = app.create_post(&admin, Some(circle), "t", "b").await;
    let post = post["id"].as_str().unwrap();
    let paths = [
        ("circles_list", "/circles".to_owned()),
        ("circles_get", format!("/circles/{circle}")),
        ("comments_list", format!("/posts/{post}/comments")),
        ("feeds_plaza", "/plaza".to_owned()),
        ("feeds_circle", format!("/circles/{circle}/posts")),
        ("posts_get", format!("/posts/{post}")),
        ("search_query", "/search?q=b".to_owned()),
    ];
    for (operation, path) in paths {
        assert!(
            agora::openapi::ANSWERS_401.contains(&operation),
            "{operation}"
        );
        let declared = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op["operationId"] == operation)
            .map(|op| op["responses"]["401"].is_object());
        assert_eq!(declared, Some(true), "{operation} declares its 401");
        // Anonymous, it answers; with a token that resolves to no one, 401.
        assert_eq!(app.get_anon(&path).await.status(), 200, "{path}");
        let resp = app.get_as("not-a-session", &path).await;
        crate::helpers::assert_problem(resp, 401, "unauthorized").await;
    }
    let resp = app.login("+8613800000000", "not the password").await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn the_patterns_the_spec_declares_are_the_server_s_refusals() {
    use crate::helpers::{assert_invalid, fields};
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["NewPostBody"]["properties"]["title"]["pattern"],
        "\\S"
    );
    assert!(schemas["SendSmsCodeRequest"]["properties"]["phone"]["pattern"].is_string());
    // Every pattern compiles (the server would refuse its field outright).
    fn patterns_in<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                out.extend(map.get("pattern").and_then(Value::as_str));
                map.values().for_each(|v| patterns_in(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| patterns_in(v, out)),
            _ => {}
        }
    }
    let mut patterns = Vec::new();
    patterns_in(&spec, &mut patterns);
    assert!(patterns.len() > 10, "{patterns:?}");
    for pattern in patterns {
        assert!(regex::Regex::new(pattern).is_ok(), "{pattern}");
    }
    let app = spawn_app().await;
    let user = app.register().await;
    // Blank is refused like empty: the text has to say something.
    let resp = app
        .try_create_post(&user, serde_json::json!({ "title": "  ", "body": "b" }))
        .await;
    assert_invalid(resp, "title", Some("required")).await;
    // A phone number is digits, with the usual separators.
    let resp = app.send_code("+86 138-0013-80OO", "register").await;
    assert_invalid(resp, "phone", Some("invalid_phone")).await;
    // An SMS code is six digits.
    let resp = app
        .login_with(serde_json::json!({
            "phone": user.phone, "sms_code": "12345", "consents": ["account"],
        }))
        .await;
    assert_invalid(resp, "sms_code", Some("invalid_format")).await;
    // Consents are catalog purposes, named in the spec; others are refused.
    let resp = app
        .login_with(serde_json::json!({
            "phone": user.phone, "password": crate::helpers::PASSWORD,
            "consents": ["account", "telepathy"],
        }))
        .await;
    let problem = crate::helpers::assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), ["consents[1]"]);
    let keys = schemas["PurposeKey"]["enum"].as_array().unwrap();
    assert!(keys.contains(&"account".into()) && !keys.contains(&"telepathy".into()));
    // A cursor longer than any the API hands out is refused unread.
    let long = "A".repeat(agora::api::page::MAX_CURSOR_LEN + 1);
    let resp = app.get_anon(&format!("/plaza?cursor={long}")).await;
    assert_invalid(resp, "cursor", None).await;
    let declared = spec["paths"]["/plaza"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cursor")
        .map(|p| p["schema"]["maxLength"].clone());
    assert_eq!(declared, Some(agora::api::page::MAX_CURSOR_LEN.into()));
}

#[test]
fn every_export_section_is_typed_in_the_spec() {
    let spec = spec();
    let sections = &spec["components"]["schemas"]["ExportDocument"]["properties"]["sections"];
    assert_eq!(sections["additionalProperties"], false);
    let declared = sections["properties"].as_object().unwrap();
    let registries = agora::startup::registries();
    let written = registries.personal_data.sections();
    let mut names: Vec<&str> = declared.keys().map(String::as_str).collect();
    names.sort();
    let mut expected = written.clone();
    expected.sort();
    assert_eq!(
        names, expected,
        "the spec lists exactly the sections owners write"
    );
    for (name, schema) in declared {
        let typed = schema["$ref"].is_string()
            || schema["items"]["$ref"].is_string()
            || schema["items"]["type"] == "string";
        assert!(typed, "section {name} is typed: {schema}");
    }
}

#[tokio::test]
async fn the_problem_body_and_the_statuses_are_declared_as_sent() {
    let spec = spec();
    let problem = &spec["components"]["schemas"]["Problem"];
    // Extension members sit at the top level, as the server sends them.
    assert!(problem["properties"]["extensions"].is_null());
    assert_eq!(
        problem["properties"]["purposes"]["items"]["$ref"],
        "#/components/schemas/RefusedPurpose"
    );
    let codes = problem["properties"]["code"]["enum"].as_array().unwrap();
    assert!(codes.contains(&"consent_required".into()));
    let op = |id: &str| {
        spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op["operationId"] == id)
            .unwrap()
            .clone()
    };
    assert!(op("auth_register")["responses"]["409"].is_object());
    assert!(op("posts_create")["responses"]["404"].is_object());
    assert!(op("search_query")["responses"]["503"].is_object());
    // And on the wire: a refused grant names its purpose at the top level.
    let app = spawn_app().await;
    let user = app.register().await;
    let log = serde_json::json!({
        "title": "t", "body": "b", "log_upload_id": "0190a000-0000-7000-8000-000000000001",
    });
    let problem = crate::helpers::assert_problem(
        app.try_create_post(&user, log).await,
        403,
        "consent_required",
    )
    .await;
    assert_eq!(problem["purposes"][0]["purpose"], "diagnostic_logs");
    assert!(problem.get("extensions").is_none());
    // A consents list longer than the spec's maxItems is refused.
    let many: Vec<&str> = vec!["account"; 1000];
    let resp = app
        .post("/auth/sms-codes")
        .json(&serde_json::json!({
            "phone": "+8613800138000", "purpose": "register", "consents": many,
        }))
        .send()
        .await
        .unwrap();
    crate::helpers::assert_invalid(resp, "consents", Some("too_many_items")).await;
}

#[tokio::test]
async fn an_edit_that_changes_nothing_leaves_no_revision_and_no_mark() {
    let app = spawn_app().await;
    let user = app.register().await;
    let post = app.create_post(&user, None, "same", "text").await;
    let id = post["id"].as_str().unwrap();
    for patch in [
        serde_json::json!({}),
        serde_json::json!({ "title": "same", "body": "text" }),
    ] {
        assert_eq!(app.edit_post(&user, id, patch).await.status(), 200);
    }
    let shown = crate::helpers::json_of(app.get_anon(&format!("/posts/{id}")).await).await;
    assert!(shown.get("edited_at").is_none(), "{shown}");
    let revisions = app
        .get_json_as(&user, &format!("/posts/{id}/revisions"))
        .await;
    assert_eq!(revisions.as_array().map(Vec::len), Some(0));
}
