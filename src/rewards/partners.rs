//! Partner tasks: a user asks agora for a ticket, hands it to the
//! partner's app (a link, a QR code), and once they tried it the partner
//! calls back, signed with its secret, carrying the ticket. The ticket is
//! encrypted by agora and says nothing to the partner: no user id, no
//! phone number, nothing the partner could link to another ticket, so the
//! partner learns only that someone with a ticket tried its app.
use chrono::{DateTime, Duration, Utc};
use entity::{enums::TaskKind, reward_partners as partners, reward_ticket_uses as uses};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{refusals::Refusal, tasks};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    ids::{PartnerId, TaskId},
    platform::crypto::Crypto,
    privacy::{registry::AfterCommit, retention::RetentionRule},
    state::AppState,
};

/// How long a ticket can be handed in.
const TICKET_DAYS: i64 = 7;
/// How far a callback's timestamp may be from agora's clock.
const SKEW_SECS: u64 = 300;

pub async fn find(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<partners::Model>> {
    Ok(partners::Entity::find_by_id(id).one(db).await?)
}

/// A fresh signing secret: 32 random bytes, hex.
fn new_secret() -> String {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// A new partner and its secret, which the caller shows once.
pub async fn create(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    name: &str,
) -> AppResult<(partners::Model, String)> {
    let secret = new_secret();
    let row = partners::ActiveModel {
        id: Set(PartnerId::generate().into_inner()),
        name: Set(name.trim().to_owned()),
        secret: Set(crypto.encrypt(&secret)),
        created_at: Set(Utc::now()),
        disabled_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((row, secret))
}

/// A new secret for `id`, which the caller shows once; the old one stops
/// signing at once.
pub async fn rotate(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    id: &PartnerId,
) -> AppResult<String> {
    let secret = new_secret();
    let moved = partners::Entity::update_many()
        .col_expr(
            partners::Column::Secret,
            sea_orm::sea_query::Expr::value(crypto.encrypt(&secret)),
        )
        .filter(partners::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        return Err(AppError::not_found("partner"));
    }
    Ok(secret)
}

/// Suspends `id` (its callbacks are refused, as unsigned ones are) or
/// lifts the suspension.
pub async fn suspend(
    db: &impl ConnectionTrait,
    id: &PartnerId,
    on: bool,
) -> AppResult<partners::Model> {
    let at = on.then(Utc::now);
    let moved = partners::Entity::update_many()
        .col_expr(
            partners::Column::DisabledAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(partners::Column::Id.eq(id.as_str()))
        .exec(db)
        .await?;
    if moved.rows_affected == 0 {
        return Err(AppError::not_found("partner"));
    }
    find(db, id.as_str())
        .await?
        .ok_or_else(|| AppError::not_found("partner"))
}

/// What a ticket holds, sealed: a random id (so that each ticket counts
/// once), its holder, its task and when it expires.
#[derive(Serialize, Deserialize)]
struct Sealed {
    id: String,
    user: String,
    task: String,
    expires: DateTime<Utc>,
}

/// A ticket for `user` to hand to the partner of `task`, and when it
/// expires.
pub async fn ticket(
    state: &AppState,
    user: &str,
    task: &TaskId,
) -> AppResult<(String, DateTime<Utc>)> {
    let task = tasks::find(&state.db, task).await?;
    if task.kind != TaskKind::Partner {
        return Err(AppError::new(
            crate::error::ErrorCode::Conflict,
            "only a partner task has tickets",
        ));
    }
    let expires = Utc::now() + Duration::days(TICKET_DAYS);
    let sealed = Sealed {
        id: uuid::Uuid::new_v4().to_string(),
        user: user.to_owned(),
        task: task.id,
        expires,
    };
    let json = serde_json::to_string(&sealed).map_err(AppError::internal)?;
    Ok((state.crypto.encrypt(&json), expires))
}

/// Whether `signature` (hex) is the partner's HMAC-SHA256 of
/// `{timestamp}.{body}`, and `timestamp` (Unix seconds) is within five
/// minutes of now. Compared in constant time.
fn signed(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|at| Utc::now().timestamp().abs_diff(at) <= SKEW_SECS);
    let Ok(given) = hex::decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    fresh && mac.verify_slice(&given).is_ok()
}

/// Remembers that the ticket `id` was handed in; `false` when it was
/// before.
async fn hand_in(db: &impl ConnectionTrait, id: &str, expires: DateTime<Utc>) -> AppResult<bool> {
    let row = uses::ActiveModel {
        ticket_id: Set(id.to_owned()),
        expires_at: Set(expires),
    };
    let inserted = uses::Entity::insert(row)
        .on_conflict(
            OnConflict::column(uses::Column::TicketId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// A signed callback: `partner` says the holder of `ticket` tried its
/// app. Credits the ticket's task to its holder, once ever. Whether the
/// holder was credited now, had been before through another ticket, or
/// has left, the partner hears the same (it links no tickets); only the
/// same ticket handed in twice is refused.
pub async fn callback(
    state: &AppState,
    partner: &str,
    (timestamp, signature): (&str, &str),
    body: &[u8],
    ticket: &str,
) -> AppResult<()> {
    // An unknown or suspended partner is refused as a bad signature: the
    // route says nothing about which partners exist.
    let row = find(&state.db, partner)
        .await?
        .filter(|p| p.disabled_at.is_none());
    let secret = match &row {
        Some(p) => Some(
            state
                .crypto
                .decrypt(&p.secret)
                .map_err(AppError::internal)?,
        ),
        None => None,
    };
    if !secret.is_some_and(|s| signed(&s, timestamp, body, signature)) {
        return Err(Refusal::BadSignature.into());
    }
    let sealed: Sealed = state
        .crypto
        .decrypt(ticket)
        .ok()
        .and_then(|json| serde_json::from_str(&json).ok())
        .ok_or(Refusal::BadTicket)?;
    let task = tasks::find(&state.db, &TaskId::from_stored(sealed.task)).await?;
    let now = Utc::now();
    if sealed.expires < now || task.partner_id.as_deref() != Some(partner) {
        return Err(Refusal::BadTicket.into());
    }
    if task.starts_at > now || task.ends_at.is_some_and(|end| end <= now) {
        return Err(Refusal::NotActive.into());
    }
    if !hand_in(&state.db, &sealed.id, sealed.expires).await? {
        return Err(Refusal::TicketUsed.into());
    }
    let holder = vec![sealed.user.clone()];
    if crate::identity::profiles::existing(&state.db, holder)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    match tasks::credit(state, &sealed.user, &task, "partner").await {
        Ok(_) => Ok(()),
        Err(err) if err.code == ErrorCode::AlreadyDone => Ok(()),
        Err(err) => {
            // Not credited: the partner may hand the ticket in again.
            uses::Entity::delete_by_id(sealed.id)
                .exec(&state.db)
                .await?;
            Err(err)
        }
    }
}

/// Tickets handed in are remembered until they would have expired.
pub struct ExpiredTickets;

#[async_trait::async_trait]
impl RetentionRule for ExpiredTickets {
    fn name(&self) -> &'static str {
        "partner_ticket_uses"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let rows = uses::Entity::delete_many()
            .filter(uses::Column::ExpiresAt.lt(Utc::now()))
            .exec(&state.db)
            .await?
            .rows_affected;
        Ok(AfterCommit::rows(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn only_the_right_secret_over_the_exact_body_and_a_fresh_time_signs() {
        let now = Utc::now().timestamp().to_string();
        let body = br#"{"ticket":"t"}"#;
        let good = sign("s3cret", &now, body);
        assert!(signed("s3cret", &now, body, &good));
        assert!(!signed("other", &now, body, &good));
        assert!(!signed("s3cret", &now, br#"{"ticket":"u"}"#, &good));
        let old = (Utc::now().timestamp() - 301).to_string();
        assert!(!signed("s3cret", &old, body, &sign("s3cret", &old, body)));
        assert!(!signed("s3cret", &now, body, "not hex"));
    }
}
