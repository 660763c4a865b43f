//! The problems each operation declares.

/// Public operations that still answer 401: those whose handler takes an
/// optional session (`identity::caller::Viewer`: a token that does not
/// resolve is refused, not ignored), and login's wrong credentials.
/// `tests/api/openapi.rs` sends each a bad token.
pub const ANSWERS_401: &[&str] = &[
    "auth_login",
    "circles_list",
    "circles_get",
    "comments_list",
    "feeds_plaza",
    "feeds_circle",
    "posts_get",
    "search_query",
    "events_list",
    "rewards_partner_callback",
];

/// Operations that can answer 409, a conflict with what is there: a phone
/// already registered, a taken circle name, a locked post or a reply to a
/// reply, an earlier notice version, a purpose that ends only with
/// deregistration, a deregistration already pending, an upload in use, a
/// reused message `client_id` or a gone peer, a recall too late, an open
/// application to the same group, a decision on a closed application, a
/// prize out of stock or off offer, a limit reached, coins short, a claim
/// past the step asked for.
pub const CONFLICTS: &[&str] = &[
    "auth_register",
    "admin_create_circle",
    "admin_update_circle",
    "comments_create",
    "me_accept_notice",
    "me_set_consent",
    "me_request_deregistration",
    "uploads_delete",
    "messages_send",
    "messages_recall",
    "events_register",
    "admin_update_event",
    "admin_decide_event_registration",
    "admin_reveal_event_registration",
    "me_event_registration_calendar",
    "admin_event_shipping_list",
    "help_groups_apply",
    "me_withdraw_help_group_application",
    "admin_decide_help_group_application",
    "rewards_check_in",
    "admin_correct_ledger",
    "rewards_redeem_prize",
    "me_set_claim_delivery",
    "admin_ship_claim",
    "admin_deliver_claim",
    "admin_reveal_claim",
    "admin_cancel_claim",
    "me_cancel_claim",
    "admin_update_prize",
    "rewards_partner_ticket",
    "rewards_partner_callback",
    "beta_apply",
    "me_withdraw_beta_application",
    "admin_update_beta_program",
    "admin_decide_beta_application",
    "admin_reveal_beta_application",
    "admin_add_beta_build",
    "me_get_beta_build",
];

/// Operations that answer 422: a form that gives items its purpose does
/// not collect (`undeclared_items`, each named in `errors`).
pub const UNPROCESSABLE: &[&str] = &["events_register", "beta_apply"];

/// Operations that answer 404 though their path names nothing: a field
/// of the body refers to nothing of the caller's (named in `errors`), or
/// there is nothing to show (no pending deregistration).
pub const NOT_FOUND_BEYOND_PATH: &[&str] = &[
    "posts_create",
    "comments_create",
    "me_update_profile",
    "me_mark_notifications_read",
    "reports_create",
    "messages_create_conversation",
    "messages_send",
    "messages_mark_read",
    "me_get_deregistration",
    "me_cancel_deregistration",
    "admin_create_circle",
    "admin_update_circle",
    "admin_create_event",
    "admin_update_event",
    "admin_create_help_group",
    "admin_update_help_group",
    "admin_correct_ledger",
    "admin_create_reward_task",
];

/// Operations that answer 503 when a backend they need is down: search
/// (the engine), presence (the shared cache).
pub const UNAVAILABLE: &[&str] = &["search_query", "users_get_presence"];

/// Every operation lists the problems it can answer with, beside the
/// catch-all `default`, so that clients can type them: 400 where it takes
/// input, 401 and 403 where it needs a session (403 covers a missing
/// grant, an outdated notice, a pending deregistration, a role), 404 where
/// its path names something, 413 and 415 where it takes a body, and 429
/// (with `Retry-After`) everywhere: per-IP limits apply to every call.
pub(super) fn declared_problems(spec: &mut serde_json::Value) {
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
            let operation_id = op["operationId"].as_str().unwrap_or_default();
            let may_401 = signed_in || ANSWERS_401.contains(&operation_id);
            let mut add = Vec::new();
            if takes_input {
                add.push((
                    "400",
                    problem("Malformed, or a field is invalid: `errors` names each field."),
                ));
            }
            if may_401 {
                add.push((
                    "401",
                    problem("No valid bearer token, or (login) wrong credentials."),
                ));
            }
            // Every body an anonymous caller may send is a consent-checked
            // form (registration, login, SMS codes).
            if signed_in || has_body {
                add.push(("403", problem("Not allowed: a missing grant (`consent_required`), a notice to accept (`notice_outdated`), a pending deregistration, or a role.")));
            }
            if path.contains('{') || NOT_FOUND_BEYOND_PATH.contains(&operation_id) {
                add.push((
                    "404",
                    problem("Nothing of that id (or not visible to the caller)."),
                ));
            }
            if CONFLICTS.contains(&operation_id) {
                add.push((
                    "409",
                    problem("A conflict with what is there: `code` says which."),
                ));
            }
            if UNPROCESSABLE.contains(&operation_id) {
                add.push((
                    "422",
                    problem("Items this purpose does not collect: `errors` names each."),
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
                "schema": { "type": "integer", "format": "int64", "minimum": 1 } } });
            add.push(("429", limited));
            if UNAVAILABLE.contains(&operation_id) {
                add.push((
                    "503",
                    problem("A backend this needs is down; try again later."),
                ));
            }
            add.push((
                "500",
                problem("An unexpected failure; the body says no more than that."),
            ));
            if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                for (status, response) in add {
                    responses.entry(status).or_insert(response);
                }
            }
        }
    }
}
