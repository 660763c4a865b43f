//! Registering for an event with exactly the items it declared, seeing
//! where my registrations stand, and withdrawing (which erases what I gave).
use chrono::Utc;
use entity::{enums::RegistrationStatus, event_registrations, events};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{refusals::Refusal, store, views::EventItem};
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppError, AppResult, ErrorCode},
    identity::{
        guardian::{self, Subject},
        national_id::NationalId,
        phone::Phone,
        views::Gender,
    },
    ids::{EventId, RegistrationId, UserId},
    platform::crypto::Crypto,
};

/// What a registrant gave, field by field (each an event item).
#[derive(Default)]
pub struct Given {
    pub real_name: Option<String>,
    pub gender: Option<Gender>,
    pub contact_phone: Option<String>,
    pub national_id_number: Option<String>,
    pub shipping_address: Option<String>,
    pub city: Option<String>,
}

impl Given {
    fn present(&self) -> Vec<EventItem> {
        let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        EventItem::ALL
            .into_iter()
            .filter(|item| match item {
                EventItem::RealName => has(&self.real_name),
                EventItem::Gender => self.gender.is_some(),
                EventItem::ContactPhone => has(&self.contact_phone),
                EventItem::NationalIdNumber => has(&self.national_id_number),
                EventItem::ShippingAddress => has(&self.shipping_address),
                EventItem::City => has(&self.city),
            })
            .collect()
    }
}

/// Exactly the declared items: one the event did not ask for is refused
/// (422, each named) before one it asked for and did not get (400).
pub fn exactly(declared: &[EventItem], given: &Given) -> AppResult<()> {
    let present = given.present();
    let extra: Vec<EventItem> = present
        .iter()
        .copied()
        .filter(|i| !declared.contains(i))
        .collect();
    if !extra.is_empty() {
        return Err(Refusal::Undeclared(extra).into());
    }
    let missing: Vec<EventItem> = declared
        .iter()
        .copied()
        .filter(|i| !present.contains(i))
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::Missing(missing).into());
    }
    Ok(())
}

/// The values to store: checked, the sensitive ones encrypted.
struct Stored {
    /// The ID number says the registrant is under 14.
    minor: bool,
    real_name: Option<String>,
    contact_phone: Option<String>,
    national_id: Option<String>,
    national_id_index: Option<String>,
    shipping_address: Option<String>,
}

fn seal(crypto: &Crypto, given: &Given) -> AppResult<Stored> {
    let today = Utc::now().date_naive();
    let id = match given.national_id_number.as_deref() {
        Some(number) => Some(
            NationalId::parse(number, today).map_err(|_| AppError::from(Refusal::BadNationalId))?,
        ),
        None => None,
    };
    let minor = id
        .as_ref()
        .is_some_and(|id| id.age_on(today) < guardian::GUARDIAN_AGE);
    let phone = match given.contact_phone.as_deref() {
        Some(phone) => Some(Phone::parse(phone).map_err(|e| AppError::from(Refusal::BadPhone(e)))?),
        None => None,
    };
    let encrypt = |v: &Option<String>| v.as_deref().map(|v| crypto.encrypt(v.trim()));
    Ok(Stored {
        minor,
        real_name: encrypt(&given.real_name),
        contact_phone: phone.map(|p| crypto.encrypt(p.e164())),
        national_id_index: id
            .as_ref()
            .map(|id| crypto.blind_index("national_id", &id.number)),
        national_id: id.map(|id| crypto.encrypt(&id.number)),
        shipping_address: encrypt(&given.shipping_address),
    })
}

pub async fn register(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    event_id: &EventId,
    user: &UserId,
    given: Given,
) -> AppResult<event_registrations::Model> {
    let event = store::find(db, event_id).await?;
    let declared: Vec<EventItem> = store::declared(&event)?.iter().map(|d| d.item).collect();
    exactly(&declared, &given)?;
    let now = Utc::now();
    if now < event.registration_opens_at || now > event.registration_closes_at {
        return Err(AppError::new(
            ErrorCode::RegistrationClosed,
            "registration is not open",
        ));
    }
    let sealed = seal(crypto, &given)?;
    // Under 14: only once a guardian consented (`/guardian-consents`).
    let guardian_consent_at = match sealed.minor {
        false => None,
        true => {
            let subject = Subject {
                kind: "event",
                id: event_id.as_str(),
            };
            match guardian::given(db, user, &subject).await? {
                Some(at) => Some(at),
                None => {
                    return Err(AppError::new(
                        ErrorCode::GuardianConsentRequired,
                        "registrants under 14 need a guardian's consent first (POST /guardian-consents)",
                    ))
                }
            }
        }
    };
    let row = event_registrations::ActiveModel {
        id: Set(RegistrationId::generate().into_inner()),
        event_id: Set(event.id.clone()),
        user_id: Set(user.to_string()),
        status: Set(RegistrationStatus::Pending),
        reason: Set(None),
        real_name: Set(sealed.real_name),
        gender: Set(given.gender.map(Into::into)),
        contact_phone: Set(sealed.contact_phone),
        national_id: Set(sealed.national_id),
        national_id_index: Set(sealed.national_id_index),
        shipping_address: Set(sealed.shipping_address),
        city: Set(given.city.map(|c| c.trim().to_owned())),
        created_at: Set(now),
        decided_at: Set(None),
        erased_at: Set(None),
        guardian_consent_at: Set(guardian_consent_at),
    };
    match row.insert(db).await {
        Ok(row) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(AppError::new(
            ErrorCode::Conflict,
            "already registered for this event (this account, or this person)",
        )),
        Err(err) => Err(err.into()),
    }
}

/// My registrations, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    page: &PageParams,
) -> AppResult<Vec<event_registrations::Model>> {
    let mut query = event_registrations::Entity::find()
        .filter(event_registrations::Column::UserId.eq(user.as_str()));
    if let Some(after) = &page.after {
        query = query.filter(event_registrations::Column::Id.lt(after.as_str()));
    }
    Ok(query
        .order_by_desc(event_registrations::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// One of mine; someone else's is not found.
pub async fn one_of_mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    id: &RegistrationId,
) -> AppResult<event_registrations::Model> {
    event_registrations::Entity::find_by_id(id.as_str())
        .filter(event_registrations::Column::UserId.eq(user.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("registration"))
}

/// Withdraws one of mine: cancelled, and what I gave erased at once; a
/// place it held goes to the first on the waiting list. Answers whom that
/// approved, to notify.
pub async fn withdraw(
    db: &sea_orm::DatabaseConnection,
    user: &UserId,
    id: &RegistrationId,
) -> AppResult<Vec<(String, String)>> {
    use sea_orm::TransactionTrait;
    let event = EventId::from_stored(one_of_mine(db, user, id).await?.event_id);
    let txn = db.begin().await?;
    super::review::hold(&txn, &event).await?;
    let row = one_of_mine(&txn, user, id).await?;
    if row.status == RegistrationStatus::Cancelled {
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    erase_where(&txn, event_registrations::Column::Id.eq(row.id.as_str())).await?;
    let subjects = Some(vec![row.event_id.clone()]);
    guardian::forget(&txn, "event", subjects, Some(user.as_str())).await?;
    let promoted = match row.status {
        RegistrationStatus::Approved => super::review::promote(&txn, &row.event_id, None).await?,
        _ => Vec::new(),
    };
    txn.commit().await?;
    Ok(promoted)
}

/// Every registration of `user` leaves (cancelled and erased, or, with
/// `delete`, deleted), inside the caller's transaction; the places their
/// approvals held go to the waiting lists. Answers the rows, and the
/// registrants moved up (`(user, registration)`), to tell once committed.
pub async fn leave_all(
    txn: &sea_orm::DatabaseTransaction,
    user: &str,
    delete: bool,
) -> AppResult<(u64, Vec<(String, String)>)> {
    let approved: Vec<String> = event_registrations::Entity::find()
        .select_only()
        .column(event_registrations::Column::EventId)
        .filter(event_registrations::Column::UserId.eq(user))
        .filter(event_registrations::Column::Status.eq(RegistrationStatus::Approved))
        .into_tuple()
        .all(txn)
        .await?;
    for event in &approved {
        super::review::hold(txn, &EventId::from_stored(event.clone())).await?;
    }
    let filter = event_registrations::Column::UserId.eq(user);
    let rows = if delete {
        event_registrations::Entity::delete_many()
            .filter(filter)
            .exec(txn)
            .await?
            .rows_affected
    } else {
        erase_where(txn, filter).await?
    };
    let mut promoted = Vec::new();
    for event in &approved {
        promoted.extend(super::review::promote(txn, event, None).await?);
    }
    // A guardian's consent served these registrations only.
    guardian::forget(txn, "event", None, Some(user)).await?;
    Ok((rows, promoted))
}

/// What a registration holds, decrypted: for its registrant, and for staff
/// to mask or reveal.
pub fn open_details(
    state: &crate::state::AppState,
    r: &event_registrations::Model,
) -> AppResult<super::views::RegistrationDetails> {
    let open = |v: &Option<String>| state.crypto.decrypt_opt(v).map_err(AppError::internal);
    Ok(super::views::RegistrationDetails {
        real_name: open(&r.real_name)?,
        gender: r.gender.map(Into::into),
        contact_phone: open(&r.contact_phone)?,
        national_id_number: open(&r.national_id)?,
        shipping_address: open(&r.shipping_address)?,
        city: r.city.clone(),
    })
}

/// Cancels the registrations `filter` selects and erases their personal
/// values: the status and times stay, until retention closes the event out.
pub async fn erase_where(
    db: &impl ConnectionTrait,
    filter: sea_orm::sea_query::SimpleExpr,
) -> AppResult<u64> {
    let update = event_registrations::Entity::update_many()
        .col_expr(
            event_registrations::Column::RealName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::Gender,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::ContactPhone,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::NationalId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::NationalIdIndex,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::ShippingAddress,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::City,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            event_registrations::Column::GuardianConsentAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            event_registrations::Column::ErasedAt,
            Expr::value(Utc::now()),
        )
        .filter(filter)
        .filter(event_registrations::Column::ErasedAt.is_null());
    let update = update.col_expr(
        event_registrations::Column::Status,
        Expr::value(RegistrationStatus::Cancelled),
    );
    Ok(update.exec(db).await?.rows_affected)
}

/// The title of each event among `rows`, for the export.
pub async fn titles(
    db: &impl ConnectionTrait,
    rows: &[event_registrations::Model],
) -> AppResult<std::collections::HashMap<String, String>> {
    let ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
    Ok(events::Entity::find()
        .filter(events::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.title))
        .collect())
}
