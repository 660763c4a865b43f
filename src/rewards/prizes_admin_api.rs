//! `/admin/rewards/prizes` and `/admin/rewards/claims`: admins define
//! prizes and their stock, see claims masked, ship and close them, and see
//! delivery details in full only with a reason (audited, and in the
//! winner's own processing log).
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
    ApiResponse, Object, OpenApi,
};

use super::{
    claims,
    prizes::{self, PrizeInput},
    shipping,
    views::{ClaimItem, ClaimStatus, DeliveryDetails, PrizeKind, PrizeView},
};
use crate::{
    api::{
        page::{split_page, Page},
        patch_field, ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::AdminAuth,
    ids::{ClaimId, PrizeId},
    state::AppState,
};

pub struct AdminPrizesApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewPrize {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: String,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: String,
    /// privacy: not personal
    #[oai(validator(max_length = 500, pattern = r"^https://"))]
    pub image_url: Option<String>,
    /// privacy: not personal
    pub kind: PrizeKind,
    /// Coins one unit costs.
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub price: i64,
    /// Units on offer.
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub stock: i64,
    /// Claims one person may hold; absent: 1.
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub per_user_limit: Option<i32>,
    /// Absent: from now.
    /// privacy: not personal
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`; absent: until changed.
    /// privacy: not personal
    pub ends_at: Option<DateTime<Utc>>,
}

impl poem_openapi::types::Example for NewPrize {
    fn example() -> Self {
        Self {
            name: "Community T-shirt".into(),
            description: "Cotton, in the size you tell us.".into(),
            image_url: None,
            kind: PrizeKind::Physical,
            price: 500,
            stock: 100,
            per_user_limit: Some(1),
            starts_at: None,
            ends_at: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PrizePatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: Option<String>,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// `null`: no image.
    /// privacy: not personal
    #[oai(validator(max_length = 500, pattern = r"^https://"))]
    pub image_url: MaybeUndefined<String>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000")))]
    pub price: Option<i64>,
    /// Units left, set (not added to): a restock says the new count.
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub stock: Option<i64>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub per_user_limit: Option<i32>,
    /// privacy: not personal
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`; `null`: no end.
    /// privacy: not personal
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
}

impl poem_openapi::types::Example for PrizePatch {
    fn example() -> Self {
        Self {
            name: None,
            description: None,
            image_url: MaybeUndefined::Undefined,
            price: None,
            stock: Some(250),
            per_user_limit: None,
            starts_at: None,
            ends_at: MaybeUndefined::Undefined,
        }
    }
}

/// A claim as staff see it: the delivery details masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
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
    /// The ID number to its region and last four, the phone to its last
    /// four, the address to its district, the name to its first
    /// character. Absent before they are given and once erased.
    pub masked: Option<DeliveryDetails>,
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
    #[oai(validator(min_length = 1, max_length = 500, pattern = r"\S"))]
    pub reason: String,
}

impl poem_openapi::types::Example for ClaimRevealRequest {
    fn example() -> Self {
        Self {
            items: vec![ClaimItem::ShippingAddress, ClaimItem::ContactPhone],
            reason: "The courier cannot find the address; calling the winner.".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum PrizeSaved {
    /// Defined.
    #[oai(status = 201)]
    Created(Json<PrizeView>),
    /// The prize as it is now.
    #[oai(status = 200)]
    Ok(Json<PrizeView>),
}

#[derive(ApiResponse)]
pub enum StaffClaims {
    /// Claims, oldest first, masked.
    #[oai(status = 200)]
    Ok(Json<Page<StaffClaimView>>),
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

fn staff_view(state: &AppState, c: entity::reward_claims::Model) -> AppResult<StaffClaimView> {
    use crate::identity::masking;
    let masked = claims::open(&state.crypto, &c)?.map(|d| DeliveryDetails {
        real_name: d.real_name.as_deref().map(masking::real_name),
        national_id_number: d.national_id_number.as_deref().map(masking::national_id),
        contact_phone: d.contact_phone.as_deref().map(masking::phone),
        shipping_address: d.shipping_address.as_deref().map(masking::address),
    });
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
impl AdminPrizesApi {
    /// Define a prize and its stock (admin).
    #[oai(path = "/prizes", method = "post", operation_id = "admin_create_prize")]
    async fn create(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        body: JsonBody<NewPrize>,
    ) -> AppResult<PrizeSaved> {
        let b = body.0;
        let input = PrizeInput {
            name: Some(b.name),
            description: Some(b.description),
            image_url: Some(b.image_url),
            kind: Some(b.kind.into()),
            price: Some(b.price),
            stock: Some(b.stock),
            per_user_limit: b.per_user_limit,
            starts_at: b.starts_at,
            ends_at: Some(b.ends_at),
        };
        let prize = prizes::create(&state.db, input).await?;
        Ok(PrizeSaved::Created(Json(PrizeView::of(prize))))
    }

    /// Edit a prize, or set its stock (admin).
    #[oai(
        path = "/prizes/:id",
        method = "patch",
        operation_id = "admin_update_prize"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        /// privacy: not personal
        id: Path<PrizeId>,
        body: JsonBody<PrizePatch>,
    ) -> AppResult<PrizeSaved> {
        let b = body.0;
        let input = PrizeInput {
            name: b.name,
            description: b.description,
            image_url: patch_field(b.image_url),
            kind: None,
            price: b.price,
            stock: b.stock,
            per_user_limit: b.per_user_limit,
            starts_at: b.starts_at,
            ends_at: patch_field(b.ends_at),
        };
        let prize = prizes::update(&state.db, &id.0, input).await?;
        Ok(PrizeSaved::Ok(Json(PrizeView::of(prize))))
    }

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
        let full = shipping::reveal(&state, staff, &id.0, &b.items, b.reason.trim()).await?;
        Ok(ClaimRevealed::Ok(Json(full)))
    }
}
