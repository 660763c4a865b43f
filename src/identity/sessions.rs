//! Sessions: opaque 256-bit bearer tokens, stored only as SHA-256, with a
//! sliding expiry.
use chrono::{DateTime, Duration, Utc};
use entity::{sessions, users};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::ids::{SessionId, UserId};
use crate::platform::realtime::Control;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    platform::crypto::{random_token, token_hash},
    state::AppState,
};

/// Last-seen is written at most this often per session.
const TOUCH_EVERY_SECS: i64 = 60;

/// What the client says about its device, from the `browsing` headers.
#[derive(Clone, Debug, Default)]
pub struct DeviceInfo {
    pub model: Option<String>,
    pub os_version: Option<String>,
    pub app_version: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    /// Already encrypted.
    pub device_id: Option<String>,
}

/// Trims a header value to something worth storing.
pub fn header_value(value: Option<String>, max: usize) -> Option<String> {
    let cleaned: String = value?
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

pub struct Issued {
    pub token: String,
    pub session: sessions::Model,
}

pub fn ttl(state: &AppState) -> Duration {
    Duration::from_std(state.config.session_ttl).unwrap_or(Duration::days(30))
}

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: &str,
    device: DeviceInfo,
    ttl: Duration,
) -> AppResult<Issued> {
    let token = format!("agr_{}", random_token(32));
    let now = Utc::now();
    let session = sessions::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(user_id.to_owned()),
        token_hash: Set(token_hash(&token)),
        device_model: Set(device.model),
        os_version: Set(device.os_version),
        app_version: Set(device.app_version),
        language: Set(device.language),
        timezone: Set(device.timezone),
        device_id: Set(device.device_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ttl),
    }
    .insert(db)
    .await?;
    Ok(Issued { token, session })
}

/// The user and session behind a token, sliding its expiry forward.
pub async fn authenticate(
    state: &AppState,
    token: &str,
) -> AppResult<(users::Model, sessions::Model)> {
    let found = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(token_hash(token)))
        .find_also_related(users::Entity)
        .one(&state.read_db)
        .await?;
    let Some((session, user)) = found else {
        return Err(AppError::unauthorized(
            "the token is invalid or was revoked",
        ));
    };
    let user = match user {
        Some(user) => user,
        // The join yields no user for a row it could not read, too: ask
        // again, so that an unreadable account is an error, not "revoked".
        None => users::Entity::find_by_id(session.user_id.clone())
            .one(&state.read_db)
            .await?
            .ok_or_else(|| AppError::unauthorized("the token is invalid or was revoked"))?,
    };
    let now = Utc::now();
    if session.expires_at <= now {
        sessions::Entity::delete_by_id(session.id.clone())
            .exec(&state.db)
            .await?;
        return Err(AppError::unauthorized(
            "the session has expired; log in again",
        ));
    }
    if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS
        || should_slide(session.expires_at, now, ttl(state))
    {
        let expires_at = now + ttl(state);
        let touched = sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
            .filter(sessions::Column::Id.eq(session.id.as_str()))
            .exec(&state.db)
            .await?;
        // Revoked by a request running alongside this one.
        if touched.rows_affected == 0 {
            return Err(AppError::unauthorized(
                "the token is invalid or was revoked",
            ));
        }
        let session = sessions::Model {
            last_seen_at: now,
            expires_at,
            ..session
        };
        return Ok((user, session));
    }
    Ok((user, session))
}

/// The live session with this id and its account (no sliding: the caller
/// presented no token, only a session agora handed out itself).
pub async fn live(
    state: &AppState,
    session_id: &str,
) -> AppResult<(users::Model, sessions::Model)> {
    let found = sessions::Entity::find_by_id(session_id.to_owned())
        .find_also_related(users::Entity)
        .one(&state.db)
        .await?;
    match found {
        Some((session, Some(user))) if session.expires_at > Utc::now() => Ok((user, session)),
        Some((session, None)) => Err(AppError::internal(anyhow::anyhow!(
            "session {} has no readable account",
            session.id
        ))),
        _ => Err(AppError::unauthorized("the session has ended")),
    }
}

/// For short lifetimes (tests, kiosks) slide on every use past mid-life.
fn should_slide(expires_at: DateTime<Utc>, now: DateTime<Utc>, ttl: Duration) -> bool {
    expires_at - now < ttl / 2
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: &str,
    page: &PageParams,
) -> AppResult<Vec<sessions::Model>> {
    let mut query = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(sessions::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(sessions::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

/// Revokes one of the user's own sessions; someone else's is "not found".
pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    session_id: &SessionId,
) -> AppResult<()> {
    let res = sessions::Entity::delete_many()
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::not_found("session"));
    }
    Ok(())
}

/// Tells the sockets of sessions that just ended, on every instance, to
/// close (call it once the change committed). The socket's own periodic
/// check is the backstop, should the bus be down.
pub async fn announce_ended(state: &AppState, user_id: &UserId, ended: Control) {
    state
        .realtime
        .send(&[user_id.to_string()], ended.frame())
        .await;
}

/// Revokes every session of the user but `keep`.
pub async fn revoke_others(
    db: &impl ConnectionTrait,
    user_id: &str,
    keep: Option<&SessionId>,
) -> AppResult<u64> {
    let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(sessions::Column::Id.ne(keep));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// `browsing` withdrawn: the device details kept on my sessions go (the
/// sessions themselves stay signed in).
pub struct DeviceEraser;

#[async_trait::async_trait]
impl crate::privacy::consents::WithdrawalEraser for DeviceEraser {
    fn purpose(&self) -> &'static str {
        "browsing"
    }

    async fn erase(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        user_id: &str,
    ) -> AppResult<crate::privacy::registry::AfterCommit> {
        let none = || Expr::value(Option::<String>::None);
        let cleared = sessions::Entity::update_many()
            .col_expr(sessions::Column::DeviceModel, none())
            .col_expr(sessions::Column::OsVersion, none())
            .col_expr(sessions::Column::AppVersion, none())
            .col_expr(sessions::Column::Language, none())
            .col_expr(sessions::Column::Timezone, none())
            .col_expr(sessions::Column::DeviceId, none())
            .filter(sessions::Column::UserId.eq(user_id))
            .exec(txn)
            .await?;
        Ok(crate::privacy::registry::AfterCommit::rows(
            cleared.rows_affected,
        ))
    }
}
