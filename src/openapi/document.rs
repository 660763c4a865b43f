//! The document's shape for SDK generators: plain references, `date`,
//! OpenAPI 3.1, servers, descriptions.
use super::BASE_PATH;

/// One walk over the generated spec, for what SDK generators need:
/// poem-openapi names `NaiveDate` `naive-date`, generators know `date`; and
/// it wraps a `$ref` in `allOf` to give it a description, which many
/// generators cannot take for an enum, so the reference goes plain, its
/// description (and privacy tag) kept beside it.
pub(super) fn tidy_schemas(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("format").and_then(|f| f.as_str()) == Some("naive-date") {
                map.insert("format".into(), "date".into());
                map.insert("maxLength".into(), 10.into());
            }
            // RFC 3339 with nanoseconds and an offset is 35 characters.
            if map.get("format").and_then(|f| f.as_str()) == Some("date-time") {
                map.entry("maxLength").or_insert_with(|| 40.into());
            }
            let single_ref = map
                .get("allOf")
                .and_then(|a| a.as_array())
                .and_then(|parts| {
                    let (first, rest) = parts.split_first()?;
                    let only_descriptions = rest.iter().all(|p| {
                        p.as_object()
                            .is_some_and(|o| o.keys().all(|k| k == "description"))
                    });
                    only_descriptions
                        .then(|| first.get("$ref").cloned())
                        .flatten()
                });
            if let Some(reference) = single_ref {
                map.remove("allOf");
                map.insert("$ref".into(), reference);
            }
            map.values_mut().for_each(tidy_schemas);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy_schemas),
        _ => {}
    }
}

/// The document as OpenAPI 3.1: a field whose type is a shared model
/// carries its description and privacy tag beside the `$ref`, which 3.1
/// allows (3.0 would ignore them). Every operation has a description (its
/// summary, where the docs say no more) and the API a contact.
/// A request body's optional field may be sent as `null` (it reads as
/// absent, or for a PATCH as "clear it"), so the spec says so: OpenAPI
/// 3.1's `"type": [T, "null"]`, or `anyOf` a `$ref` and `null`. Answers
/// keep the other convention: an absent value is left out, never null.
pub(super) fn nullable_request_fields(spec: &mut serde_json::Value) {
    let mut bodies: Vec<String> = Vec::new();
    if let Some(paths) = spec["paths"].as_object() {
        for op in paths
            .values()
            .filter_map(|item| item.as_object())
            .flat_map(|item| item.values())
        {
            let content = op["requestBody"]["content"].as_object();
            for media in content.into_iter().flat_map(|c| c.values()) {
                if let Some(name) = media["schema"]["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    bodies.push(name.to_owned());
                }
            }
        }
    }
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    for name in bodies {
        let Some(schema) = schemas.get_mut(&name) else {
            continue;
        };
        let required: Vec<String> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
        let Some(properties) = schema["properties"].as_object_mut() else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            if required.contains(field) {
                continue;
            }
            let Some(property) = property.as_object_mut() else {
                continue;
            };
            if let Some(reference) = property.remove("$ref") {
                property.insert(
                    "anyOf".into(),
                    serde_json::json!([{ "$ref": reference }, { "type": "null" }]),
                );
            } else if let Some(ty) = property.get("type").and_then(|t| t.as_str()) {
                let ty = ty.to_owned();
                property.insert("type".into(), serde_json::json!([ty, "null"]));
            }
        }
    }
}

/// An upload form takes its one part and no other
/// (`#[oai(deny_unknown_fields)]`); its schema is inline, and says so.
pub(super) fn closed_forms(spec: &mut serde_json::Value) {
    for op in super::operations_mut(spec) {
        if let Some(form) = op.pointer_mut("/requestBody/content/multipart~1form-data/schema") {
            if form["type"] == "object" {
                form["additionalProperties"] = false.into();
            }
        }
    }
}

/// A page's example is one of its item's and a cursor, for every page of
/// a model that has an example (poem-openapi's generic `Page<T>` cannot
/// carry one of its own).
pub(super) fn page_examples(spec: &mut serde_json::Value) {
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    let cursor = crate::api::page::Cursor::encode(&crate::api::examples::id("Cursor"));
    let pages: Vec<(String, serde_json::Value)> = schemas
        .iter()
        .filter(|(name, page)| name.starts_with("Page_") && page.get("example").is_none())
        .filter_map(|(name, page)| {
            let item = page["properties"]["items"]["items"]["$ref"].as_str()?;
            let item = item.rsplit('/').next()?;
            let example = schemas.get(item)?.get("example")?.clone();
            Some((
                name.clone(),
                serde_json::json!({ "items": [example], "next_cursor": cursor }),
            ))
        })
        .collect();
    for (name, example) in pages {
        schemas[&name]["example"] = example;
    }
}

pub(super) fn finish_document(spec: &mut serde_json::Value) {
    spec["openapi"] = "3.1.0".into();
    // An absolute URL (generators take the first server as the client's
    // default base), its origin a variable a deployment fills in.
    spec["servers"] = serde_json::json!([{
        "url": format!("{{origin}}{BASE_PATH}"),
        "description": "Any environment, production, staging or local: the origin says which (`cargo run` listens locally on http://127.0.0.1:8080).",
        "variables": { "origin": {
            "default": "http://127.0.0.1:8080",
            "description": "Scheme, host and port of the deployment.",
        } },
        "x-internal": false,
    }]);
    spec["info"]["contact"] = serde_json::json!({
        "name": "agora maintainers",
        "email": "api@agora.invalid",
    });
    for op in super::operations_mut(spec).filter_map(|op| op.as_object_mut()) {
        let summary = op.get("summary").cloned();
        if !op.contains_key("description") {
            if let Some(summary) = summary {
                op.insert("description".into(), summary);
            }
        }
    }
}
