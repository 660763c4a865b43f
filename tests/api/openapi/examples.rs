//! The committed spec shows an example for every JSON body and success
//! answer, and every example fits its own schema.
use serde_json::{json, Value};

/// `openapi/openapi.json` as committed: what the docs and the SDKs show.
fn committed_spec() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn model<'a>(schemas: &'a Value, schema: &Value) -> Option<(&'a str, &'a Value)> {
    let name = schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")?;
    let (name, model) = schemas.as_object()?.get_key_value(name)?;
    Some((name.as_str(), model))
}

/// Whether `schema` shows an example: its own, its model's, its items'
/// (an array's, a page's).
fn has_example(schemas: &Value, schema: &Value) -> bool {
    if schema.get("example").is_some() {
        return true;
    }
    if let Some((name, model)) = model(schemas, schema) {
        return model.get("example").is_some()
            || (name.starts_with("Page_")
                && has_example(schemas, &model["properties"]["items"]["items"]));
    }
    schema["type"] == "array" && has_example(schemas, &schema["items"])
}

#[test]
fn every_json_body_and_success_answer_shows_an_example() {
    let spec = committed_spec();
    let schemas = &spec["components"]["schemas"];
    let mut missing = Vec::new();
    let operations = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter(|op| op.is_object());
    for op in operations {
        let id = op["operationId"].as_str().unwrap_or("(no operationId)");
        let mut contents = vec![("request", &op["requestBody"]["content"])];
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            if status.starts_with('2') {
                contents.push((status.as_str(), &response["content"]));
            }
        }
        for (what, content) in contents {
            for (media, body) in content.as_object().into_iter().flatten() {
                if media.contains("json") && !has_example(schemas, &body["schema"]) {
                    missing.push(format!("{id} {what} ({media})"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "JSON bodies without an example (`#[oai(example)]` and `impl Example` on the model): {missing:#?}"
    );
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `value` does not fit `schema`, structurally: its type, required
/// properties, undeclared ones, enum values; through references, items,
/// maps and alternatives.
fn misfits(schemas: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some((_, model)) = model(schemas, schema) {
        return misfits(schemas, model, value, at, out);
    }
    let alternatives = schema["anyOf"].as_array().or(schema["oneOf"].as_array());
    if let Some(alternatives) = alternatives {
        let fits = |alternative: &Value| {
            let mut found = Vec::new();
            misfits(schemas, alternative, value, at, &mut found);
            found.is_empty()
        };
        if !alternatives.iter().any(fits) {
            out.push(format!("{at}: {value} fits none of its alternatives"));
        }
        return;
    }
    let kind = json_type(value);
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let typed = |t: &&str| *t == kind || (*t == "number" && kind == "integer");
    if !types.is_empty() && !types.iter().any(typed) {
        out.push(format!("{at}: a {kind}, declared {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(fields) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    out.push(format!("{at}: required `{name}` missing"));
                }
            }
            for (name, inner) in fields {
                let here = format!("{at}.{name}");
                match schema["properties"].get(name) {
                    Some(property) => misfits(schemas, property, inner, &here, out),
                    None if schema["additionalProperties"].is_object() => {
                        misfits(schemas, &schema["additionalProperties"], inner, &here, out)
                    }
                    None => out.push(format!("{here}: not a declared property")),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                misfits(schemas, &schema["items"], item, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_example_fits_its_own_schema() {
    let spec = committed_spec();
    let schemas = &spec["components"]["schemas"];
    let mut found = Vec::new();
    let mut examples = 0;
    for (name, schema) in schemas.as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            examples += 1;
            misfits(schemas, schema, example, name, &mut found);
        }
    }
    assert!(examples > 100, "only {examples} examples");
    assert!(
        found.is_empty(),
        "examples that do not fit their schema:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_example_check_catches_what_does_not_fit() {
    let schemas = json!({
        "Kind": { "type": "string", "enum": ["post", "comment"] },
        "Target": {
            "type": "object",
            "required": ["id", "kind"],
            "properties": {
                "id": { "type": "string" },
                "kind": { "$ref": "#/components/schemas/Kind" },
                "tags": { "type": "array", "items": { "type": "string" } },
            },
        },
    });
    let target = json!({ "$ref": "#/components/schemas/Target" });
    let check = |example: Value| {
        let mut found = Vec::new();
        misfits(&schemas, &target, &example, "Target", &mut found);
        found
    };
    assert!(check(json!({ "id": "a", "kind": "post", "tags": ["x"] })).is_empty());
    for (example, expected) in [
        (json!({ "kind": "post" }), "required `id` missing"),
        (json!({ "id": "a", "kind": "user" }), "is not one of"),
        (
            json!({ "id": "a", "kind": "post", "by": "b" }),
            "Target.by: not a declared",
        ),
        (
            json!({ "id": "a", "kind": "post", "tags": [1] }),
            "Target.tags[0]: a integer",
        ),
    ] {
        let found = check(example);
        assert!(
            found.iter().any(|f| f.contains(expected)),
            "{expected}: {found:?}"
        );
    }
    assert!(!has_example(&schemas, &target));
}
