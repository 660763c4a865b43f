//! The one `OpenApiService` combining every area, and the spec it makes.
use std::sync::OnceLock;

use poem_openapi::OpenApiService;

mod closed;
mod document;
mod examples;
mod problems;
mod rules;

pub use problems::ANSWERS_401;

use document::{closed_forms, finish_document, nullable_request_fields, tidy_schemas};
use problems::declared_problems;
use rules::{closed_sets, export_sections, server_rules};

use crate::{
    beta::{
        admin_api::AdminBetaApi,
        api::BetaApi,
        builds_api::{AdminBetaBuildsApi, BetaBuildsApi},
        review_api::AdminBetaReviewApi,
    },
    community::{
        audit_api::AdminAuditApi,
        circles_api::{AdminCirclesApi, CirclesApi},
        comments_api::CommentsApi,
        feeds_api::FeedsApi,
        follows_api::FollowsApi,
        moderation_api::{AdminModerationApi, ModerationApi},
        posts_api::PostsApi,
    },
    error::ErrorCode,
    events::{
        admin_api::AdminEventsApi, api::EventsApi, calendar_api::EventCalendarApi,
        review_api::AdminRegistrationsApi,
    },
    help_groups::{
        admin_api::AdminHelpGroupsApi, api::HelpGroupsApi, review_api::HelpGroupReviewApi,
    },
    identity::guardian_api::GuardianApi,
    identity::users_api::{AdminUsersApi, MeApi, UsersApi},
    identity::{auth_api::AuthApi, sessions_api::SessionsApi},
    messages::{api::MessagesApi, people_api::PeopleApi, realtime::RealtimeApi},
    privacy::spec::{annotate, register_policies, Annotated, PolicyTable},
    rewards::{
        admin_api::AdminRewardsApi, api::RewardsApi, claims_admin_api::AdminClaimsApi,
        partners_api::PartnersApi, prizes_admin_api::AdminPrizesApi, prizes_api::PrizesApi,
    },
    rights::{api::RightsApi, catalog_api::PrivacyApi, privacy_api::MyPrivacyApi},
    search::api::{SearchApi, SearchHistoryApi},
    uploads::api::UploadsApi,
};

/// Every API, named once: the type of the service and its value. A tuple
/// takes at most sixteen members, so the later ones nest in the last.
macro_rules! apis {
    ($($api:ident),+ ; $($more:ident),+ ; $($most:ident),+ $(,)?) => {
        pub type Apis = ($($api,)+ ($($more,)+ ($($most,)+),),);

        fn apis() -> Apis {
            ($($api,)+ ($($more,)+ ($($most,)+),),)
        }
    };
}

apis!(
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
    AdminModerationApi;
    SessionsApi,
    FeedsApi,
    SearchApi,
    MessagesApi,
    PeopleApi,
    RealtimeApi,
    RightsApi,
    EventsApi,
    AdminEventsApi,
    AdminRegistrationsApi,
    AdminAuditApi,
    EventCalendarApi,
    GuardianApi,
    HelpGroupsApi,
    AdminHelpGroupsApi;
    HelpGroupReviewApi,
    RewardsApi,
    AdminRewardsApi,
    PrizesApi,
    AdminPrizesApi,
    AdminClaimsApi,
    PartnersApi,
    BetaApi,
    AdminBetaApi,
    AdminBetaReviewApi,
    BetaBuildsApi,
    AdminBetaBuildsApi,
);

pub use crate::api::BASE_PATH;

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis(), "agora", env!("CARGO_PKG_VERSION"))
        .description(description())
        .server(BASE_PATH)
}

/// Every operation object of the spec, whatever its path and method.
fn operations_mut(spec: &mut serde_json::Value) -> impl Iterator<Item = &mut serde_json::Value> {
    spec["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
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
        export_sections(&mut annotated.spec);
        tidy_schemas(&mut annotated.spec);
        nullable_request_fields(&mut annotated.spec);
        closed_forms(&mut annotated.spec);
        server_rules(&mut annotated.spec);
        closed_sets(&mut annotated.spec);
        closed::catalog_sets(&mut annotated.spec);
        declared_problems(&mut annotated.spec);
        examples::rights_examples(&mut annotated.spec);
        document::page_examples(&mut annotated.spec);
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
