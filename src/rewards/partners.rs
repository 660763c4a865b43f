//! Partner tasks: a user asks agora for a ticket, hands it to the
//! partner's app (a link, a QR code), and once they tried it the partner
//! calls back, signed with its secret, carrying the ticket. The ticket is
//! encrypted by agora and says nothing to the partner: no user id, no
//! phone number, nothing the partner could link to another ticket, so the
//! partner learns only that someone with a ticket tried its app.
use chrono::{DateTime, Duration, Utc};
use entity::{enums::TaskKind, reward_partners as partners};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{refusals::Refusal, tasks};
use crate::{
    error::{AppError, AppResult},
    ids::{PartnerId, TaskId},
    platform::crypto::Crypto,
    state::AppState,
};

/// How long a ticket can be handed in.
const TICKET_DAYS: i64 = 7;
/// How far a callback's timestamp may be from agora's clock.
const SKEW_SECS: i64 = 300;

pub async fn find(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<partners::Model>> {
    Ok(partners::Entity::find_by_id(id).one(db).await?)
}

/// A new partner and its secret, which the caller shows once.
pub async fn create(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    name: &str,
) -> AppResult<(partners::Model, String)> {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = hex::encode(raw);
    let row = partners::ActiveModel {
        id: Set(PartnerId::generate().into_inner()),
        name: Set(name.trim().to_owned()),
        secret: Set(crypto.encrypt(&secret)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok((row, secret))
}

/// What a ticket holds, sealed.
#[derive(Serialize, Deserialize)]
struct Sealed {
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
        .is_ok_and(|at| (Utc::now().timestamp() - at).abs() <= SKEW_SECS);
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

/// A signed callback: `partner` says the holder of `ticket` tried its
/// app. Credits the ticket's task to its holder, once ever.
pub async fn callback(
    state: &AppState,
    partner: &str,
    (timestamp, signature): (&str, &str),
    body: &[u8],
    ticket: &str,
) -> AppResult<entity::coin_ledger::Model> {
    // An unknown partner is refused as a bad signature: the route says
    // nothing about which partners exist.
    let row = find(&state.db, partner).await?;
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
    // Its holder may have left since.
    let holder = vec![sealed.user.clone()];
    if crate::identity::profiles::existing(&state.db, holder)
        .await?
        .is_empty()
    {
        return Err(Refusal::BadTicket.into());
    }
    if task.starts_at > now || task.ends_at.is_some_and(|end| end <= now) {
        return Err(Refusal::NotActive.into());
    }
    tasks::credit(state, &sealed.user, &task).await
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
