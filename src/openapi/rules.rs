//! Rules the server enforces in code, written into the spec from the
//! same constants, and the export's sections from their owners' types.
use crate::privacy::catalog::PURPOSES;

/// Rules the server enforces in code rather than through a schema
/// validator, written into the spec from the same constants: page sizes
/// (`PageParams`), password lengths (`Password`, whose own refusal,
/// `weak_password`, says more than a length check would) and the ids in
/// answers, which are strings in the views but always UUIDs.
pub(super) fn server_rules(spec: &mut serde_json::Value) {
    use crate::{
        api::page::{DEFAULT_LIMIT, MAX_LIMIT},
        identity::password::MIN_LEN,
    };
    for op in super::operations_mut(spec) {
        let params = op.get_mut("parameters").and_then(|p| p.as_array_mut());
        for param in params.into_iter().flatten() {
            if param["name"] == "limit" && param["in"] == "query" {
                let schema = &mut param["schema"];
                schema["minimum"] = 1.into();
                schema["maximum"] = MAX_LIMIT.into();
                schema["default"] = DEFAULT_LIMIT.into();
            }
            if param["name"] == "cursor" && param["in"] == "query" {
                let schema = &mut param["schema"];
                schema["maxLength"] = crate::api::page::MAX_CURSOR_LEN.into();
                schema["pattern"] = "^[A-Za-z0-9_-]*$".into();
            }
            if param["name"] == "purpose" && param["in"] == "path" {
                param["schema"] = serde_json::json!({ "$ref": "#/components/schemas/PurposeKey" });
            }
        }
    }
    for (model, field) in [
        ("RegisterRequest", "password"),
        ("PasswordChange", "new_password"),
    ] {
        let property = spec
            .pointer_mut(&format!("/components/schemas/{model}/properties/{field}"))
            .and_then(|p| p.as_object_mut());
        if let Some(property) = property {
            property.insert("minLength".into(), MIN_LEN.into());
        }
    }
    // The notice version is a hash of its text (`privacy::notice`); any
    // other value is refused as outdated, with a 400 naming the field.
    for (model, field) in [
        ("RegisterRequest", "accepted_notice_version"),
        ("NoticeAcceptance", "version"),
    ] {
        let property = spec
            .pointer_mut(&format!("/components/schemas/{model}/properties/{field}"))
            .and_then(|p| p.as_object_mut());
        if let Some(property) = property {
            property.insert("maxLength".into(), 16.into());
            property.insert("pattern".into(), "^[0-9a-f]{16}$".into());
        }
    }
    if let Some(schemas) = spec["components"]["schemas"].as_object_mut() {
        // A form's `consents`: catalog purposes (a repeat grants once,
        // `identity::auth_forms::parse_consents`), one named enum.
        for consents in schemas
            .values_mut()
            .filter_map(|s| s.pointer_mut("/properties/consents"))
        {
            consents["items"] = serde_json::json!({ "$ref": "#/components/schemas/PurposeKey" });
        }
        schemas.insert(
            "PurposeKey".into(),
            serde_json::json!({
                "type": "string",
                "description": "A purpose of the privacy catalog (`GET /privacy/catalog`).",
                "enum": purpose_keys(),
            }),
        );
        for properties in schemas
            .values_mut()
            .filter_map(|s| s.get_mut("properties"))
            .filter_map(|p| p.as_object_mut())
        {
            for (name, property) in properties.iter_mut() {
                uuid_format(name, property);
            }
        }
    }
}

/// The catalog's purpose keys, the closed set a `consents` list and a
/// `{purpose}` path take.
fn purpose_keys() -> serde_json::Value {
    PURPOSES
        .iter()
        .map(|p| serde_json::Value::from(p.key))
        .collect()
}

/// Fields named like ids that are not ours to mint: the client's own
/// idempotency key, the spec's operation ids, a device's identifier.
const NOT_UUIDS: &[&str] = &["client_id", "operation_id", "device_id", "wechat_id"];

/// What the answers carry from closed sets the Rust views hold as text:
/// catalog purpose keys (every purpose a view names comes from the
/// catalog), error codes (`ErrorCode::ALL`), and the id lists of the
/// export. And the problem body as it is on the wire: its extension
/// members (`purposes` of a `consent_required`) at the top level (RFC 9457
/// §3.2, `error::problem_response`), not under `extensions`.
pub(super) fn closed_sets(spec: &mut serde_json::Value) {
    use serde_json::json;
    let purpose = json!({ "$ref": "#/components/schemas/PurposeKey" });
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    for (model, field) in [
        ("ConsentState", "purpose"),
        ("ExportedConsentState", "purpose"),
        ("ConsentReceipt", "purpose"),
        ("ProcessingRecord", "purpose"),
        ("ExportedProcessing", "purpose"),
        ("CatalogPurpose", "key"),
    ] {
        if let Some(property) = schemas
            .get_mut(model)
            .and_then(|m| m.pointer_mut(&format!("/properties/{field}")))
        {
            let description = property.get("description").cloned();
            *property = purpose.clone();
            if let Some(description) = description {
                property["description"] = description;
            }
        }
    }
    for (model, field) in [
        ("ExportedFollows", "following"),
        ("ExportedFollows", "followers"),
        ("ExportedLikes", "posts"),
        ("ExportedLikes", "comments"),
    ] {
        if let Some(items) = schemas
            .get_mut(model)
            .and_then(|m| m.pointer_mut(&format!("/properties/{field}/items")))
        {
            items["format"] = "uuid".into();
        }
    }
    if let Some(problem) = schemas.get_mut("Problem") {
        let codes: Vec<&str> = crate::error::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        problem["properties"]["code"]["enum"] = json!(codes);
        if let Some(properties) = problem["properties"].as_object_mut() {
            properties.remove("extensions");
            properties.insert(
                "purposes".into(),
                json!({
                    "type": "array",
                    "description": "For `consent_required`: each purpose to grant, with the items of this call that need it.",
                    "items": { "$ref": "#/components/schemas/RefusedPurpose" },
                }),
            );
        }
    }
    schemas.insert(
        "RefusedPurpose".into(),
        json!({
            "type": "object",
            "description": "A purpose a call needs granted, and the items of the call it covers.",
            "required": ["purpose", "items"],
            "properties": {
                "purpose": { "$ref": "#/components/schemas/PurposeKey" },
                "items": { "type": "array", "items": { "type": "string" } },
            },
        }),
    );
}

/// Every id agora mints is a UUID (`ids::typed_ids`, `Uuid::now_v7`); the
/// views carry some as plain strings, so the spec says it for them.
fn uuid_format(name: &str, property: &mut serde_json::Value) {
    let is_id = name == "id" || name.ends_with("_id") || name.ends_with("_ids");
    if !is_id || NOT_UUIDS.contains(&name) {
        return;
    }
    let target = if property["type"] == "array" {
        &mut property["items"]
    } else {
        property
    };
    if let Some(target) = target.as_object_mut() {
        if target.get("type").and_then(|t| t.as_str()) == Some("string") {
            target.entry("format").or_insert_with(|| "uuid".into());
        }
    }
}

/// `GET /me/export` section by section: each personal-data owner declares
/// the type of each section it writes (`privacy::registry::Section`), and
/// the export document's `sections` lists them all, typed.
pub(super) fn export_sections(spec: &mut serde_json::Value) {
    let mut registry = poem_openapi::registry::Registry::new();
    let registries = crate::startup::registries();
    let mut properties = serde_json::Map::new();
    for section in registries
        .personal_data
        .owners()
        .flat_map(|owner| owner.sections())
    {
        let schema = (section.schema)(&mut registry);
        properties.insert(
            section.name.into(),
            serde_json::to_value(schema).unwrap_or_default(),
        );
    }
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    for (name, schema) in registry.schemas {
        schemas
            .entry(name)
            .or_insert_with(|| serde_json::to_value(schema).unwrap_or_default());
    }
    if let Some(document) = schemas.get_mut("ExportDocument") {
        let description = document["properties"]["sections"]["description"].clone();
        document["properties"]["sections"] = serde_json::json!({
            "type": "object",
            "description": description,
            "properties": properties,
            "additionalProperties": false,
        });
    }
}
