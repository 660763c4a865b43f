use serde_json::Value;

use crate::helpers::spawn_app;

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
    assert_eq!(spec["servers"][0]["url"], "/api/v1");
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
