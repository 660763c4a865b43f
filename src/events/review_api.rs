//! `/admin/events/{id}/registrations`: staff review registrations, masked,
//! decide under capacity, and reveal a value only with a reason.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    registrations::open_details,
    review::{self, Decision},
    views::{EventItem, RegistrationDetails, RegistrationStatus},
};
use crate::{
    api::{
        examples,
        page::{split_page, Page},
        reason::{Reason, StaffReason},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::ModeratorAuth,
    ids::{EventId, RegistrationId},
    platform::facts::Fact,
    state::AppState,
};

pub struct AdminRegistrationsApi;

/// A registration as staff see it: every value masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct StaffRegistrationView {
    pub id: String,
    pub user_id: String,
    pub status: RegistrationStatus,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Masked (`identity::masking`): the name to its first character, the
    /// phone to its country code, first three digits and last four, the
    /// ID number to its first three and last four, the address to its
    /// district; gender and city, not sensitive, as given. Absent once
    /// erased.
    pub masked: Option<RegistrationDetails>,
}

impl poem_openapi::types::Example for StaffRegistrationView {
    fn example() -> Self {
        let given = RegistrationDetails {
            real_name: Some("王小明".into()),
            contact_phone: Some("+8613800138000".into()),
            city: Some("Shenzhen".into()),
            ..Default::default()
        };
        Self {
            id: examples::id("RegistrationId"),
            user_id: examples::id("UserId"),
            status: RegistrationStatus::Approved,
            reason: None,
            created_at: examples::time(20, 12, 0),
            decided_at: Some(examples::time(21, 9, 30)),
            masked: Some(masked(given)),
        }
    }
}

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum DecisionKind {
    Approve,
    Reject,
    Waitlist,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct DecisionRequest {
    /// privacy: not personal
    pub decision: DecisionKind,
    /// Required to reject; the registrant reads it.
    /// privacy: not personal
    pub reason: Option<Reason>,
}

impl poem_openapi::types::Example for DecisionRequest {
    fn example() -> Self {
        Self {
            decision: DecisionKind::Reject,
            reason: Some(Reason::from_static("The venue is for adults only.")),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct RevealRequest {
    /// The items to see in full.
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 6))]
    pub items: Vec<EventItem>,
    /// Why: written to the audit log and to the registrant's own
    /// processing log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for RevealRequest {
    fn example() -> Self {
        Self {
            items: vec![EventItem::ContactPhone],
            reason: Reason::from_static("The venue moved; calling to tell her."),
        }
    }
}

#[derive(ApiResponse)]
pub enum StaffRegistrations {
    /// Registrations, oldest first, masked.
    #[oai(status = 200)]
    Ok(Json<Page<StaffRegistrationView>>),
}

#[derive(ApiResponse)]
pub enum Decided {
    /// Decided; the registrant is notified.
    #[oai(status = 200)]
    Ok(Json<StaffRegistrationView>),
}

#[derive(ApiResponse)]
pub enum ShippingList {
    /// Approved registrants' names, phones and addresses; audited.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(poem_openapi::payload::PlainText<String>),
}

#[derive(ApiResponse)]
pub enum Revealed {
    /// The requested items in full; the reveal is logged.
    #[oai(status = 200)]
    Ok(Json<RegistrationDetails>),
}

/// What staff see of what a registrant gave.
fn masked(d: RegistrationDetails) -> RegistrationDetails {
    let m = |item, v: Option<String>| v.map(|v| review::mask(item, &v));
    RegistrationDetails {
        real_name: m(EventItem::RealName, d.real_name),
        gender: d.gender,
        contact_phone: m(EventItem::ContactPhone, d.contact_phone),
        national_id_number: m(EventItem::NationalIdNumber, d.national_id_number),
        shipping_address: m(EventItem::ShippingAddress, d.shipping_address),
        city: d.city,
    }
}

fn staff_view(
    state: &AppState,
    r: entity::event_registrations::Model,
) -> AppResult<StaffRegistrationView> {
    let masked = match r.erased_at {
        Some(_) => None,
        None => Some(masked(open_details(state, &r)?)),
    };
    Ok(StaffRegistrationView {
        id: r.id,
        user_id: r.user_id,
        status: r.status.into(),
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
        masked,
    })
}

/// Tells each registrant a decision reached.
pub async fn notify(state: &AppState, told: Vec<(String, String)>) {
    for (user, registration) in told {
        state
            .facts
            .publish(state, Fact::RegistrationDecided { user, registration })
            .await;
    }
}

#[OpenApi(prefix_path = "/admin/events", tag = "ApiTags::Admin")]
impl AdminRegistrationsApi {
    /// An event's registrations, masked (moderator, admin).
    #[oai(
        path = "/:id/registrations",
        method = "get",
        operation_id = "admin_list_event_registrations"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        _staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<EventId>,
        /// Only registrations in this status.
        /// privacy: not personal
        status: Query<Option<RegistrationStatus>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<StaffRegistrations> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        super::store::find(&state.db, &id.0).await?;
        let rows = review::list(&state.db, &id.0, status.0.map(Into::into), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| staff_view(&state, r))
            .collect::<AppResult<_>>()?;
        Ok(StaffRegistrations::Ok(Json(Page { items, next_cursor })))
    }

    /// Approve, reject (with a reason) or waitlist a registration; never
    /// more approvals than places (moderator, admin).
    #[oai(
        path = "/:id/registrations/:rid/decision",
        method = "post",
        operation_id = "admin_decide_event_registration"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<EventId>,
        /// privacy: not personal
        rid: Path<RegistrationId>,
        body: JsonBody<DecisionRequest>,
    ) -> AppResult<Decided> {
        let decision = match body.0.decision {
            DecisionKind::Approve => Decision::Approve,
            DecisionKind::Reject => Decision::Reject,
            DecisionKind::Waitlist => Decision::Waitlist,
        };
        let txn = state.db.begin().await?;
        let told = review::decide(
            &txn,
            staff.0.id.as_str(),
            &id.0,
            &rid.0,
            decision,
            body.0.reason.map(Reason::into_inner),
        )
        .await?;
        txn.commit().await?;
        notify(&state, told).await;
        let row = review::find(&state.db, &id.0, &rid.0).await?;
        Ok(Decided::Ok(Json(staff_view(&state, row)?)))
    }

    /// See items of a registration in full, saying why: the reveal goes to
    /// the audit log and to the registrant's processing log (moderator, admin).
    #[oai(
        path = "/:id/registrations/:rid/reveal",
        method = "post",
        operation_id = "admin_reveal_event_registration"
    )]
    async fn reveal(
        &self,
        state: Data<&AppState>,
        staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<EventId>,
        /// privacy: not personal
        rid: Path<RegistrationId>,
        body: JsonBody<RevealRequest>,
    ) -> AppResult<Revealed> {
        let row = review::find(&state.db, &id.0, &rid.0).await?;
        if row.erased_at.is_some() {
            return Err(crate::error::AppError::new(
                crate::error::ErrorCode::Conflict,
                "nothing to reveal: what was given is erased",
            ));
        }
        let full = open_details(&state, &row)?;
        let txn = state.db.begin().await?;
        review::record_reveal(
            &txn,
            staff.0.id.as_str(),
            &row,
            &body.0.items,
            body.0.reason.as_str(),
        )
        .await?;
        txn.commit().await?;
        let wanted = |item: EventItem| body.0.items.contains(&item);
        Ok(Revealed::Ok(Json(RegistrationDetails {
            real_name: full.real_name.filter(|_| wanted(EventItem::RealName)),
            gender: full.gender.filter(|_| wanted(EventItem::Gender)),
            contact_phone: full
                .contact_phone
                .filter(|_| wanted(EventItem::ContactPhone)),
            national_id_number: full
                .national_id_number
                .filter(|_| wanted(EventItem::NationalIdNumber)),
            shipping_address: full
                .shipping_address
                .filter(|_| wanted(EventItem::ShippingAddress)),
            city: full.city.filter(|_| wanted(EventItem::City)),
        })))
    }

    /// The shipping list of an event that ships: approved registrants'
    /// names, phones and addresses as CSV, saying why; audited, and in
    /// each registrant's processing log (moderator, admin).
    #[oai(
        path = "/:id/shipping-list",
        method = "post",
        operation_id = "admin_event_shipping_list"
    )]
    async fn shipping_list(
        &self,
        state: Data<&AppState>,
        staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<EventId>,
        body: JsonBody<StaffReason>,
    ) -> AppResult<ShippingList> {
        let csv = review::shipping_list(&state, staff.0.id.as_str(), &id.0, body.0.reason.as_str())
            .await?;
        Ok(ShippingList::Ok(poem_openapi::payload::PlainText(csv)))
    }
}
