//! Partner tasks over HTTP: admins register a partner (its secret shown
//! once), users take a ticket for a partner task, partners call back,
//! signed.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Header, Path},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};

use entity::enums::StaffAction;
use sea_orm::TransactionTrait;

use super::partners;
use crate::{
    api::{ApiTags, JsonBody},
    error::AppResult,
    identity::{AdminAuth, BearerAuth},
    ids::{PartnerId, TaskId},
    privacy::access,
    state::AppState,
};

pub struct PartnersApi;

/// A ticket as agora seals one (`Crypto::encrypt` of who, which task and
/// until when): what a user hands a partner's app and the app hands back.
const EXAMPLE_TICKET: &str = concat!(
    "sfeWhf1InnMRdw4h6Ua2QX6KYU4wYGAzNYMaV78pjSJlcVNxDlOrZp1gbmCteed6nVQeD+9Mm",
    "WhQZQyHNcNHS+BVlSXm7EwVlxF2rVCbFp10hxYXncJmA7trAc6VrTWWk7+R6vj6ZozR2pPNzc",
    "28I37fK0sOxtlfbBsuenFF4oa04qFe3B+3ArwVB4GM18uDDpgNxPRzE5opYVUkSgN62Nusjv5",
    "ETwQZ0kybOxljlijs8lt5YFcarBI92V0sudyeD3hRXTuBDS5PTtjhniL+gLdh/ql1vgf2dk0=",
);

#[derive(Debug, Object)]
#[oai(example)]
pub struct NewPartner {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: String,
}

impl poem_openapi::types::Example for NewPartner {
    fn example() -> Self {
        Self {
            name: "Starlight Games".into(),
        }
    }
}

/// A partner, with its signing secret: shown this once, kept by agora
/// only encrypted.
#[derive(Debug, Object)]
#[oai(example)]
pub struct PartnerCreatedView {
    pub id: String,
    pub name: String,
    /// Sign each callback with it: hex HMAC-SHA256 of
    /// `{X-Agora-Timestamp}.{body}`. 32 random bytes, hex.
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for PartnerCreatedView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("PartnerId"),
            name: NewPartner::example().name,
            secret: "d8302e4f88eea2715f349fc02cda737f966eb8ca879f3d46bd784df9a7f06c02".into(),
            created_at: crate::api::examples::time(2, 10, 0),
        }
    }
}

/// A partner's new secret: shown this once.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SecretView {
    /// Sign each callback with it from now on; the old one no longer
    /// signs. 32 random bytes, hex.
    pub secret: String,
}

impl poem_openapi::types::Example for SecretView {
    fn example() -> Self {
        Self {
            secret: "c914b1a7afc3cf2d587b8c4bbb513804bbd034d1f7b9e00c6b50725335f02208".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct PartnerPatch {
    /// `true` suspends the partner (its callbacks are refused as unsigned
    /// ones are); `false` lifts the suspension.
    /// privacy: not personal
    pub suspended: bool,
}

impl poem_openapi::types::Example for PartnerPatch {
    fn example() -> Self {
        Self { suspended: true }
    }
}

/// A partner as admins see it (never its secret).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Since when it is suspended.
    pub suspended_at: Option<DateTime<Utc>>,
}

/// Just suspended (`PartnerPatch`'s example).
impl poem_openapi::types::Example for PartnerView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("PartnerId"),
            name: NewPartner::example().name,
            created_at: crate::api::examples::time(2, 10, 0),
            suspended_at: Some(crate::api::examples::time(29, 16, 45)),
        }
    }
}

/// A ticket to hand to a partner's app.
#[derive(Debug, Object)]
#[oai(example)]
pub struct TicketView {
    /// Opaque to the partner: it names no one.
    pub ticket: String,
    /// A week after it was issued.
    pub expires_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for TicketView {
    fn example() -> Self {
        Self {
            ticket: EXAMPLE_TICKET.into(),
            expires_at: crate::api::examples::time(30, 9, 0) + chrono::Duration::days(7),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct PartnerCallback {
    /// The ticket the user handed the partner's app (encrypted by agora;
    /// it tells the partner nothing about them).
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 1000, pattern = r"^[A-Za-z0-9+/]+=*$"))]
    pub ticket: String,
}

impl poem_openapi::types::Example for PartnerCallback {
    fn example() -> Self {
        Self {
            ticket: EXAMPLE_TICKET.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum CallbackOutcome {
    /// The ticket counted: its holder has the task's coins (now, or from
    /// an earlier ticket), or has left. The partner learns no more.
    Accepted,
}

/// What a partner learns: only that the ticket counted.
#[derive(Debug, Object)]
#[oai(example)]
pub struct CallbackResult {
    pub outcome: CallbackOutcome,
}

impl poem_openapi::types::Example for CallbackResult {
    fn example() -> Self {
        Self {
            outcome: CallbackOutcome::Accepted,
        }
    }
}

#[derive(ApiResponse)]
pub enum PartnerCreated {
    /// Registered: the secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<PartnerCreatedView>),
}

#[derive(ApiResponse)]
pub enum SecretRotated {
    /// The new secret, in this answer only.
    #[oai(status = 200)]
    Ok(Json<SecretView>),
}

#[derive(ApiResponse)]
pub enum PartnerUpdated {
    /// The partner as it is now.
    #[oai(status = 200)]
    Ok(Json<PartnerView>),
}

#[derive(ApiResponse)]
pub enum TicketIssued {
    /// A ticket for this task, valid seven days.
    #[oai(status = 201)]
    Created(Json<TicketView>),
}

#[derive(ApiResponse)]
pub enum CallbackAccepted {
    /// The ticket counted.
    #[oai(status = 200)]
    Ok(Json<CallbackResult>),
}

#[OpenApi(tag = "ApiTags::Rewards")]
impl PartnersApi {
    /// Register a partner whose app or game a task asks users to try; its
    /// signing secret is shown once (admin).
    #[oai(
        path = "/admin/rewards/partners",
        method = "post",
        operation_id = "admin_create_partner"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<NewPartner>,
    ) -> AppResult<PartnerCreated> {
        let txn = state.db.begin().await?;
        let (row, secret) = partners::create(&txn, &state.crypto, &body.0.name).await?;
        let (target, staff) = (("reward_partner", row.id.as_str()), admin.0.id.as_str());
        access::record_change(&txn, staff, StaffAction::Create, target, "registered").await?;
        txn.commit().await?;
        Ok(PartnerCreated::Created(Json(PartnerCreatedView {
            id: row.id,
            name: row.name,
            secret,
            created_at: row.created_at,
        })))
    }

    /// Give a partner a new signing secret, shown once; the old one stops
    /// signing at once (admin).
    #[oai(
        path = "/admin/rewards/partners/:id/secret",
        method = "post",
        operation_id = "admin_rotate_partner_secret"
    )]
    async fn rotate(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<PartnerId>,
    ) -> AppResult<SecretRotated> {
        let txn = state.db.begin().await?;
        let secret = partners::rotate(&txn, &state.crypto, &id.0).await?;
        let (target, staff) = (("reward_partner", id.0.as_str()), admin.0.id.as_str());
        access::record_change(&txn, staff, StaffAction::Update, target, "changed: secret").await?;
        txn.commit().await?;
        Ok(SecretRotated::Ok(Json(SecretView { secret })))
    }

    /// Suspend a partner, or lift its suspension (admin).
    #[oai(
        path = "/admin/rewards/partners/:id",
        method = "patch",
        operation_id = "admin_update_partner"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<PartnerId>,
        body: JsonBody<PartnerPatch>,
    ) -> AppResult<PartnerUpdated> {
        let txn = state.db.begin().await?;
        let row = partners::suspend(&txn, &id.0, body.0.suspended).await?;
        let (target, staff) = (("reward_partner", id.0.as_str()), admin.0.id.as_str());
        access::record_change(
            &txn,
            staff,
            StaffAction::Update,
            target,
            "changed: suspended",
        )
        .await?;
        txn.commit().await?;
        Ok(PartnerUpdated::Ok(Json(PartnerView {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            suspended_at: row.disabled_at,
        })))
    }

    /// A ticket for a partner task, to hand to the partner's app; once I
    /// tried it, the partner hands it back and I get the task's coins.
    #[oai(
        path = "/rewards/tasks/:id/tickets",
        method = "post",
        operation_id = "rewards_partner_ticket"
    )]
    async fn ticket(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<TaskId>,
    ) -> AppResult<TicketIssued> {
        let (ticket, expires_at) = partners::ticket(&state, auth.0.id.as_str(), &id.0).await?;
        Ok(TicketIssued::Created(Json(TicketView {
            ticket,
            expires_at,
        })))
    }

    /// A partner says the holder of a ticket tried its app: signed with
    /// its secret (`X-Agora-Signature`: hex HMAC-SHA256 of
    /// `{X-Agora-Timestamp}.{body}`, the timestamp within five minutes).
    /// Credited once per user and task; the same ticket handed in again
    /// is 409 `already_done`.
    #[oai(
        path = "/rewards/partner-callbacks/:partner",
        method = "post",
        operation_id = "rewards_partner_callback"
    )]
    async fn callback(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        partner: Path<PartnerId>,
        /// Unix seconds when the partner signed.
        /// privacy: not personal
        #[oai(
            name = "X-Agora-Timestamp",
            validator(max_length = 20, pattern = r"^-?[0-9]{1,19}$")
        )]
        timestamp: Header<String>,
        /// Hex HMAC-SHA256 of `{X-Agora-Timestamp}.{body}`.
        /// privacy: not personal
        #[oai(
            name = "X-Agora-Signature",
            validator(max_length = 64, pattern = r"^[0-9a-fA-F]{64}$")
        )]
        signature: Header<String>,
        body: JsonBody<PartnerCallback>,
    ) -> AppResult<CallbackAccepted> {
        let signed = (timestamp.0.as_str(), signature.0.as_str());
        let (partner, raw) = (partner.0.as_str(), body.raw());
        partners::callback(&state, partner, signed, raw, &body.0.ticket).await?;
        Ok(CallbackAccepted::Ok(Json(CallbackResult {
            outcome: CallbackOutcome::Accepted,
        })))
    }
}
