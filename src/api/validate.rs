//! Checks a JSON value against the schema poem-openapi registers for a type
//! — the very schema in the published spec — and names every bad field.
use std::{any::TypeId, collections::HashMap, sync::Mutex};

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::Type,
};
use serde_json::Value;

use crate::error::{AppError, FieldError};

/// Patterns the API's fields use (in `#[oai(validator(pattern = …))]`,
/// which takes only a literal), each with the words a client is shown.
/// A pattern missing here is still enforced, with a generic message.
const PATTERNS: &[(&str, &str, &str)] = &[
    (r"\S", "required", "must not be blank"),
    (
        r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$",
        "invalid_characters",
        "must not be blank or hold control characters",
    ),
    (r"^[0-9]{6}$", "invalid_format", "must be 6 digits"),
    (
        r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$",
        "invalid_format",
        "is not a package name (com.example.app)",
    ),
    (
        r"^[\s()-]*\+?[\s()0-9-]{7,40}$",
        "invalid_phone",
        "is not a valid phone number",
    ),
];

/// Compiled once each; the spec's patterns are ECMA-262 and these stay
/// within the syntax both engines read alike.
static COMPILED: Mutex<Option<HashMap<String, Option<&'static regex::Regex>>>> = Mutex::new(None);

/// A pattern is a literal in our own source; one that does not compile
/// (`tests/api/openapi.rs` compiles every pattern in the spec) matches
/// nothing, so its field is refused rather than let through unchecked.
pub(super) fn matches(pattern: &str, text: &str) -> bool {
    // The commonest pattern, "not blank", needs no regex (`\s` is Unicode
    // White_Space, as `trim` is).
    if pattern == r"\S" {
        return !text.trim().is_empty();
    }
    let mut guard = COMPILED.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(regex) = map.get(pattern) {
        return regex.is_some_and(|r| r.is_match(text));
    }
    let regex = regex::Regex::new(pattern)
        .ok()
        .map(|r| &*Box::leak(Box::new(r)));
    map.insert(pattern.to_owned(), regex);
    regex.is_some_and(|r| r.is_match(text))
}

/// Registries are built once per payload type.
static REGISTRIES: Mutex<Option<HashMap<TypeId, &'static Registry>>> = Mutex::new(None);

fn registry_for<T: Type + 'static>() -> &'static Registry {
    let mut guard = REGISTRIES.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    map.entry(TypeId::of::<T>()).or_insert_with(|| {
        let mut registry = Registry::new();
        T::register(&mut registry);
        Box::leak(Box::new(registry))
    })
}

pub fn against<T: Type + 'static>(value: &Value) -> Result<(), AppError> {
    let registry = registry_for::<T>();
    let mut errors = Vec::new();
    Checker {
        registry,
        errors: &mut errors,
    }
    .check(value, &T::schema_ref(), "", true);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_fields(errors))
    }
}

struct Checker<'a> {
    registry: &'static Registry,
    errors: &'a mut Vec<FieldError>,
}

impl Checker<'_> {
    fn fail(&mut self, path: &str, code: &str, message: String) {
        let field = if path.is_empty() { "body" } else { path };
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        });
    }

    fn resolve<'s>(&self, schema: &'s MetaSchemaRef) -> Option<&'s MetaSchema>
    where
        'static: 's,
    {
        match schema {
            MetaSchemaRef::Inline(s) => Some(s),
            MetaSchemaRef::Reference(name) => self.registry.schemas.get(name),
        }
    }

    fn check(&mut self, value: &Value, schema: &MetaSchemaRef, path: &str, required: bool) {
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        if value.is_null() {
            if required && !schema.nullable {
                self.fail(path, "required", "is required".into());
            }
            return;
        }
        for part in &schema.all_of {
            self.check(value, part, path, required);
        }
        match schema.ty {
            "string" => self.check_string(value, schema, path),
            "integer" | "number" => self.check_number(value, schema, path),
            "boolean" if !value.is_boolean() => {
                self.fail(path, "invalid_type", "must be true or false".into())
            }
            "array" => self.check_array(value, schema, path),
            "object" => self.check_object(value, schema, path),
            _ => {}
        }
    }

    fn check_string(&mut self, value: &Value, schema: &MetaSchema, path: &str) {
        let Some(s) = value.as_str() else {
            return self.fail(path, "invalid_type", "must be a string".into());
        };
        if !schema.enum_items.is_empty() && !schema.enum_items.contains(value) {
            let allowed: Vec<String> = schema.enum_items.iter().map(|v| v.to_string()).collect();
            return self.fail(
                path,
                "not_allowed",
                format!("must be one of {}", allowed.join(", ")),
            );
        }
        let before = self.errors.len();
        let chars = s.chars().count();
        if let Some(max) = schema.max_length.filter(|max| chars > *max) {
            self.fail(
                path,
                "too_long",
                format!("must be at most {max} characters"),
            );
        }
        if let Some(min) = schema.min_length.filter(|min| chars < *min) {
            let code = if chars == 0 { "required" } else { "too_short" };
            self.fail(path, code, format!("must be at least {min} characters"));
        }
        let pattern = schema
            .pattern
            .as_deref()
            .filter(|_| self.errors.len() == before);
        if let Some(pattern) = pattern.filter(|p| !matches(p, s)) {
            let (code, message) = PATTERNS
                .iter()
                .find(|(known, ..)| *known == pattern)
                .map_or(
                    ("invalid_format", format!("must match {pattern}")),
                    |(_, code, msg)| (*code, (*msg).to_owned()),
                );
            return self.fail(path, code, message);
        }
        let format_ok = match schema.format {
            Some("uuid") => uuid::Uuid::parse_str(s).is_ok(),
            Some("date" | "naive-date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            _ => true,
        };
        if !format_ok {
            let format = match schema.format {
                Some("naive-date") => "date (YYYY-MM-DD)",
                other => other.unwrap_or_default(),
            };
            self.fail(path, "invalid_format", format!("must be a valid {format}"));
        }
    }

    fn check_number(&mut self, value: &Value, schema: &MetaSchema, path: &str) {
        let Some(n) = value.as_f64() else {
            return self.fail(path, "invalid_type", "must be a number".into());
        };
        if schema.ty == "integer" && !(value.is_i64() || value.is_u64()) {
            return self.fail(path, "invalid_type", "must be an integer".into());
        }
        if let Some(max) = schema.maximum.filter(|max| n > *max) {
            self.fail(path, "too_large", format!("must be at most {max}"));
        }
        if let Some(min) = schema.minimum.filter(|min| n < *min) {
            self.fail(path, "too_small", format!("must be at least {min}"));
        }
    }

    fn check_array(&mut self, value: &Value, schema: &MetaSchema, path: &str) {
        let Some(items) = value.as_array() else {
            return self.fail(path, "invalid_type", "must be an array".into());
        };
        if let Some(max) = schema.max_items.filter(|max| items.len() > *max) {
            self.fail(
                path,
                "too_many_items",
                format!("must have at most {max} items"),
            );
        }
        if let Some(min) = schema.min_items.filter(|min| items.len() < *min) {
            self.fail(
                path,
                "too_few_items",
                format!("must have at least {min} items"),
            );
        }
        if let Some(item_schema) = &schema.items {
            for (i, item) in items.iter().enumerate() {
                self.check(item, item_schema, &format!("{path}[{i}]"), true);
            }
        }
    }

    fn check_object(&mut self, value: &Value, schema: &MetaSchema, path: &str) {
        let Some(map) = value.as_object() else {
            return self.fail(path, "invalid_type", "must be an object".into());
        };
        for (name, prop) in &schema.properties {
            let child = if path.is_empty() {
                (*name).to_owned()
            } else {
                format!("{path}.{name}")
            };
            let required = schema.required.contains(name);
            match map.get(*name) {
                Some(v) => self.check(v, prop, &child, required),
                None if required => self.fail(&child, "required", "is required".into()),
                None => {}
            }
        }
    }
}
