//! `/admin/beta/programs/{id}/applications`: staff review applications,
//! masked, decide under capacity, and reveal the phone only with a reason.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    applications::{open_details, screening},
    refusals::Refusal,
    review::{self, Decision},
    views::{BetaApplicationDetails, BetaStatus, StaffBetaApplicationView},
};
use crate::{
    api::{
        page::{split_page, Page},
        reason::Reason,
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::{masking, ModeratorAuth},
    ids::{BetaApplicationId, BetaProgramId},
    platform::facts::Fact,
    state::AppState,
};

pub struct AdminBetaReviewApi;

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BetaDecision {
    /// A tester, if a place is free (else 409 `capacity_reached`). What the
    /// screening turned down cannot be approved or waitlisted (409).
    Approve,
    /// Turned down, or a tester removed (say why).
    Reject,
    /// On the waiting list.
    Waitlist,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct BetaDecisionRequest {
    /// privacy: not personal
    pub decision: BetaDecision,
    /// Required to reject; the applicant reads it.
    /// privacy: not personal
    pub reason: Option<Reason>,
}

impl poem_openapi::types::Example for BetaDecisionRequest {
    fn example() -> Self {
        Self {
            decision: BetaDecision::Reject,
            reason: Some(Reason::from_static("This round tests the Pro model only.")),
        }
    }
}

/// What a reveal can show: the phone (the rest is never masked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BetaItem {
    ContactPhone,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct BetaRevealRequest {
    /// The items to see in full.
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 1))]
    pub items: Vec<BetaItem>,
    /// Why: written to the audit log and to the applicant's own
    /// processing log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for BetaRevealRequest {
    fn example() -> Self {
        Self {
            items: vec![BetaItem::ContactPhone],
            reason: Reason::from_static("The build bricks his phone; calling him."),
        }
    }
}

#[derive(ApiResponse)]
pub enum StaffApplications {
    /// Applications, oldest first, the phone masked.
    #[oai(status = 200)]
    Ok(Json<Page<StaffBetaApplicationView>>),
}

#[derive(ApiResponse)]
pub enum Decided {
    /// The application as it is now.
    #[oai(status = 200)]
    Ok(Json<StaffBetaApplicationView>),
}

#[derive(ApiResponse)]
pub enum Revealed {
    /// What the applicant gave, in full.
    #[oai(status = 200)]
    Ok(Json<BetaApplicationDetails>),
}

/// An application as staff see it: the phone masked.
pub fn staff_view(
    state: &AppState,
    row: entity::beta_applications::Model,
) -> AppResult<StaffBetaApplicationView> {
    let details = open_details(state, &row)?.map(|mut d| {
        d.contact_phone = d.contact_phone.as_deref().map(masking::phone);
        d
    });
    Ok(StaffBetaApplicationView {
        screening: screening(&row)?,
        id: row.id,
        program_id: row.program_id,
        user_id: row.user_id,
        status: row.status.into(),
        reason: row.reason,
        details,
        created_at: row.created_at,
        decided_at: row.decided_at,
    })
}

/// Tells applicants of decisions, once committed.
pub async fn notify(state: &AppState, told: Vec<(String, String)>) {
    for (user, application) in told {
        let fact = Fact::BetaApplicationDecided { user, application };
        state.facts.publish(state, fact).await;
    }
}

#[OpenApi(prefix_path = "/admin/beta/programs", tag = "ApiTags::Admin")]
impl AdminBetaReviewApi {
    /// A program's applications, the phone masked (moderator, admin).
    #[oai(
        path = "/:id/applications",
        method = "get",
        operation_id = "admin_list_beta_applications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        _staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        /// Only applications in this status.
        /// privacy: not personal
        status: Query<Option<BetaStatus>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<StaffApplications> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        super::store::find(&state.db, &id.0).await?;
        let rows = review::list(&state.db, &id.0, status.0.map(Into::into), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| staff_view(&state, r))
            .collect::<AppResult<_>>()?;
        Ok(StaffApplications::Ok(Json(Page { items, next_cursor })))
    }

    /// Approve (under capacity), reject or waitlist an application, or
    /// remove a tester; a rejection says why (moderator, admin).
    #[oai(
        path = "/:id/applications/:aid/decision",
        method = "post",
        operation_id = "admin_decide_beta_application"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        /// privacy: not personal
        aid: Path<BetaApplicationId>,
        body: JsonBody<BetaDecisionRequest>,
    ) -> AppResult<Decided> {
        let decision = match body.0.decision {
            BetaDecision::Approve => Decision::Approve,
            BetaDecision::Reject => Decision::Reject,
            BetaDecision::Waitlist => Decision::Waitlist,
        };
        let reason = body.0.reason.map(Reason::into_inner);
        let who = staff.0.id.as_str();
        let txn = state.db.begin().await?;
        let told = review::decide(&txn, who, &id.0, &aid.0, decision, reason).await?;
        let row = review::find(&txn, &id.0, &aid.0).await?;
        txn.commit().await?;
        notify(&state, told).await;
        Ok(Decided::Ok(Json(staff_view(&state, row)?)))
    }

    /// See the phone in full, saying why: the reveal goes to the audit log
    /// and to the applicant's processing log (moderator, admin).
    #[oai(
        path = "/:id/applications/:aid/reveal",
        method = "post",
        operation_id = "admin_reveal_beta_application"
    )]
    async fn reveal(
        &self,
        state: Data<&AppState>,
        staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        /// privacy: not personal
        aid: Path<BetaApplicationId>,
        body: JsonBody<BetaRevealRequest>,
    ) -> AppResult<Revealed> {
        let row = review::find(&state.db, &id.0, &aid.0).await?;
        let Some(full) = open_details(&state, &row)? else {
            return Err(Refusal::Closed.into());
        };
        let txn = state.db.begin().await?;
        let reason = body.0.reason;
        review::record_reveal(&txn, staff.0.id.as_str(), &row, reason.as_str()).await?;
        txn.commit().await?;
        Ok(Revealed::Ok(Json(BetaApplicationDetails {
            contact_phone: full.contact_phone,
            ..BetaApplicationDetails::default()
        })))
    }
}
