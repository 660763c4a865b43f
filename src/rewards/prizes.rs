//! Prizes: admins define them and set their stock; users see those on
//! offer. Redeeming one is `redemption`'s.
use chrono::{DateTime, Utc};
use entity::{enums::PrizeKind, reward_prizes as prizes};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::refusals::Refusal;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    ids::PrizeId,
};

/// A prize as an admin describes it; `None` leaves a field as it is.
#[derive(Default)]
pub struct PrizeInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub image_url: Option<Option<String>>,
    pub kind: Option<PrizeKind>,
    pub price: Option<i64>,
    /// A new prize's units.
    pub stock: Option<i64>,
    /// Units to add to an existing prize (negative: to take away).
    pub add_stock: Option<i64>,
    pub per_user_limit: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> AppResult<prizes::Model> {
    prizes::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("prize"))
}

fn check(prize: &prizes::Model) -> AppResult<()> {
    match prize.ends_at {
        Some(end) if end < prize.starts_at => Err(Refusal::EndsBeforeStart.into()),
        _ => Ok(()),
    }
}

/// Whether `prize` can be redeemed at `now` (stock aside).
pub fn on_offer(prize: &prizes::Model, now: DateTime<Utc>) -> bool {
    prize.starts_at <= now && prize.ends_at.is_none_or(|end| end > now)
}

pub async fn create(db: &impl ConnectionTrait, input: PrizeInput) -> AppResult<prizes::Model> {
    let now = Utc::now();
    let prize = prizes::Model {
        id: PrizeId::generate().into_inner(),
        name: input.name.unwrap_or_default().trim().to_owned(),
        description: input.description.unwrap_or_default(),
        image_url: input.image_url.flatten(),
        kind: input.kind.unwrap_or(PrizeKind::Physical),
        price: input.price.unwrap_or(1),
        stock: input.stock.unwrap_or(0),
        per_user_limit: input.per_user_limit.unwrap_or(1),
        starts_at: input.starts_at.unwrap_or(now),
        ends_at: input.ends_at.flatten(),
        created_at: now,
        updated_at: now,
    };
    check(&prize)?;
    Ok(prizes::ActiveModel::from(prize).insert(db).await?)
}

/// Edits a prize: only the fields given are written, in one statement,
/// and the result must still make sense, or nothing changes. The stock
/// moves by what is added (a restock while users redeem loses none of
/// their redemptions) and never below zero. Its kind stays what its
/// claims were made under. The caller commits `txn`.
pub async fn update(
    txn: &DatabaseTransaction,
    id: &PrizeId,
    input: PrizeInput,
) -> AppResult<prizes::Model> {
    use prizes::Column as C;
    let mut update = prizes::Entity::update_many()
        .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
        .filter(C::Id.eq(id.as_str()));
    if let Some(name) = input.name {
        update = update.col_expr(C::Name, Expr::value(name.trim().to_owned()));
    }
    if let Some(description) = input.description {
        update = update.col_expr(C::Description, Expr::value(description));
    }
    if let Some(image_url) = input.image_url {
        update = update.col_expr(C::ImageUrl, Expr::value(image_url));
    }
    if let Some(price) = input.price {
        update = update.col_expr(C::Price, Expr::value(price));
    }
    if let Some(added) = input.add_stock {
        update = update
            .col_expr(C::Stock, Expr::col(C::Stock).add(added))
            .filter(Expr::col(C::Stock).add(added).gte(0));
    }
    if let Some(limit) = input.per_user_limit {
        update = update.col_expr(C::PerUserLimit, Expr::value(limit));
    }
    if let Some(starts_at) = input.starts_at {
        update = update.col_expr(C::StartsAt, Expr::value(starts_at));
    }
    if let Some(ends_at) = input.ends_at {
        update = update.col_expr(C::EndsAt, Expr::value(ends_at));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        find(txn, id.as_str()).await?;
        return Err(Refusal::StockBelowZero.into());
    }
    let prize = find(txn, id.as_str()).await?;
    check(&prize)?;
    Ok(prize)
}

/// Prizes on offer now, oldest first.
pub async fn on_offer_now(
    db: &impl ConnectionTrait,
    page: &PageParams,
) -> AppResult<Vec<prizes::Model>> {
    let now = Utc::now();
    let mut query = prizes::Entity::find()
        .filter(prizes::Column::StartsAt.lte(now))
        .filter(
            prizes::Column::EndsAt
                .is_null()
                .or(prizes::Column::EndsAt.gt(now)),
        );
    if let Some(after) = &page.after {
        query = query.filter(prizes::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(prizes::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}
