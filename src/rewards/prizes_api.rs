//! `/rewards/prizes` and `/me/claims`: prizes on offer, redeeming one,
//! and my claims with their delivery.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    cancellation::{cancel, Canceller},
    claims::{self, Delivery},
    prizes, redemption,
    views::{ClaimView, PrizeView},
};
use crate::{
    api::{
        check_limit,
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::BearerAuth,
    ids::{ClaimId, PrizeId},
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct PrizesApi;

#[derive(Debug, Object)]
#[oai(example)]
pub struct NewRedemption {
    /// A key of the client's choosing, new for each redemption: the same
    /// request sent again (a retry after a lost answer) answers the claim
    /// it made, 200, and pays nothing twice.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._:-]+$"))]
    pub client_id: String,
}

impl poem_openapi::types::Example for NewRedemption {
    fn example() -> Self {
        Self {
            client_id: "7f3c2a9e-redeem-1".into(),
        }
    }
}

/// Where to send a physical prize, and who receives it (for tax): every
/// item is required; the `prize_delivery` grant comes first
/// (`PUT /me/consents/prize_delivery`). They can change until it ships.
#[derive(Debug, Object)]
#[oai(example)]
pub struct DeliveryRequest {
    /// privacy: real_name for prize_delivery, required
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub real_name: String,
    /// An 18-character resident ID number (GB 11643).
    /// privacy: national_id_number for prize_delivery, required
    #[oai(validator(min_length = 18, max_length = 18, pattern = r"^[0-9]{17}[0-9Xx]$"))]
    pub national_id_number: String,
    /// A mobile number, as for sign-up.
    /// privacy: contact_phone for prize_delivery, required
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub contact_phone: String,
    /// privacy: shipping_address for prize_delivery, required
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub shipping_address: String,
}

impl poem_openapi::types::Example for DeliveryRequest {
    fn example() -> Self {
        Self {
            real_name: "王小明".into(),
            national_id_number: "11010519491231002X".into(),
            contact_phone: "+8613800138000".into(),
            shipping_address: "北京市海淀区中关村大街1号".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum PrizesResponse {
    /// Prizes on offer now, oldest first.
    #[oai(status = 200)]
    Ok(Json<Page<PrizeView>>),
}

#[derive(ApiResponse)]
pub enum Redeemed {
    /// Redeemed: the claim, its price taken from my balance.
    #[oai(status = 201)]
    Created(Json<ClaimView>),
    /// A retry: the claim this `client_id` made before.
    #[oai(status = 200)]
    Ok(Json<ClaimView>),
}

#[derive(ApiResponse)]
pub enum ClaimsResponse {
    /// My claims, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ClaimView>>),
}

#[derive(ApiResponse)]
pub enum ClaimResponse {
    /// The claim, with what I gave for it.
    #[oai(status = 200)]
    Ok(Json<ClaimView>),
}

fn mine(state: &AppState, c: entity::reward_claims::Model) -> AppResult<ClaimView> {
    let delivery = claims::open(&state.crypto, &c)?;
    Ok(ClaimView::of(c, delivery))
}

#[OpenApi(tag = "ApiTags::Rewards")]
impl PrizesApi {
    /// Prizes on offer now, with their price and the stock left.
    #[oai(
        path = "/rewards/prizes",
        method = "get",
        operation_id = "rewards_list_prizes"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<PrizesResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = prizes::on_offer_now(&state.db, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |p| p.id.clone());
        let items = rows.into_iter().map(PrizeView::of).collect();
        Ok(PrizesResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Redeem a prize: one unit, paid in coins, never more claims than
    /// stock; a physical prize then waits for my delivery details.
    #[oai(
        path = "/rewards/prizes/:id/redemptions",
        method = "post",
        operation_id = "rewards_redeem_prize"
    )]
    async fn redeem(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PrizeId>,
        body: JsonBody<NewRedemption>,
    ) -> AppResult<Redeemed> {
        let user = auth.0.id.as_str();
        check_limit(&state, ActionClass::Redeem, user).await?;
        let done = redemption::redeem(&state.db, user, &id.0, &body.0.client_id).await?;
        let view = mine(&state, done.claim)?;
        Ok(match done.created {
            true => Redeemed::Created(Json(view)),
            false => Redeemed::Ok(Json(view)),
        })
    }

    /// My claims and where they stand.
    #[oai(path = "/me/claims", method = "get", operation_id = "me_list_claims")]
    async fn claims(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ClaimsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = claims::mine(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |c| c.id.clone());
        let items = rows
            .into_iter()
            .map(|c| mine(&state, c))
            .collect::<AppResult<_>>()?;
        Ok(ClaimsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One of my claims, with what I gave for its delivery.
    #[oai(path = "/me/claims/:id", method = "get", operation_id = "me_get_claim")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
    ) -> AppResult<ClaimResponse> {
        let claim = claims::one_of_mine(&state.db, &auth.0.id, &id.0).await?;
        Ok(ClaimResponse::Ok(Json(mine(&state, claim)?)))
    }

    /// Give (or, until it ships, correct) the delivery details of a
    /// physical prize; under 14, a guardian consents first.
    #[oai(
        path = "/me/claims/:id/delivery",
        method = "put",
        operation_id = "me_set_claim_delivery"
    )]
    async fn delivery(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
        body: JsonBody<DeliveryRequest>,
    ) -> AppResult<ClaimResponse> {
        check_limit(&state, ActionClass::ClaimDelivery, auth.0.id.as_str()).await?;
        let b = body.0;
        let given = Delivery {
            real_name: b.real_name,
            national_id_number: b.national_id_number,
            contact_phone: b.contact_phone,
            shipping_address: b.shipping_address,
        };
        let claim = claims::submit(&state.db, &state.crypto, &auth.0.id, &id.0, given).await?;
        Ok(ClaimResponse::Ok(Json(mine(&state, claim)?)))
    }

    /// Cancel one of my claims before I gave its delivery details (after
    /// that, the staff cancel it): its coins come back to me.
    #[oai(
        path = "/me/claims/:id/cancellation",
        method = "post",
        operation_id = "me_cancel_claim"
    )]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ClaimId>,
    ) -> AppResult<ClaimResponse> {
        let by = Canceller::Winner(&auth.0.id);
        let claim = cancel(&state, &id.0, by).await?;
        Ok(ClaimResponse::Ok(Json(mine(&state, claim)?)))
    }
}
