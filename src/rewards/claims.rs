//! A claim after redemption: the winner gives delivery details (a
//! physical prize only; checked and encrypted;
//! under 14, only once a guardian consented), staff ship it and close it.
//! Details change until the prize ships.
use chrono::{DateTime, Utc};
use entity::{
    enums::{ClaimStatus, PrizeKind},
    reward_claims as claims,
};
use sea_orm::{
    sea_query::{Expr, SimpleExpr},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{refusals::Refusal, views::DeliveryDetails};
use crate::{
    api::PageParams,
    error::{AppError, AppResult, ErrorCode},
    identity::{
        guardian::{self, Subject},
        national_id::NationalId,
        phone::Phone,
    },
    ids::{ClaimId, UserId},
    platform::crypto::Crypto,
};

/// What a winner gives: every item of `prize_delivery`.
pub struct Delivery {
    pub real_name: String,
    pub national_id_number: String,
    pub contact_phone: String,
    pub shipping_address: String,
}

/// My claims, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    page: &PageParams,
) -> AppResult<Vec<claims::Model>> {
    let mut query = claims::Entity::find().filter(claims::Column::UserId.eq(user.as_str()));
    if let Some(after) = &page.after {
        query = query.filter(claims::Column::Id.lt(after.as_str()));
    }
    Ok(query
        .order_by_desc(claims::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// One of mine; someone else's is not found.
pub async fn one_of_mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    id: &ClaimId,
) -> AppResult<claims::Model> {
    claims::Entity::find_by_id(id.as_str())
        .filter(claims::Column::UserId.eq(user.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("claim"))
}

/// Any claim, for staff.
pub async fn find(db: &impl ConnectionTrait, id: &ClaimId) -> AppResult<claims::Model> {
    claims::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("claim"))
}

/// What a claim holds, decrypted; `None` when it holds nothing.
pub fn open(crypto: &Crypto, c: &claims::Model) -> AppResult<Option<DeliveryDetails>> {
    if c.submitted_at.is_none() || c.details_erased_at.is_some() {
        return Ok(None);
    }
    let open = |v: &Option<String>| crypto.decrypt_opt(v).map_err(AppError::internal);
    Ok(Some(DeliveryDetails {
        real_name: open(&c.real_name)?,
        national_id_number: open(&c.national_id)?,
        contact_phone: open(&c.contact_phone)?,
        shipping_address: open(&c.shipping_address)?,
    }))
}

/// The winner gives (or corrects, until it ships) the delivery details
/// of one of their claims.
pub async fn submit(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    user: &UserId,
    id: &ClaimId,
    given: Delivery,
) -> AppResult<claims::Model> {
    let claim = one_of_mine(db, user, id).await?;
    let prize = super::prizes::find(db, &claim.prize_id).await?;
    if prize.kind == PrizeKind::Virtual {
        return Err(Refusal::NothingToDeliver.into());
    }
    let today = Utc::now().date_naive();
    let national_id =
        NationalId::parse(&given.national_id_number, today).map_err(|_| Refusal::BadNationalId)?;
    let phone = Phone::parse(&given.contact_phone).map_err(Refusal::BadPhone)?;
    let guardian_consent_at = match national_id.age_on(today) < guardian::GUARDIAN_AGE {
        false => None,
        true => {
            let subject = Subject {
                kind: "prize_claim",
                id: id.as_str(),
            };
            match guardian::given(db, user, &subject).await? {
                Some(at) => Some(at),
                None => return Err(AppError::new(
                    ErrorCode::GuardianConsentRequired,
                    "winners under 14 need a guardian's consent first (POST /guardian-consents)",
                )),
            }
        }
    };
    use claims::Column as C;
    let now = Utc::now();
    let written = claims::Entity::update_many()
        .col_expr(
            C::RealName,
            Expr::value(crypto.encrypt(given.real_name.trim())),
        )
        .col_expr(
            C::NationalId,
            Expr::value(crypto.encrypt(&national_id.number)),
        )
        .col_expr(C::ContactPhone, Expr::value(crypto.encrypt(phone.e164())))
        .col_expr(
            C::ShippingAddress,
            Expr::value(crypto.encrypt(given.shipping_address.trim())),
        )
        .col_expr(C::GuardianConsentAt, Expr::value(guardian_consent_at))
        .col_expr(C::Status, Expr::value(ClaimStatus::Submitted))
        .col_expr(C::SubmittedAt, Expr::value(now))
        .col_expr(
            C::DetailsErasedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(C::Id.eq(id.as_str()))
        .filter(C::UserId.eq(user.as_str()))
        .filter(C::Status.is_in([ClaimStatus::AwaitingDetails, ClaimStatus::Submitted]))
        .exec(db)
        .await?;
    if written.rows_affected == 0 {
        return Err(Refusal::ClaimState(
            "this claim has shipped, been delivered or been cancelled: its details no longer change",
        )
        .into());
    }
    one_of_mine(db, user, id).await
}

/// Claims for staff, oldest first, in one status or all.
pub async fn list(
    db: &impl ConnectionTrait,
    status: Option<ClaimStatus>,
    page: &PageParams,
) -> AppResult<Vec<claims::Model>> {
    let mut query = claims::Entity::find();
    if let Some(status) = status {
        query = query.filter(claims::Column::Status.eq(status));
    }
    if let Some(after) = &page.after {
        query = query.filter(claims::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(claims::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// Moves a claim from `from` on, writing `cols`; refused unless it stands
/// in `from` (two staff shipping at once ship it once).
pub async fn advance(
    db: &impl ConnectionTrait,
    id: &ClaimId,
    from: ClaimStatus,
    cols: Vec<(claims::Column, SimpleExpr)>,
    why: &'static str,
) -> AppResult<claims::Model> {
    let mut update = claims::Entity::update_many()
        .filter(claims::Column::Id.eq(id.as_str()))
        .filter(claims::Column::Status.eq(from));
    for (col, value) in cols {
        update = update.col_expr(col, value);
    }
    if update.exec(db).await?.rows_affected == 0 {
        find(db, id).await?;
        return Err(Refusal::ClaimState(why).into());
    }
    find(db, id).await
}

/// Erases the delivery details of the claims `filter` selects, and the
/// guardians' consents that served them; those not yet shipped wait for
/// details again. Answers how many claims.
pub async fn erase_details(db: &impl ConnectionTrait, filter: SimpleExpr) -> AppResult<u64> {
    use claims::Column as C;
    let none = || Expr::value(Option::<String>::None);
    let unshipped = [ClaimStatus::AwaitingDetails, ClaimStatus::Submitted];
    let status = Expr::case(
        C::Status.is_in(unshipped),
        Expr::value(ClaimStatus::AwaitingDetails),
    )
    .finally(Expr::col(C::Status));
    // Written first, under the caller's condition (a claim shipped
    // meanwhile is no longer selected); the moment marks what this call
    // erased.
    let now = Utc::now();
    let erased = claims::Entity::update_many()
        .col_expr(C::Status, status.into())
        .col_expr(C::RealName, none())
        .col_expr(C::NationalId, none())
        .col_expr(C::ContactPhone, none())
        .col_expr(C::ShippingAddress, none())
        .col_expr(
            C::GuardianConsentAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(C::DetailsErasedAt, Expr::value(now))
        .filter(filter)
        .filter(C::SubmittedAt.is_not_null())
        .filter(C::DetailsErasedAt.is_null())
        .exec(db)
        .await?;
    if erased.rows_affected == 0 {
        return Ok(0);
    }
    let served: Vec<String> = claims::Entity::find()
        .select_only()
        .column(C::Id)
        .filter(C::DetailsErasedAt.eq(now))
        .into_tuple()
        .all(db)
        .await?;
    guardian::forget(db, "prize_claim", Some(served), None).await?;
    Ok(erased.rows_affected)
}
