//! Consent enforcement around every operation, before the handler runs:
//!
//! 1. items of an optional purpose need that purpose granted;
//! 2. sensitive items need a separate grant for their purpose, even an
//!    essential one;
//! 3. otherwise 403 `consent_required` naming purposes and items, and
//!    nothing is stored — except device headers, which are dropped instead;
//! 4. after a successful call, a processing-log record: user, operation,
//!    purpose, item keys — never values.
//!
//! Signed-in callers are judged by their recorded grants; anonymous calls
//! (registration, login) by the `consents` the request itself carries.
use std::{
    collections::{BTreeMap, BTreeSet, HashSet},
    sync::{Arc, OnceLock},
};

use poem::{Body, Endpoint, IntoResponse, Request, Response};
use serde_json::{json, Value};

use super::{
    catalog::Choice,
    consents, log, notice,
    spec::{FieldTag, Location, OperationPolicy, PolicyTable},
    tags::Tag,
};
use crate::{
    api::{
        caller::{CallerError, ResolveCaller, Resolved},
        BASE_PATH,
    },
    error::{AppError, AppResult, ErrorCode},
    state::AppState,
};

/// Who a call processed data about, for calls that start anonymous:
/// registration and login set it once they know.
#[derive(Clone, Default)]
pub struct Subject(Arc<OnceLock<String>>);

impl Subject {
    pub fn set(&self, user_id: &str) {
        let _ = self.0.set(user_id.to_owned());
    }
    fn get(&self) -> Option<&String> {
        self.0.get()
    }
}

/// Operations an account with a pending deregistration may still call:
/// cancel it, or take its data along before it goes.
const WHILE_DEREGISTERING: &[&str] = &[
    "me_export",
    "me_get_deregistration",
    "me_cancel_deregistration",
    "auth_logout",
];

/// Operations a user may still call before accepting a changed notice.
const WITHOUT_NOTICE: &[&str] = &[
    "privacy_get_notice",
    "privacy_get_catalog",
    "me_get",
    "me_accept_notice",
    "me_list_consents",
    "me_set_consent",
    "me_list_consent_receipts",
    "me_get_processing_log",
    "auth_logout",
    "auth_list_sessions",
    "auth_revoke_session",
];

/// Runs around every request; `callers` is identity's resolution, handed
/// in by the wiring.
pub async fn enforce<E: Endpoint, R: ResolveCaller>(
    state: &AppState,
    callers: &R,
    ep: E,
    mut req: Request,
) -> poem::Result<Response> {
    let Some(policies) = super::spec::policies() else {
        // Fail closed: without the table no call can be judged.
        return Err(
            AppError::internal(anyhow::anyhow!("the policy table was never registered")).into(),
        );
    };
    let Some(policy) = policy_of(policies, &req) else {
        return Ok(ep.call(req).await?.into_response());
    };
    let subject = Subject::default();
    req.extensions_mut().insert(subject.clone());
    let caller = match callers.resolve(state, &req).await {
        Ok(caller) => caller,
        Err(CallerError::Internal(err)) => return Err(err.into()),
        // A bad token on a route that needs one is a 401 before anything else.
        Err(CallerError::Invalid(failure)) if policy.authenticated => {
            return Err(AppError::unauthorized(failure.0).into());
        }
        Err(CallerError::Invalid(failure)) => {
            req.extensions_mut().insert(failure);
            None
        }
    };
    // No token at all on a route that needs one: 401 too, before any
    // consent or validation verdict (which would tell an anonymous caller
    // about a form it may not use).
    if policy.authenticated && caller.is_none() {
        return Err(AppError::unauthorized("a bearer token is required").into());
    }
    // The cooling-off applies wherever a caller is resolved: a route that
    // needs the session refuses (in `admit`), a public route serves them as
    // anonymous (nothing recorded, nothing personalised).
    let caller = match caller {
        Some(c)
            if c.deregistering
                && !policy.authenticated
                && !WHILE_DEREGISTERING.contains(&policy.operation_id.as_str()) =>
        {
            None
        }
        other => other,
    };
    if let Some(c) = &caller {
        admit(state, c, &policy.operation_id).await?;
    }
    let body = match read_json_body(state, policy, &mut req).await? {
        BodyRead::Parsed(value) => Some(value),
        BodyRead::Other => None,
        // Broken JSON: the handler refuses it with a 400, storing nothing
        // (its bearer extractor still needs the caller resolved here).
        BodyRead::Unparseable => {
            if let Some(resolved) = caller {
                req.extensions_mut().insert(resolved);
            }
            return Ok(ep.call(req).await?.into_response());
        }
    };
    // The personal fields this call actually carries, worked out once.
    let given: Vec<&FieldTag> = policy
        .fields
        .iter()
        .filter(|f| matches!(f.tag, Tag::Personal { .. }))
        .filter(|f| present(&req, body.as_ref(), f.location, &f.name))
        .collect();
    // Calls that carry nothing personal need no grants looked up.
    // Operations without a session (registration, login) are judged by the
    // form, whoever's token rides along.
    let (grants, refused): (HashSet<String>, HashSet<String>) =
        match (&caller, given.is_empty(), policy.authenticated) {
            (_, true, _) => Default::default(),
            (Some(c), false, true) => {
                let choices = consents::choices(&state.read_db, &c.user_id).await?;
                (choices.granted, choices.refused)
            }
            // A login's own account is known only inside the handler: it
            // honours a withdrawal there (identity's `accounts::login`).
            _ => (anonymous_grants(body.as_ref()), HashSet::new()),
        };
    let verdict = judge(&given, &grants, &refused);
    if !verdict.refused.is_empty() {
        return Err(consent_required(&verdict.refused).into());
    }
    for header in &verdict.dropped_headers {
        req.headers_mut().remove(header.as_str());
    }
    if let Some(resolved) = caller.clone() {
        req.extensions_mut().insert(resolved);
    }
    let resp = ep.call(req).await?.into_response();
    if resp.status().is_success() && !verdict.used.is_empty() {
        let user_id = subject.get().cloned().or(caller.map(|c| c.user_id));
        if let Some(user_id) = user_id {
            let entries: Vec<(&'static str, Vec<&'static str>)> = verdict
                .used
                .into_iter()
                .map(|(purpose, items)| (purpose, items.into_iter().collect()))
                .collect();
            // The work is committed: a failed log write must not turn it into a 500.
            if let Err(err) = log::append(&state.db, &user_id, &policy.operation_id, &entries).await
            {
                tracing::error!(error = %format!("{err:#}"), operation = %policy.operation_id, "processing log write failed");
            }
        }
    }
    Ok(resp)
}

/// The account-state checks every signed-in call passes, whatever carries
/// it (an API operation, or the realtime socket under its own name): a
/// pending deregistration allows only cancelling it and taking the data
/// along, and a changed notice must be accepted before anything else.
pub async fn admit(state: &AppState, caller: &Resolved, operation_id: &str) -> AppResult<()> {
    if caller.deregistering && !WHILE_DEREGISTERING.contains(&operation_id) {
        return Err(AppError::new(
            ErrorCode::DeregistrationPending,
            "this account is being deregistered: it can only cancel that (DELETE /me/deregistration)",
        ));
    }
    if !WITHOUT_NOTICE.contains(&operation_id)
        && notice::needs_acceptance(&state.db, &caller.accepted_notice_version).await?
    {
        return Err(AppError::new(
            ErrorCode::NoticeOutdated,
            format!(
                "the privacy notice changed; read it and accept version {} (PUT /me/notice-acceptance)",
                notice::version()
            ),
        ));
    }
    Ok(())
}

/// The operation a request calls, if it calls one of the API's.
fn policy_of(policies: &'static PolicyTable, req: &Request) -> Option<&'static OperationPolicy> {
    let path = req.uri().path().strip_prefix(BASE_PATH)?;
    let method = if req.method() == poem::http::Method::HEAD {
        poem::http::Method::GET
    } else {
        req.method().clone()
    };
    policies.find(&method, path)
}

/// Reads a JSON body once, to see which tagged fields it carries, and puts
/// it back for the handler.
enum BodyRead {
    Parsed(Value),
    Other,
    Unparseable,
}

async fn read_json_body(
    state: &AppState,
    policy: &OperationPolicy,
    req: &mut Request,
) -> poem::Result<BodyRead> {
    // The very test the handler's payload uses, so the two never disagree.
    let is_json = req.content_type().is_some_and(crate::api::json::is_json);
    let has_body_tags = policy.fields.iter().any(|f| f.location == Location::Body);
    if !is_json || !has_body_tags {
        return Ok(BodyRead::Other);
    }
    let limit = state.config.json_body_limit;
    let bytes = req.take_body().into_bytes_limit(limit).await.map_err(|_| {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("JSON bodies are limited to {limit} bytes"),
        )
    })?;
    let value = serde_json::from_slice(&bytes);
    req.set_body(Body::from(bytes));
    Ok(match value {
        Ok(value) => BodyRead::Parsed(value),
        Err(_) => BodyRead::Unparseable,
    })
}

fn anonymous_grants(body: Option<&Value>) -> HashSet<String> {
    body.and_then(|b| b.get("consents"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Default)]
struct Verdict {
    used: BTreeMap<&'static str, BTreeSet<&'static str>>,
    refused: BTreeMap<&'static str, BTreeSet<&'static str>>,
    dropped_headers: Vec<String>,
}

fn present(req: &Request, body: Option<&Value>, location: Location, name: &str) -> bool {
    match location {
        Location::Path => true,
        Location::Header => req.header(name).is_some(),
        Location::Query => req
            .uri()
            .query()
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(key, _)| key == name)),
        // A multipart form is not parsed here: its fields count as given.
        Location::Body => match body {
            Some(body) => name
                .split('.')
                .try_fold(body, |v, key| v.get(key))
                .is_some_and(|v| !v.is_null()),
            None => req.content_type().is_some_and(|ct| {
                ct.parse::<mime::Mime>()
                    .is_ok_and(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA)
            }),
        },
    }
}

fn judge(given: &[&FieldTag], grants: &HashSet<String>, refused: &HashSet<String>) -> Verdict {
    let mut verdict = Verdict::default();
    for field in given {
        let Tag::Personal { item, purpose, .. } = field.tag else {
            continue;
        };
        let choice = if grants.contains(purpose.key) {
            Choice::Granted
        } else if refused.contains(purpose.key) {
            Choice::Refused
        } else {
            Choice::Unset
        };
        if purpose.allows(item, choice) {
            verdict
                .used
                .entry(purpose.key)
                .or_default()
                .insert(item.key);
        } else if field.location == Location::Header {
            verdict.dropped_headers.push(field.name.clone());
        } else {
            verdict
                .refused
                .entry(purpose.key)
                .or_default()
                .insert(item.key);
        }
    }
    verdict
}

fn consent_required(refused: &BTreeMap<&'static str, BTreeSet<&'static str>>) -> AppError {
    let purposes: Vec<Value> = refused
        .iter()
        .map(|(purpose, items)| json!({ "purpose": purpose, "items": items }))
        .collect();
    let names: Vec<&str> = refused.keys().copied().collect();
    AppError::new(
        ErrorCode::ConsentRequired,
        format!(
            "grant {} first (PUT /me/consents/{{purpose}}, or `consents` when registering)",
            names.join(", ")
        ),
    )
    .with_extensions(json!({ "purposes": purposes }))
}
