//! `/admin/rewards/prizes`: admins define prizes and set their stock.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};

use super::{
    prizes::{self, PrizeInput},
    views::{PrizeKind, PrizeView},
};
use entity::enums::StaffAction;
use sea_orm::TransactionTrait;

use crate::{
    api::{patch_field, ApiTags, JsonBody},
    error::AppResult,
    identity::AdminAuth,
    ids::PrizeId,
    privacy::access,
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
    /// Units to add (a restock), or, negative, to take away (never below
    /// zero: 409 naming this field). Added, not set: redemptions made
    /// meanwhile are not undone.
    /// privacy: not personal
    #[oai(validator(minimum(value = "-10000000"), maximum(value = "10000000")))]
    pub add_stock: Option<i64>,
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
            add_stock: Some(200),
            per_user_limit: None,
            starts_at: None,
            ends_at: MaybeUndefined::Undefined,
        }
    }
}

#[derive(ApiResponse)]
pub enum PrizeCreated {
    /// Defined.
    #[oai(status = 201)]
    Created(Json<PrizeView>),
}

#[derive(ApiResponse)]
pub enum PrizeUpdated {
    /// The prize as it is now.
    #[oai(status = 200)]
    Ok(Json<PrizeView>),
}

#[OpenApi(prefix_path = "/admin/rewards", tag = "ApiTags::Admin")]
impl AdminPrizesApi {
    /// Define a prize and its stock (admin).
    #[oai(path = "/prizes", method = "post", operation_id = "admin_create_prize")]
    async fn create(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<NewPrize>,
    ) -> AppResult<PrizeCreated> {
        let what = format!("defined: {}", body.sent_fields());
        let b = body.0;
        let input = PrizeInput {
            name: Some(b.name),
            description: Some(b.description),
            image_url: Some(b.image_url),
            kind: Some(b.kind.into()),
            price: Some(b.price),
            stock: Some(b.stock),
            add_stock: None,
            per_user_limit: b.per_user_limit,
            starts_at: b.starts_at,
            ends_at: Some(b.ends_at),
        };
        let txn = state.db.begin().await?;
        let prize = prizes::create(&txn, input).await?;
        let target = ("reward_prize", prize.id.as_str());
        access::record_change(
            &txn,
            admin.0.id.as_str(),
            StaffAction::Create,
            target,
            &what,
        )
        .await?;
        txn.commit().await?;
        Ok(PrizeCreated::Created(Json(PrizeView::of(prize))))
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
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<PrizeId>,
        body: JsonBody<PrizePatch>,
    ) -> AppResult<PrizeUpdated> {
        let what = format!("changed: {}", body.sent_fields());
        let b = body.0;
        let input = PrizeInput {
            name: b.name,
            description: b.description,
            image_url: patch_field(b.image_url),
            kind: None,
            price: b.price,
            stock: None,
            add_stock: b.add_stock,
            per_user_limit: b.per_user_limit,
            starts_at: b.starts_at,
            ends_at: patch_field(b.ends_at),
        };
        let txn = state.db.begin().await?;
        let prize = prizes::update(&txn, &id.0, input).await?;
        let target = ("reward_prize", prize.id.as_str());
        access::record_change(
            &txn,
            admin.0.id.as_str(),
            StaffAction::Update,
            target,
            &what,
        )
        .await?;
        txn.commit().await?;
        Ok(PrizeUpdated::Ok(Json(PrizeView::of(prize))))
    }
}
