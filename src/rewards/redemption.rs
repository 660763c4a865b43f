//! Redeeming a prize: one unit of stock, the price in coins and a claim,
//! all or nothing. The stock moves first, in one statement that refuses to
//! go below zero, so however many redeem at once no more claims exist than
//! units (the prize's row is the queue: PostgreSQL holds it, SQLite its
//! write lock, until the claim is made or refused). The coins move through
//! the ledger, keyed by the client's id, so a retried request pays once and
//! answers the claim it made.
use chrono::Utc;
use entity::{
    enums::{ClaimStatus, LedgerKind, PrizeKind},
    reward_claims as claims, reward_prizes as prizes,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use super::{
    ledger::{self, Entry},
    prizes::{find, on_offer},
    refusals::Refusal,
};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    ids::{ClaimId, PrizeId},
};

/// A redemption's answer: the claim, and whether this request made it (a
/// retry finds the one its first try made).
pub struct Redeemed {
    pub claim: claims::Model,
    pub created: bool,
}

/// The claim `user` made with `client_id`, if any.
async fn by_client(
    db: &impl ConnectionTrait,
    user: &str,
    client_id: &str,
) -> AppResult<Option<claims::Model>> {
    Ok(claims::Entity::find()
        .filter(claims::Column::UserId.eq(user))
        .filter(claims::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

/// A retry: the claim the first try made, if it was for this prize.
fn retried(claim: claims::Model, prize: &PrizeId) -> AppResult<Redeemed> {
    if claim.prize_id != prize.as_str() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this client_id redeemed another prize: use a new one for each redemption",
        ));
    }
    Ok(Redeemed {
        claim,
        created: false,
    })
}

/// `user` redeems one unit of `prize`.
pub async fn redeem(
    db: &DatabaseConnection,
    user: &str,
    prize: &PrizeId,
    client_id: &str,
) -> AppResult<Redeemed> {
    if let Some(claim) = by_client(db, user, client_id).await? {
        return retried(claim, prize);
    }
    let txn = db.begin().await?;
    match take(&txn, user, prize, client_id).await {
        Ok(claim) => {
            txn.commit().await?;
            Ok(Redeemed {
                claim,
                created: true,
            })
        }
        Err(err) => {
            drop(txn);
            // The same request, sent twice at once: the first one's claim.
            match by_client(db, user, client_id).await? {
                Some(claim) => retried(claim, prize),
                None => Err(err),
            }
        }
    }
}

/// The redemption's statements, in the caller's transaction.
async fn take(
    txn: &DatabaseTransaction,
    user: &str,
    prize: &PrizeId,
    client_id: &str,
) -> AppResult<claims::Model> {
    use prizes::Column as P;
    let now = Utc::now();
    let taken = prizes::Entity::update_many()
        .col_expr(P::Stock, Expr::col(P::Stock).sub(1))
        .filter(P::Id.eq(prize.as_str()))
        .filter(P::Stock.gt(0))
        .filter(P::StartsAt.lte(now))
        .filter(P::EndsAt.is_null().or(P::EndsAt.gt(now)))
        .exec(txn)
        .await?;
    let row = find(txn, prize.as_str()).await?;
    if taken.rows_affected == 0 {
        return Err(match on_offer(&row, now) {
            false => Refusal::PrizeNotOnOffer,
            true => Refusal::OutOfStock,
        }
        .into());
    }
    // Counted while the prize's row is held: two redemptions by one user
    // cannot both see room under the limit.
    let held = claims::Entity::find()
        .filter(claims::Column::UserId.eq(user))
        .filter(claims::Column::PrizeId.eq(prize.as_str()))
        .filter(claims::Column::Status.ne(ClaimStatus::Cancelled))
        .count(txn)
        .await?;
    if held >= u64::try_from(row.per_user_limit).unwrap_or(0) {
        return Err(Refusal::LimitReached.into());
    }
    let id = ClaimId::generate().into_inner();
    ledger::post(
        txn,
        Entry {
            user,
            kind: LedgerKind::Debit,
            amount: -row.price,
            task: None,
            claim: Some(&id),
            key: format!("redeem:{user}:{client_id}"),
            reason: None,
            staff: None,
        },
    )
    .await?;
    let physical = row.kind == PrizeKind::Physical;
    let claim = claims::ActiveModel {
        id: Set(id),
        prize_id: Set(row.id),
        user_id: Set(user.to_owned()),
        client_id: Set(client_id.to_owned()),
        price: Set(row.price),
        status: Set(match physical {
            true => ClaimStatus::AwaitingDetails,
            false => ClaimStatus::Delivered,
        }),
        real_name: Set(None),
        national_id: Set(None),
        contact_phone: Set(None),
        shipping_address: Set(None),
        guardian_consent_at: Set(None),
        carrier: Set(None),
        tracking_number: Set(None),
        created_at: Set(now),
        submitted_at: Set(None),
        shipped_at: Set(None),
        delivered_at: Set((!physical).then_some(now)),
        cancelled_at: Set(None),
        details_erased_at: Set(None),
    };
    Ok(claim.insert(txn).await?)
}

/// Cancels the claims of `user` not yet shipped, in the caller's
/// transaction: each unit goes back to its prize's stock (the coins go
/// with the account), once: a claim cancelled meanwhile is left alone.
/// Answers how many.
pub async fn cancel_pending(txn: &DatabaseTransaction, user: &str) -> AppResult<u64> {
    let unshipped = [ClaimStatus::AwaitingDetails, ClaimStatus::Submitted];
    let pending = claims::Entity::find()
        .filter(claims::Column::UserId.eq(user))
        .filter(claims::Column::Status.is_in(unshipped))
        .all(txn)
        .await?;
    let mut cancelled = 0;
    for claim in &pending {
        let moved = claims::Entity::update_many()
            .col_expr(claims::Column::Status, Expr::value(ClaimStatus::Cancelled))
            .col_expr(claims::Column::CancelledAt, Expr::value(Utc::now()))
            .filter(claims::Column::Id.eq(claim.id.as_str()))
            .filter(claims::Column::Status.is_in(unshipped))
            .exec(txn)
            .await?;
        if moved.rows_affected == 0 {
            continue;
        }
        prizes::Entity::update_many()
            .col_expr(
                prizes::Column::Stock,
                Expr::col(prizes::Column::Stock).add(1),
            )
            .filter(prizes::Column::Id.eq(claim.prize_id.as_str()))
            .exec(txn)
            .await?;
        cancelled += 1;
    }
    Ok(cancelled)
}
