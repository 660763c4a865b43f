//! `/guardian-consents`: a user under 14 asks their guardian, by SMS, to
//! consent to something (registering for an event, giving delivery
//! details for a prize). The guardian's number
//! is used for the request and kept nowhere.
use poem::web::Data;
use poem_openapi::{payload::Json, ApiResponse, Enum, Object, OpenApi};

use super::{
    guardian::{self, Subject},
    phone::Phone,
    BearerAuth,
};
use crate::{
    api::{check_limit, ApiTags, JsonBody},
    error::{AppResult, AtField},
    ids::GuardianSubjectId,
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct GuardianApi;

/// What the guardian consents to.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SubjectKind {
    /// Registering for an event (`id`: the event).
    Event,
    /// Giving delivery details for a prize (`id`: the claim).
    PrizeClaim,
}

#[derive(Debug, Object)]
pub struct GuardianSubject {
    /// privacy: not personal
    pub kind: SubjectKind,
    /// The event, or the claim.
    /// privacy: not personal
    pub id: GuardianSubjectId,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct GuardianCodeRequest {
    /// privacy: not personal
    pub subject: GuardianSubject,
    /// The guardian's mobile number: texted the code, then forgotten.
    /// privacy: guardian_phone for guardian_verification, required
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub guardian_phone: String,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct GuardianConsentRequest {
    /// privacy: not personal
    pub subject: GuardianSubject,
    /// privacy: guardian_phone for guardian_verification, required
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub guardian_phone: String,
    /// The code the guardian received.
    /// privacy: sms_code for guardian_verification, required
    #[oai(validator(max_length = 6, pattern = "^[0-9]{6}$"))]
    pub sms_code: String,
}

fn example_subject() -> GuardianSubject {
    GuardianSubject {
        kind: SubjectKind::Event,
        id: poem_openapi::types::Example::example(),
    }
}

impl poem_openapi::types::Example for GuardianCodeRequest {
    fn example() -> Self {
        Self {
            subject: example_subject(),
            guardian_phone: "13800138000".into(),
        }
    }
}

impl poem_openapi::types::Example for GuardianConsentRequest {
    fn example() -> Self {
        Self {
            subject: example_subject(),
            guardian_phone: "13800138000".into(),
            sms_code: "246810".into(),
        }
    }
}

/// That a guardian consented, and when.
#[derive(Debug, Object)]
#[oai(example)]
pub struct GuardianConsentView {
    pub subject_kind: SubjectKind,
    pub subject_id: String,
    pub given_at: chrono::DateTime<chrono::Utc>,
}

impl poem_openapi::types::Example for GuardianConsentView {
    fn example() -> Self {
        let subject = example_subject();
        Self {
            subject_kind: subject.kind,
            subject_id: subject.id.to_string(),
            given_at: crate::api::examples::time(24, 19, 5),
        }
    }
}

#[derive(ApiResponse)]
pub enum CodeSent {
    /// The code is on its way to the guardian.
    #[oai(status = 202)]
    Sent,
}

#[derive(ApiResponse)]
pub enum ConsentGiven {
    /// Recorded: that the guardian consented, and when (nothing of theirs).
    #[oai(status = 201)]
    Created(Json<GuardianConsentView>),
}

fn subject(s: &GuardianSubject) -> Subject<'_> {
    match s.kind {
        SubjectKind::Event => Subject {
            kind: "event",
            id: s.id.as_str(),
        },
        SubjectKind::PrizeClaim => Subject {
            kind: "prize_claim",
            id: s.id.as_str(),
        },
    }
}

#[OpenApi(tag = "ApiTags::Events")]
impl GuardianApi {
    /// Text my guardian a code to consent to `subject`.
    #[oai(
        path = "/guardian-consents/codes",
        method = "post",
        operation_id = "guardian_send_code"
    )]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<GuardianCodeRequest>,
    ) -> AppResult<CodeSent> {
        let phone = Phone::parse(&body.0.guardian_phone).at("guardian_phone")?;
        check_limit(&state, ActionClass::GuardianCode, auth.0.id.as_str()).await?;
        guardian::send_code(&state, &auth.0.id, &subject(&body.0.subject), &phone).await?;
        Ok(CodeSent::Sent)
    }

    /// Record my guardian's consent to `subject` with the code they received.
    #[oai(
        path = "/guardian-consents",
        method = "post",
        operation_id = "guardian_consents_create"
    )]
    async fn consent(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<GuardianConsentRequest>,
    ) -> AppResult<ConsentGiven> {
        let phone = Phone::parse(&body.0.guardian_phone).at("guardian_phone")?;
        check_limit(&state, ActionClass::GuardianVerify, auth.0.id.as_str()).await?;
        let given_at = guardian::consent(
            &state,
            &auth.0.id,
            &subject(&body.0.subject),
            &phone,
            &body.0.sms_code,
        )
        .await?;
        Ok(ConsentGiven::Created(Json(GuardianConsentView {
            subject_kind: body.0.subject.kind,
            subject_id: body.0.subject.id.to_string(),
            given_at,
        })))
    }
}
