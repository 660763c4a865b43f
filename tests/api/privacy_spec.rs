//! Privacy tags in the spec: every field, parameter and header the API
//! collects carries one, and the walk that checks it catches a miss.
use serde_json::{json, Value};

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
