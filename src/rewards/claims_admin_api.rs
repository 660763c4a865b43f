//! `/admin/rewards/claims`: admins see claims masked, ship and close
//! them, cancel one not yet shipped (saying why), and see delivery details
//! in full only with a reason (audited, and in the winner's own
//! processing log).
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    cancellation::{cancel, Canceller},
    claims, shipping,
    views::{ClaimItem, ClaimStatus, DeliveryDetails},
};
use crate::{
    api::{
        examples,
        page::{split_page, Page},
        reason::{Reason, StaffReason},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::AdminAuth,
    ids::ClaimId,
    state::AppState,
};

pub struct AdminClaimsApi;

/// A claim as staff see it: the delivery details masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct StaffClaimView {
    pub id: String,
    pub prize_id: String,
    pub user_id: String,
    pub status: ClaimStatus,
    pub price: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Masked (`identity::masking`): the name to its first character, the
    /// ID number to its first three and last four, the phone to its
    /// country code, first three digits and last four, the address to its
    /// district. Absent before they are given and once erased.
    pub masked: Option<DeliveryDetails>,
}

impl poem_openapi::types::Example for StaffClaimView {
    fn example() -> Self {
        let given = DeliveryDetails {
            real_name: Some("王小明".into()),
            national_id_number: Some("11010519491231002X".into()),
            contact_phone: Some("+8613800138000".into()),
            shipping_address: Some("北京市海淀区中关村大街1号".into()),
        };
        Self {
            id: examples::id("ClaimId"),
            prize_id: examples::id("PrizeId"),
            user_id: examples::id("UserId"),
            status: ClaimStatus::Submitted,
            price: 500,
            carrier: None,
            tracking_number: None,
            created_at: examples::time(30, 9, 15),
            submitted_at: Some(examples::time(30, 9, 40)),
            shipped_at: None,
            delivered_at: None,
            masked: Some(masked(given)),
        }
    }
}

/// A reveal of the address and phone (`ClaimRevealRequest`'s example).
impl poem_openapi::types::Example for DeliveryDetails {
    fn example() -> Self {
        Self {
            contact_phone: Some("+8613800138000".into()),
            shipping_address: Some("北京市海淀区中关村大街1号".into()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct Shipment {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 40, pattern = r"\S"))]
    pub carrier: String,
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9-]+$"))]
    pub tracking_number: String,
}

impl poem_openapi::types::Example for Shipment {
    fn example() -> Self {
        Self {
            carrier: "SF Express".into(),
            tracking_number: "SF1234567890123".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ClaimRevealRequest {
    /// The items to see in full.
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 4))]
    pub items: Vec<ClaimItem>,
    /// Why: written to the audit log and to the winner's own processing
    /// log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for ClaimRevealRequest {
    fn example() -> Self {
        Self {
            items: vec![ClaimItem::ShippingAddress, ClaimItem::ContactPhone],
            reason: Reason::from_static("The courier cannot find the address; calling the winner."),
        }
    }
}

#[derive(ApiResponse)]
pub enum StaffClaims {
    /// Claims, oldest first, masked.
    #[oai(status = 200)]
    Ok(Json<Page<StaffClaimView>>),
}

#[derive(ApiResponse)]
pub enum ClaimShippingList {
    /// Claims waiting to ship, with names, phones and addresses; audited.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(poem_openapi::payload::PlainText<String>),
}

#[derive(ApiResponse)]
pub enum StaffClaim {
    /// The claim as it is now; the winner is notified.
    #[oai(status = 200)]
    Ok(Json<StaffClaimView>),
}

#[derive(ApiResponse)]
pub enum ClaimRevealed {
    /// The requested items in full; the reveal is logged.
    #[oai(status = 200)]
    Ok(Json<DeliveryDetails>),
}

/// What staff see of what a winner gave.
fn masked(d: DeliveryDetails) -> DeliveryDetails {
    use crate::identity::masking;
    DeliveryDetails {
        real_name: d.real_name.as_deref().map(masking::real_name),
        national_id_number: d.national_id_number.as_deref().map(masking::national_id),
        contact_phone: d.contact_phone.as_deref().map(masking::phone),
        shipping_address: d.shipping_address.as_deref().map(masking::address),
    }
}

fn staff_view(state: &AppState, c: entity::reward_claims::Model) -> AppResult<StaffClaimView> {
    let masked = claims::open(&state.crypto, &c)?.map(masked);
    Ok(StaffClaimView {
        id: c.id,
        prize_id: c.prize_id,
        user_id: c.user_id,
        status: c.status.into(),
        price: c.price,
        carrier: c.carrier,
        tracking_number: c.tracking_number,
        created_at: c.created_at,
        submitted_at: c.submitted_at,
        shipped_at: c.shipped_at,
        delivered_at: c.delivered_at,
        masked,
    })
}

#[OpenApi(prefix_path = "/admin/rewards", tag = "ApiTags::Admin")]
impl AdminClaimsApi {
    /// Claims, masked, in one status or all (admin).
    #[oai(path = "/claims", method = "get", operation_id = "admin_list_claims")]
    async fn claims(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        /// Only claims in this status.
        /// privacy: not personal
        status: Query<Option<ClaimStatus>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<StaffClaims> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = claims::list(&state.db, status.0.map(Into::into), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |c| c.id.clone());
        let items = rows
            .into_iter()
            .map(|c| staff_view(&state, c))
            .collect::<AppResult<_>>()?;
        Ok(StaffClaims::Ok(Json(Page { items, next_cursor })))
    }

    /// Ship a claim whose details are in, with the carrier's tracking
    /// number; the winner is notified (admin).
    #[oai(
        path = "/claims/:id/shipment",
        method = "post",
        operation_id = "admin_ship_claim"
    )]
    async fn ship(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
        body: JsonBody<Shipment>,
    ) -> AppResult<StaffClaim> {
        let b = body.0;
        let parcel = (b.carrier.trim(), b.tracking_number.as_str());
        let claim = shipping::ship(&state, admin.0.id.as_str(), &id.0, parcel).await?;
        Ok(StaffClaim::Ok(Json(staff_view(&state, claim)?)))
    }

    /// Close a shipped claim as delivered; the winner is notified (admin).
    #[oai(
        path = "/claims/:id/delivered",
        method = "post",
        operation_id = "admin_deliver_claim"
    )]
    async fn delivered(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
    ) -> AppResult<StaffClaim> {
        let claim = shipping::deliver(&state, admin.0.id.as_str(), &id.0).await?;
        Ok(StaffClaim::Ok(Json(staff_view(&state, claim)?)))
    }

    /// See delivery details of a claim in full, saying why: the reveal
    /// goes to the audit log and to the winner's processing log (admin).
    #[oai(
        path = "/claims/:id/reveal",
        method = "post",
        operation_id = "admin_reveal_claim"
    )]
    async fn reveal(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
        body: JsonBody<ClaimRevealRequest>,
    ) -> AppResult<ClaimRevealed> {
        let b = body.0;
        let staff = admin.0.id.as_str();
        let full =
            shipping::reveal(&state, staff, &id.0, &b.items, b.reason.as_str().trim()).await?;
        Ok(ClaimRevealed::Ok(Json(full)))
    }

    /// Cancel a claim not yet shipped, saying why: its unit goes back to
    /// the prize, its coins to the winner, who is notified and reads the
    /// reason with the refund in their ledger (admin).
    #[oai(
        path = "/claims/:id/cancellation",
        method = "post",
        operation_id = "admin_cancel_claim"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
        body: JsonBody<StaffReason>,
    ) -> AppResult<StaffClaim> {
        let staff = admin.0.id.as_str();
        let by = Canceller::Staff {
            staff,
            reason: body.0.reason.as_str().trim(),
        };
        let claim = cancel(&state, &id.0, by).await?;
        Ok(StaffClaim::Ok(Json(staff_view(&state, claim)?)))
    }

    /// The shipping list: claims waiting to ship, with each winner's
    /// name, phone and address, as CSV, saying why; audited, and in each
    /// winner's processing log (admin).
    #[oai(
        path = "/claims/shipping-list",
        method = "post",
        operation_id = "admin_claims_shipping_list"
    )]
    async fn shipping_list(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<StaffReason>,
    ) -> AppResult<ClaimShippingList> {
        let staff = admin.0.id.as_str();
        let csv = shipping::shipping_list(&state, staff, body.0.reason.as_str().trim()).await?;
        Ok(ClaimShippingList::Ok(poem_openapi::payload::PlainText(csv)))
    }
}
