//! Data rights: `GET /me/export` and `/me/deregistration`.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{payload::Json, ApiResponse, Enum, Object, OpenApi};
use serde_json::Value;

use super::deregistration::{self, Confirmation};
use crate::privacy::registry::{Content, Registries, Scope};
use crate::{
    api::{check_limit, ApiTags, HeadRequest, JsonBody},
    error::{AppError, AppResult},
    identity::BearerAuth,
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct RightsApi;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ScopeChoice {
    /// The community profile and content go; the account stays.
    Service,
    /// Everything goes, phone number and credentials included.
    Account,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ContentChoice {
    /// Posts and comments are deleted.
    Delete,
    /// Posts and comments stay as by a deleted user, with no link back.
    Anonymize,
}

crate::convert::mirror!(ScopeChoice, entity::enums::ErasureScope, [Service, Account]);
crate::convert::mirror!(
    ContentChoice,
    entity::enums::ErasureContent,
    [Delete, Anonymize]
);

pub const EXPORT_FORMAT: &str = "agora-export/1";

/// Everything the service holds about me.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportDocument {
    /// `agora-export/1`.
    pub format: String,
    pub generated_at: DateTime<Utc>,
    pub user_id: String,
    /// Each owner's sections by name (`account`, `sessions`, `profile`,
    /// `posts`, `conversations`, `uploads`, …), as `/privacy/catalog`'s
    /// items are kept. The spec lists every section with its type.
    pub sections: std::collections::BTreeMap<String, Value>,
}

/// A deregistration request, confirmed by my password or an SMS code
/// (`POST /auth/sms-codes` with purpose `deregister`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct DeregistrationRequest {
    /// privacy: not personal
    pub scope: ScopeChoice,
    /// privacy: not personal
    pub content: ContentChoice,
    /// My password; or give `sms_code`.
    /// privacy: password for account, optional
    #[oai(validator(max_length = 128))]
    pub password: Option<String>,
    /// A code sent for purpose `deregister`.
    /// privacy: sms_code for account, optional
    #[oai(validator(max_length = 6, pattern = "^[0-9]{6}$"))]
    pub sms_code: Option<String>,
}

impl poem_openapi::types::Example for DeregistrationRequest {
    fn example() -> Self {
        Self {
            scope: ScopeChoice::Account,
            content: ContentChoice::Anonymize,
            password: Some("correct horse battery staple".into()),
            sms_code: None,
        }
    }
}

/// A pending (or carried out) deregistration.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeregistrationView {
    pub id: String,
    pub scope: ScopeChoice,
    pub content: ContentChoice,
    pub requested_at: DateTime<Utc>,
    /// When it is carried out; until then it can be cancelled.
    pub effective_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum ExportResponse {
    /// Everything about me, by section.
    #[oai(status = 200)]
    Ok(Json<ExportDocument>),
}

#[derive(ApiResponse)]
pub enum RequestedResponse {
    /// Accepted: carried out at `effective_at` unless cancelled; every
    /// other session was signed out.
    #[oai(status = 202)]
    Accepted(Json<DeregistrationView>),
}

#[derive(ApiResponse)]
pub enum PendingResponse {
    /// The pending request.
    #[oai(status = 200)]
    Ok(Json<DeregistrationView>),
}

#[derive(ApiResponse)]
pub enum Cancelled {
    /// Cancelled: the account is back to normal.
    #[oai(status = 204)]
    Done,
}

fn view(row: entity::deregistrations::Model) -> DeregistrationView {
    DeregistrationView {
        id: row.id,
        scope: row.scope.into(),
        content: row.content.into(),
        requested_at: row.requested_at,
        effective_at: row.effective_at,
    }
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Privacy")]
impl RightsApi {
    /// Everything the service holds about me, machine-readable (GDPR
    /// Art. 20, PIPL Art. 45): account (phone masked), profile, sessions
    /// (no tokens), consents and receipts, processing log, circles, posts
    /// with their history, comments, likes, follows, blocks, reports,
    /// search history, conversations with every message, notifications
    /// and uploads. Once a day.
    #[oai(path = "/export", method = "get", operation_id = "me_export")]
    async fn export(
        &self,
        state: Data<&AppState>,
        registries: Data<&Registries>,
        auth: BearerAuth,
        req: &poem::Request,
    ) -> AppResult<ExportResponse> {
        // HEAD (a client probing the route) neither runs the export nor
        // spends the day's one export.
        if req.extensions().get::<HeadRequest>().is_some() {
            // (A HEAD answer has no body; this one is never sent.)
            return Ok(ExportResponse::Ok(Json(ExportDocument {
                format: EXPORT_FORMAT.into(),
                generated_at: Utc::now(),
                user_id: auth.0.id.to_string(),
                sections: Default::default(),
            })));
        }
        check_limit(&state, ActionClass::DataExport, auth.0.id.as_str()).await?;
        let mut sections = std::collections::BTreeMap::new();
        for owner in registries.personal_data.owners() {
            // A section with nothing (no profile row) is left out, as
            // every absent value is.
            for (name, value) in owner.export(&state, &auth.0.id).await? {
                if !value.is_null() {
                    sections.insert(name.to_owned(), value);
                }
            }
        }
        Ok(ExportResponse::Ok(Json(ExportDocument {
            format: EXPORT_FORMAT.into(),
            generated_at: Utc::now(),
            user_id: auth.0.id.to_string(),
            sections,
        })))
    }

    /// Leave the community service or close the whole account, after a
    /// cooling-off period during which I can only export my data or cancel.
    #[oai(
        path = "/deregistration",
        method = "post",
        operation_id = "me_request_deregistration"
    )]
    async fn request(
        &self,
        state: Data<&AppState>,
        registries: Data<&Registries>,
        auth: BearerAuth,
        body: JsonBody<DeregistrationRequest>,
    ) -> AppResult<RequestedResponse> {
        let body = body.0;
        let how = match (body.password, body.sms_code) {
            (Some(p), _) if !p.is_empty() => Confirmation::Password(p),
            (_, Some(c)) if !c.is_empty() => Confirmation::SmsCode(c),
            _ => {
                return Err(AppError::invalid(
                    "password",
                    "required",
                    "confirm with your password or an SMS code (sms_code)",
                ))
            }
        };
        let scope = match body.scope {
            ScopeChoice::Service => Scope::Service,
            ScopeChoice::Account => Scope::Account,
        };
        let content = match body.content {
            ContentChoice::Delete => Content::Delete,
            ContentChoice::Anonymize => Content::Anonymize,
        };
        let row =
            deregistration::request(&state, &registries, &auth.0, scope, content, how).await?;
        Ok(RequestedResponse::Accepted(Json(view(row))))
    }

    /// My pending deregistration.
    #[oai(
        path = "/deregistration",
        method = "get",
        operation_id = "me_get_deregistration"
    )]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<PendingResponse> {
        let row = deregistration::pending(&state.db, auth.0.id.as_str())
            .await?
            .ok_or_else(|| AppError::not_found("deregistration"))?;
        Ok(PendingResponse::Ok(Json(view(row))))
    }

    /// Cancel my deregistration during the cooling-off.
    #[oai(
        path = "/deregistration",
        method = "delete",
        operation_id = "me_cancel_deregistration"
    )]
    async fn cancel(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<Cancelled> {
        deregistration::cancel(&state, auth.0.id.as_str()).await?;
        Ok(Cancelled::Done)
    }
}
