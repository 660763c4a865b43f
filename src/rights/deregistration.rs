//! Deregistration requests: confirmed by password or SMS code, carried out
//! after a cooling-off during which the user can only cancel.
use chrono::{DateTime, Utc};
use entity::{deregistrations, users};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};

use crate::platform::realtime::Control;
use crate::privacy::registry::{Content, Registries, Scope};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    identity::{
        password,
        refusals::Refusal,
        sessions,
        sms_codes::{self, SmsPurpose},
        AuthUser,
    },
    state::AppState,
};

/// How the user proves it is them.
pub enum Confirmation {
    Password(String),
    SmsCode(String),
}

/// The user's pending request, if any.
pub async fn pending(
    db: &impl ConnectionTrait,
    user: &str,
) -> AppResult<Option<deregistrations::Model>> {
    Ok(deregistrations::Entity::find()
        .filter(deregistrations::Column::UserId.eq(user))
        .filter(deregistrations::Column::CompletedAt.is_null())
        .filter(deregistrations::Column::CancelledAt.is_null())
        .one(db)
        .await?)
}

async fn confirm(state: &AppState, user: &users::Model, how: Confirmation) -> AppResult<()> {
    match how {
        Confirmation::Password(candidate) => {
            if !password::confirm(state, user, candidate).await? {
                return Err(Refusal::PasswordWrong.into());
            }
        }
        Confirmation::SmsCode(code) => {
            sms_codes::consume(
                state,
                &user.phone_blind_index,
                SmsPurpose::Deregister,
                &code,
            )
            .await?;
        }
    }
    Ok(())
}

/// Records the request, marks the account, signs out every other session
/// and lets the areas end what must not wait (their `requested` hooks), at
/// once and together.
pub async fn request(
    state: &AppState,
    registries: &Registries,
    caller: &AuthUser,
    scope: Scope,
    content: Content,
    how: Confirmation,
) -> AppResult<deregistrations::Model> {
    let user = users::Entity::find_by_id(caller.id.to_string())
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::unauthorized("the account no longer exists"))?;
    if pending(&state.db, &user.id).await?.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "a deregistration is already pending",
        ));
    }
    confirm(state, &user, how).await?;
    let now = Utc::now();
    let cooling = chrono::Duration::from_std(state.config.deregistration_cooling_off)
        .unwrap_or(chrono::Duration::days(15));
    let effective_at: DateTime<Utc> = now + cooling;
    let txn = state.db.begin().await?;
    let row = deregistrations::Entity::insert(deregistrations::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        user_id: Set(Some(user.id.clone())),
        scope: Set(scope.into()),
        content: Set(content.into()),
        requested_at: Set(now),
        effective_at: Set(effective_at),
        cancelled_at: Set(None),
        completed_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    users::Entity::update_many()
        .col_expr(users::Column::DeregisterAt, Expr::value(Some(effective_at)))
        .filter(users::Column::Id.eq(user.id.as_str()))
        .exec(&txn)
        .await?;
    sessions::revoke_others(&txn, &user.id, Some(&caller.session_id)).await?;
    for hook in &registries.hooks {
        hook.requested(&txn, &user.id).await?;
    }
    txn.commit().await?;
    // The other sessions are gone, and this one may only cancel: no socket
    // of the account stays open.
    let ended = Control::AllSessionsEnded { except: None };
    sessions::announce_ended(state, &caller.id, ended).await;
    tracing::info!(user_id = %user.id, scope = scope.as_str(), "deregistration requested");
    Ok(row)
}

/// Cancels the pending request during the cooling-off.
pub async fn cancel(state: &AppState, user: &str) -> AppResult<()> {
    let row = pending(&state.db, user)
        .await?
        .ok_or_else(|| AppError::not_found("deregistration"))?;
    if row.effective_at <= Utc::now() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "the cooling-off is over: the deregistration is being carried out",
        ));
    }
    let txn = state.db.begin().await?;
    deregistrations::Entity::update_many()
        .col_expr(
            deregistrations::Column::CancelledAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(deregistrations::Column::Id.eq(row.id.as_str()))
        .exec(&txn)
        .await?;
    users::Entity::update_many()
        .col_expr(
            users::Column::DeregisterAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(users::Column::Id.eq(user))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
