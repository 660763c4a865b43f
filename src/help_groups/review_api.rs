//! `/admin/help-groups/{id}/applications`: a group's managers (and admins)
//! review applications, masked, decide, and reveal a value only with a
//! reason.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    applications::open_details,
    guard::ManagerAuth,
    review::{self, Decision},
    views::{ApplicationDetails, ApplicationItem, ApplicationStatus},
};
use crate::{
    api::{
        examples,
        page::{split_page, Page},
        reason::Reason,
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    ids::{ApplicationId, HelpGroupId},
    platform::facts::Fact,
    state::AppState,
};

pub struct HelpGroupReviewApi;

/// An application as a group's managers see it: every value masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ManagerApplicationView {
    pub id: String,
    pub user_id: String,
    pub status: ApplicationStatus,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
    /// The phone to its country code, first three digits and last four;
    /// the QQ number and WeChat ID to their last quarter.
    pub masked: ApplicationDetails,
}

impl poem_openapi::types::Example for ManagerApplicationView {
    fn example() -> Self {
        Self {
            id: examples::id("ApplicationId"),
            user_id: examples::id("UserId"),
            status: ApplicationStatus::Pending,
            reason: None,
            created_at: examples::time(25, 18, 30),
            decided_at: None,
            left_at: None,
            masked: masked(ApplicationDetails::example()),
        }
    }
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ApplicationDecisionKind {
    /// A pending application: the applicant becomes a member.
    Approve,
    /// A pending application: turned down (say why).
    Reject,
    /// A member: taken out of the group (say why).
    Remove,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ApplicationDecision {
    /// privacy: not personal
    pub decision: ApplicationDecisionKind,
    /// Required to reject or remove; the applicant reads it.
    /// privacy: not personal
    pub reason: Option<Reason>,
}

impl poem_openapi::types::Example for ApplicationDecision {
    fn example() -> Self {
        Self {
            decision: ApplicationDecisionKind::Reject,
            reason: Some(Reason::from_static(
                "This group is for Shenzhen; try the Dongguan one.",
            )),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ApplicationReveal {
    /// The items to see in full.
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 3))]
    pub items: Vec<ApplicationItem>,
    /// Why: written to the audit log and to the applicant's own
    /// processing log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for ApplicationReveal {
    fn example() -> Self {
        Self {
            items: vec![ApplicationItem::QqNumber],
            reason: Reason::from_static("Adding him to the group's QQ chat."),
        }
    }
}

#[derive(ApiResponse)]
pub enum ManagerApplications {
    /// Applications, oldest first, masked.
    #[oai(status = 200)]
    Ok(Json<Page<ManagerApplicationView>>),
}

#[derive(ApiResponse)]
pub enum ApplicationDecided {
    /// Decided; the applicant is notified.
    #[oai(status = 200)]
    Ok(Json<ManagerApplicationView>),
}

#[derive(ApiResponse)]
pub enum ApplicationRevealed {
    /// The requested items in full; the reveal is logged.
    #[oai(status = 200)]
    Ok(Json<ApplicationDetails>),
}

/// What managers see of what an applicant gave.
fn masked(d: ApplicationDetails) -> ApplicationDetails {
    let m = |item, v: Option<String>| v.map(|v| review::mask(item, &v));
    ApplicationDetails {
        contact_phone: m(ApplicationItem::ContactPhone, d.contact_phone),
        qq_number: m(ApplicationItem::QqNumber, d.qq_number),
        wechat_id: m(ApplicationItem::WechatId, d.wechat_id),
    }
}

fn manager_view(
    state: &AppState,
    r: entity::help_group_applications::Model,
) -> AppResult<ManagerApplicationView> {
    Ok(ManagerApplicationView {
        masked: masked(open_details(&state.crypto, &r)?),
        id: r.id,
        user_id: r.user_id,
        status: r.status.into(),
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
        left_at: r.left_at,
    })
}

#[OpenApi(prefix_path = "/admin/help-groups", tag = "ApiTags::Admin")]
impl HelpGroupReviewApi {
    /// A group's applications, masked; `status=approved` lists its members
    /// (the group's managers, admins).
    #[oai(
        path = "/:id/applications",
        method = "get",
        operation_id = "admin_list_help_group_applications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        _manager: ManagerAuth,
        /// privacy: not personal
        id: Path<HelpGroupId>,
        /// Only applications in this status.
        /// privacy: not personal
        status: Query<Option<ApplicationStatus>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ManagerApplications> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        super::store::find(&state.db, &id.0).await?;
        let rows = review::list(&state.db, &id.0, status.0.map(Into::into), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| manager_view(&state, r))
            .collect::<AppResult<_>>()?;
        Ok(ManagerApplications::Ok(Json(Page { items, next_cursor })))
    }

    /// Approve or reject a pending application, or remove a member; a
    /// rejection or removal says why (the group's managers, admins).
    #[oai(
        path = "/:id/applications/:aid/decision",
        method = "post",
        operation_id = "admin_decide_help_group_application"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        manager: ManagerAuth,
        /// privacy: not personal
        id: Path<HelpGroupId>,
        /// privacy: not personal
        aid: Path<ApplicationId>,
        body: JsonBody<ApplicationDecision>,
    ) -> AppResult<ApplicationDecided> {
        let decision = match body.0.decision {
            ApplicationDecisionKind::Approve => Decision::Approve,
            ApplicationDecisionKind::Reject => Decision::Reject,
            ApplicationDecisionKind::Remove => Decision::Remove,
        };
        let who = manager.0.id.as_str();
        let reason = body.0.reason.map(Reason::into_inner);
        let txn = state.db.begin().await?;
        let row = review::decide(&txn, who, &id.0, &aid.0, decision, reason).await?;
        txn.commit().await?;
        let (user, application) = (row.user_id.clone(), row.id.clone());
        let fact = Fact::ApplicationDecided { user, application };
        state.facts.publish(&state, fact).await;
        Ok(ApplicationDecided::Ok(Json(manager_view(&state, row)?)))
    }

    /// See items of an application in full, saying why: the reveal goes to
    /// the audit log and to the applicant's processing log (the group's
    /// managers, admins).
    #[oai(
        path = "/:id/applications/:aid/reveal",
        method = "post",
        operation_id = "admin_reveal_help_group_application"
    )]
    async fn reveal(
        &self,
        state: Data<&AppState>,
        manager: ManagerAuth,
        /// privacy: not personal
        id: Path<HelpGroupId>,
        /// privacy: not personal
        aid: Path<ApplicationId>,
        body: JsonBody<ApplicationReveal>,
    ) -> AppResult<ApplicationRevealed> {
        let row = review::find(&state.db, &id.0, &aid.0).await?;
        let full = open_details(&state.crypto, &row)?;
        // What is shown, and so logged: each item asked for once, if given.
        let given = |item: &ApplicationItem| match item {
            ApplicationItem::ContactPhone => full.contact_phone.is_some(),
            ApplicationItem::QqNumber => full.qq_number.is_some(),
            ApplicationItem::WechatId => full.wechat_id.is_some(),
        };
        let mut items: Vec<ApplicationItem> = Vec::new();
        for item in body.0.items.iter().filter(|i| given(i)) {
            if !items.contains(item) {
                items.push(*item);
            }
        }
        if !items.is_empty() {
            let txn = state.db.begin().await?;
            let who = manager.0.id.as_str();
            review::record_reveal(&txn, who, &row, &items, body.0.reason.as_str()).await?;
            txn.commit().await?;
        }
        let wanted = |item: ApplicationItem| items.contains(&item);
        Ok(ApplicationRevealed::Ok(Json(ApplicationDetails {
            contact_phone: full
                .contact_phone
                .filter(|_| wanted(ApplicationItem::ContactPhone)),
            qq_number: full.qq_number.filter(|_| wanted(ApplicationItem::QqNumber)),
            wechat_id: full.wechat_id.filter(|_| wanted(ApplicationItem::WechatId)),
        })))
    }
}
