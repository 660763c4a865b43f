//! The one `OpenApiService` combining every area, and the spec it makes.
use std::sync::OnceLock;

use poem_openapi::OpenApiService;

use crate::{
    community::{
        circles_api::{AdminCirclesApi, CirclesApi},
        comments_api::CommentsApi,
        feeds_api::FeedsApi,
        follows_api::FollowsApi,
        moderation_api::{AdminModerationApi, ModerationApi},
        posts_api::PostsApi,
    },
    error::ErrorCode,
    identity::users_api::{AdminUsersApi, MeApi, UsersApi},
    identity::{auth_api::AuthApi, sessions_api::SessionsApi},
    messages::{api::MessagesApi, people_api::PeopleApi, realtime::RealtimeApi},
    privacy::spec::{annotate, register_policies, Annotated, PolicyTable},
    rights::{api::RightsApi, catalog_api::PrivacyApi, privacy_api::MyPrivacyApi},
    search::api::{SearchApi, SearchHistoryApi},
    uploads::api::UploadsApi,
};

pub type Apis = (
    AuthApi,
    MeApi,
    UsersApi,
    AdminUsersApi,
    UploadsApi,
    PrivacyApi,
    MyPrivacyApi,
    SearchHistoryApi,
    CirclesApi,
    AdminCirclesApi,
    PostsApi,
    CommentsApi,
    FollowsApi,
    ModerationApi,
    AdminModerationApi,
    (
        SessionsApi,
        FeedsApi,
        SearchApi,
        MessagesApi,
        PeopleApi,
        RealtimeApi,
        RightsApi,
    ),
);

pub use crate::api::BASE_PATH;

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            AuthApi,
            MeApi,
            UsersApi,
            AdminUsersApi,
            UploadsApi,
            PrivacyApi,
            MyPrivacyApi,
            SearchHistoryApi,
            CirclesApi,
            AdminCirclesApi,
            PostsApi,
            CommentsApi,
            FollowsApi,
            ModerationApi,
            AdminModerationApi,
            (
                SessionsApi,
                FeedsApi,
                SearchApi,
                MessagesApi,
                PeopleApi,
                RealtimeApi,
                RightsApi,
            ),
        ),
        "agora",
        env!("CARGO_PKG_VERSION"),
    )
    .description(description())
    .server(BASE_PATH)
}

/// The generated spec with the field tags read out of it, built once.
pub fn annotated() -> &'static Annotated {
    static ANNOTATED: OnceLock<Annotated> = OnceLock::new();
    static PARSED: OnceLock<bool> = OnceLock::new();
    let annotated = ANNOTATED.get_or_init(|| {
        let raw = match serde_json::from_str(&service().spec()) {
            Ok(raw) => {
                let _ = PARSED.set(true);
                raw
            }
            Err(err) => {
                tracing::error!(error = %err, "the generated spec is not JSON; every API call will be refused");
                serde_json::Value::Null
            }
        };
        let mut annotated = annotate(raw);
        tidy_schemas(&mut annotated.spec);
        server_rules(&mut annotated.spec);
        declared_problems(&mut annotated.spec);
        finish_document(&mut annotated.spec);
        annotated
    });
    // Fail closed: without a spec, no policy table, and the consent
    // middleware refuses every call rather than judging none.
    if PARSED.get() == Some(&true) {
        register_policies(&annotated.policies);
    }
    annotated
}

/// What the consent middleware enforces, per operation.
pub fn policies() -> &'static PolicyTable {
    &annotated().policies
}

/// The version of the privacy notice this build publishes.
pub fn notice_version() -> &'static str {
    annotated();
    crate::privacy::notice::version()
}

/// The spec as served at `/api/openapi.json` and committed in `openapi/`.
pub fn spec_json() -> String {
    serde_json::to_string_pretty(&annotated().spec).unwrap_or_default()
}

/// One walk over the generated spec, for what SDK generators need:
/// poem-openapi names `NaiveDate` `naive-date`, generators know `date`; and
/// it wraps a `$ref` in `allOf` to give it a description, which many
/// generators cannot take for an enum, so the reference goes plain, its
/// description (and privacy tag) kept beside it.
fn tidy_schemas(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("format").and_then(|f| f.as_str()) == Some("naive-date") {
                map.insert("format".into(), "date".into());
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

/// Rules the server enforces in code rather than through a schema
/// validator, written into the spec from the same constants: page sizes
/// (`PageParams`), password lengths (`Password`, whose own refusal,
/// `weak_password`, says more than a length check would) and the SMS
/// code's six digits.
fn server_rules(spec: &mut serde_json::Value) {
    use crate::{
        api::page::{DEFAULT_LIMIT, MAX_LIMIT},
        identity::password::MIN_LEN,
    };
    if let Some(paths) = spec["paths"].as_object_mut() {
        for op in paths
            .values_mut()
            .filter_map(|p| p.as_object_mut())
            .flat_map(|p| p.values_mut())
        {
            let params = op.get_mut("parameters").and_then(|p| p.as_array_mut());
            for param in params.into_iter().flatten() {
                if param["name"] == "limit" && param["in"] == "query" {
                    let schema = &mut param["schema"];
                    schema["minimum"] = 1.into();
                    schema["maximum"] = MAX_LIMIT.into();
                    schema["default"] = DEFAULT_LIMIT.into();
                }
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
    // An SMS code is six digits (`identity::sms_codes`); anything else is
    // refused before it is looked up.
    if let Some(schemas) = spec["components"]["schemas"].as_object_mut() {
        for schema in schemas.values_mut() {
            let code = schema
                .get_mut("properties")
                .and_then(|p| p.get_mut("sms_code"))
                .and_then(|c| c.as_object_mut());
            if let Some(code) = code {
                code.insert("pattern".into(), "^[0-9]{6}$".into());
            }
        }
    }
}

/// Every operation lists the problems it can answer with, beside the
/// catch-all `default`, so that clients can type them: 400 where it takes
/// input, 401 and 403 where it needs a session (403 covers a missing
/// grant, an outdated notice, a pending deregistration, a role), 404 where
/// its path names something, 413 and 415 where it takes a body, and 429
/// (with `Retry-After`) everywhere: per-IP limits apply to every call.
fn declared_problems(spec: &mut serde_json::Value) {
    use serde_json::json;
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": { "application/problem+json": {
                "schema": { "$ref": "#/components/schemas/Problem" } } }
        })
    };
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let takes_input = op["parameters"].as_array().is_some_and(|p| !p.is_empty())
                || op.get("requestBody").is_some();
            let has_body = op.get("requestBody").is_some();
            let signed_in = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let mut add = Vec::new();
            if takes_input {
                add.push((
                    "400",
                    problem("Malformed, or a field is invalid: `errors` names each field."),
                ));
            }
            if signed_in {
                add.push(("401", problem("No valid bearer token.")));
            }
            // Every body an anonymous caller may send is a consent-checked
            // form (registration, login, SMS codes).
            if signed_in || has_body {
                add.push(("403", problem("Not allowed: a missing grant (`consent_required`), a notice to accept (`notice_outdated`), a pending deregistration, or a role.")));
            }
            if path.contains('{') {
                add.push((
                    "404",
                    problem("Nothing of that id (or not visible to the caller)."),
                ));
            }
            if has_body {
                add.push(("413", problem("The body is too large.")));
                add.push((
                    "415",
                    problem("The body is not of the declared content type."),
                ));
            }
            let mut limited = problem("Too many requests: wait the `Retry-After` seconds.");
            limited["headers"] = json!({ "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": { "type": "integer", "minimum": 0 } } });
            add.push(("429", limited));
            if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                for (status, response) in add {
                    responses.entry(status).or_insert(response);
                }
            }
        }
    }
}

/// The document as OpenAPI 3.1: a field whose type is a shared model
/// carries its description and privacy tag beside the `$ref`, which 3.1
/// allows (3.0 would ignore them). Every operation has a description (its
/// summary, where the docs say no more) and the API a contact.
fn finish_document(spec: &mut serde_json::Value) {
    spec["openapi"] = "3.1.0".into();
    spec["info"]["contact"] = serde_json::json!({
        "name": "agora maintainers",
        "email": "api@agora.invalid",
    });
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.as_object_mut())
    {
        let summary = op.get("summary").cloned();
        if !op.contains_key("description") {
            if let Some(summary) = summary {
                op.insert("description".into(), summary);
            }
        }
    }
}

fn description() -> String {
    let mut text = String::from(
        "The API of agora, a community forum with privacy by construction.\n\n\
         Every error is `application/problem+json` (RFC 9457) with a stable `code`:\n\n\
         | code | status | meaning |\n|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        text.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.status().as_u16(),
            code.title()
        ));
    }
    text
}
