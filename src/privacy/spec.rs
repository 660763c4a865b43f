//! Reads the field tags out of the generated spec: adds `x-privacy` to
//! every tagged property, parameter and header and `x-privacy-purposes` to
//! every operation, and builds the table the consent middleware enforces.
use std::collections::{BTreeSet, HashMap};

use poem::http::Method;
use serde_json::{Map, Value};

use super::tags::{split, Need, Tag};

pub use super::policy::{
    policies, register_policies, FieldTag, Location, OperationPolicy, PolicyTable,
};

pub struct Annotated {
    pub spec: Value,
    pub policies: PolicyTable,
    /// Malformed tags and tags that contradict the schema.
    pub problems: Vec<String>,
}

/// Takes the tag line out of a schema object's descriptions and sets
/// `x-privacy` in its place.
fn take_tag(
    obj: &mut Map<String, Value>,
    context: &str,
    problems: &mut Vec<String>,
) -> Option<Tag> {
    let mut found = None;
    let mut strip = |holder: &mut Map<String, Value>| {
        if let Some(Value::String(description)) = holder.get("description").cloned() {
            let (tag, rest) = split(&description);
            if tag.is_some() {
                if rest.is_empty() {
                    holder.remove("description");
                } else {
                    holder.insert("description".into(), Value::String(rest));
                }
                if found.is_none() {
                    found = tag;
                }
            }
        }
    };
    strip(obj);
    if let Some(Value::Array(parts)) = obj.get_mut("allOf") {
        for part in parts.iter_mut() {
            if let Value::Object(part) = part {
                strip(part);
            }
        }
        parts.retain(|p| p.as_object().is_none_or(|o| !o.is_empty()));
    }
    match found {
        Some(Ok(tag)) => {
            obj.insert("x-privacy".into(), tag.extension());
            Some(tag)
        }
        Some(Err(err)) => {
            problems.push(format!("{context}: {err}"));
            None
        }
        None => None,
    }
}

fn need_matches(tag: &Tag, required: bool) -> bool {
    match tag {
        Tag::NotPersonal => true,
        Tag::Personal { need, .. } => (*need == Need::Required) == required,
    }
}

fn required_list(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Annotates the properties of one object schema; keys are `Schema.prop`.
fn annotate_properties(
    schema: &mut Value,
    name: &str,
    tags: &mut HashMap<String, Tag>,
    problems: &mut Vec<String>,
) {
    let required = required_list(schema);
    let Some(Value::Object(props)) = schema.get_mut("properties") else {
        return;
    };
    for (prop, value) in props.iter_mut() {
        let Value::Object(obj) = value else { continue };
        let context = format!("{name}.{prop}");
        if let Some(tag) = take_tag(obj, &context, problems) {
            if !need_matches(&tag, required.contains(prop)) {
                problems.push(format!(
                    "{context}: tagged {} but the schema says otherwise",
                    if required.contains(prop) {
                        "optional"
                    } else {
                        "required"
                    }
                ));
            }
            tags.insert(context, tag);
        }
    }
}

fn ref_name(value: &Value) -> Option<&str> {
    value["$ref"]
        .as_str()
        .or_else(|| {
            value["allOf"]
                .as_array()?
                .iter()
                .find_map(|p| p["$ref"].as_str())
        })
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// Collects the tags of a request body, following nested objects.
fn body_fields(
    schema: &Value,
    name: &str,
    schemas: &Map<String, Value>,
    tags: &HashMap<String, Tag>,
    prefix: &str,
    out: &mut Vec<FieldTag>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let Some(props) = schema["properties"].as_object() else {
        return;
    };
    for (prop, value) in props {
        let path = format!("{prefix}{prop}");
        if let Some(tag) = tags.get(&format!("{name}.{prop}")) {
            out.push(FieldTag {
                location: Location::Body,
                name: path.clone(),
                tag: *tag,
            });
        }
        let nested = ref_name(value).or_else(|| ref_name(&value["items"]));
        if let Some(child) = nested.and_then(|n| schemas.get(n).map(|s| (n, s))) {
            body_fields(
                child.1,
                child.0,
                schemas,
                tags,
                &format!("{path}."),
                out,
                depth + 1,
            );
        }
    }
}

pub fn annotate(mut spec: Value) -> Annotated {
    let mut problems = Vec::new();
    let mut tags = HashMap::new();
    if let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            annotate_properties(schema, name, &mut tags, &mut problems);
        }
    }
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut operations = Vec::new();
    if let Some(Value::Object(paths)) = spec.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(methods) = item else {
                continue;
            };
            for (method, op) in methods.iter_mut() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                if let Some(policy) =
                    annotate_operation(op, method, path, &schemas, &mut tags, &mut problems)
                {
                    operations.push(policy);
                }
            }
        }
    }
    Annotated {
        spec,
        policies: PolicyTable { operations },
        problems,
    }
}

fn annotate_operation(
    op: &mut Value,
    method: Method,
    path: &str,
    schemas: &Map<String, Value>,
    tags: &mut HashMap<String, Tag>,
    problems: &mut Vec<String>,
) -> Option<OperationPolicy> {
    let operation_id = op["operationId"].as_str()?.to_owned();
    let mut fields = Vec::new();
    if let Some(Value::Array(params)) = op.get_mut("parameters") {
        for param in params.iter_mut() {
            let Value::Object(obj) = param else { continue };
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let required = obj
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let location = match obj.get("in").and_then(Value::as_str) {
                Some("query") => Location::Query,
                Some("path") => Location::Path,
                Some("header") => Location::Header,
                _ => continue,
            };
            let context = format!("{operation_id} parameter {name}");
            if let Some(tag) = take_tag(obj, &context, problems) {
                if !need_matches(&tag, required) {
                    problems.push(format!(
                        "{context}: its need contradicts `required: {required}`"
                    ));
                }
                fields.push(FieldTag {
                    location,
                    name,
                    tag,
                });
            }
        }
    }
    if let Some(Value::Object(content)) = op.pointer_mut("/requestBody/content") {
        for (_, media) in content.iter_mut() {
            let Some(schema) = media.get_mut("schema") else {
                continue;
            };
            match ref_name(schema).map(str::to_owned) {
                Some(name) => {
                    if let Some(s) = schemas.get(&name) {
                        body_fields(s, &name, schemas, tags, "", &mut fields, 0);
                    }
                }
                None => {
                    // An inline schema (multipart forms) carries its own tags.
                    let inline = format!("{operation_id} body");
                    annotate_properties(schema, &inline, tags, problems);
                    body_fields(schema, &inline, schemas, tags, "", &mut fields, 0);
                }
            }
        }
    }
    let purposes: BTreeSet<&'static str> = fields
        .iter()
        .filter_map(|f| match f.tag {
            Tag::Personal { purpose, .. } => Some(purpose.key),
            Tag::NotPersonal => None,
        })
        .collect();
    let purposes: Vec<&'static str> = purposes.into_iter().collect();
    op["x-privacy-purposes"] = Value::from(purposes.clone());
    let authenticated = op["security"].as_array().is_some_and(|s| !s.is_empty());
    Some(OperationPolicy {
        operation_id,
        method,
        segments: path
            .trim_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect(),
        fields,
        purposes,
        authenticated,
    })
}
