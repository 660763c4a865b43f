//! One-time SMS codes: 6 digits, valid 5 minutes, 5 attempts. Stored as a
//! keyed hash next to the phone's blind index, never in clear.
use chrono::{Duration, Utc};
use entity::sms_codes;
use poem_openapi::Enum;
use rand::Rng;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use subtle::ConstantTimeEq;

use super::{phone::Phone, refusals::Refusal};
use crate::{
    error::{AppError, AppResult, ErrorCode, Invalid},
    state::AppState,
};

pub const CODE_TTL_MINUTES: i64 = 5;
pub const MAX_ATTEMPTS: i32 = 5;

// A guardian's consent code arrives with the events that consume it:
// nothing sends codes for a feature that does not exist yet.
/// What a code will be used for; a code only works for its purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SmsPurpose {
    Register,
    Login,
    Deregister,
}

crate::convert::mirror!(
    SmsPurpose,
    entity::enums::SmsPurpose,
    [Register, Login, Deregister]
);

pub fn phone_index(state: &AppState, phone: &Phone) -> String {
    state.crypto.blind_index("phone", phone.e164())
}

/// Replaces any earlier code for this phone and purpose; sends the SMS when
/// `deliver` (a login code for an unknown number is stored, not sent).
pub async fn issue(
    state: &AppState,
    phone: &Phone,
    purpose: SmsPurpose,
    deliver: bool,
) -> AppResult<()> {
    let code = match &state.config.sms_test_code {
        Some(code) => code.expose().to_owned(),
        None => format!("{:06}", rand::thread_rng().gen_range(0..1_000_000)),
    };
    let index = phone_index(state, phone);
    let now = Utc::now();
    let row = sms_codes::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        phone_blind_index: Set(index.clone()),
        purpose: Set(purpose.into()),
        code_hash: Set(state.crypto.code_hash(&index, &code)),
        attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(CODE_TTL_MINUTES)),
        consumed_at: Set(None),
    };
    let txn = state.db.begin().await?;
    sms_codes::Entity::delete_many()
        .filter(sms_codes::Column::PhoneBlindIndex.eq(&index))
        .filter(sms_codes::Column::Purpose.eq(entity::enums::SmsPurpose::from(purpose)))
        .exec(&txn)
        .await?;
    sms_codes::Entity::insert(row).exec(&txn).await?;
    txn.commit().await?;
    if deliver {
        let text = format!(
            "[agora] Your code is {code}. It expires in {CODE_TTL_MINUTES} minutes. Never share it."
        );
        let to = phone.e164().to_owned();
        state
            .sms
            .send(&to, &text)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}

/// Checks a code and uses it up. Runs outside any caller transaction on
/// purpose: a wrong attempt must count even when the caller rolls back.
pub async fn consume(
    state: &AppState,
    index: &str,
    purpose: SmsPurpose,
    code: &str,
) -> AppResult<()> {
    check(state, index, purpose, code)
        .await?
        .map_err(|invalid| Refusal::SmsCode(invalid).into())
}

async fn check(
    state: &AppState,
    index: &str,
    purpose: SmsPurpose,
    code: &str,
) -> AppResult<Result<(), Invalid>> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Err(Invalid::new("invalid_format", "must be 6 digits")));
    }
    // A new code resets its own five attempts; this caps guesses per phone
    // across codes.
    crate::api::check_limit(
        state,
        crate::platform::ratelimit::ActionClass::SmsVerify,
        index,
    )
    .await?;
    let expired = || {
        Invalid::of(
            ErrorCode::SmsCodeExpired,
            "expired",
            "has expired or was never sent; request a new one",
        )
    };
    let db = &state.db;
    let Some(row) = sms_codes::Entity::find()
        .filter(sms_codes::Column::PhoneBlindIndex.eq(index))
        .filter(sms_codes::Column::Purpose.eq(entity::enums::SmsPurpose::from(purpose)))
        .filter(sms_codes::Column::ConsumedAt.is_null())
        .order_by_desc(sms_codes::Column::CreatedAt)
        .one(db)
        .await?
    else {
        return Ok(Err(expired()));
    };
    if row.expires_at < Utc::now() {
        return Ok(Err(expired()));
    }
    if row.attempts >= MAX_ATTEMPTS {
        return Ok(Err(exhausted()));
    }
    let expected = state.crypto.code_hash(index, code);
    if !bool::from(expected.as_bytes().ct_eq(row.code_hash.as_bytes())) {
        let counted = bump_attempts(db, &row.id).await?;
        if !counted {
            return Ok(Err(exhausted()));
        }
        let left = MAX_ATTEMPTS - row.attempts - 1;
        return Ok(Err(Invalid::of(
            ErrorCode::SmsCodeInvalid,
            "invalid",
            format!("is wrong; {left} attempts left"),
        )));
    }
    // Only one request can consume a code, however many race for it.
    let used = sms_codes::Entity::update_many()
        .col_expr(sms_codes::Column::ConsumedAt, Expr::value(Utc::now()))
        .filter(sms_codes::Column::Id.eq(&row.id))
        .filter(sms_codes::Column::ConsumedAt.is_null())
        .filter(sms_codes::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Ok(Err(expired()));
    }
    Ok(Ok(()))
}

fn exhausted() -> Invalid {
    Invalid::of(
        ErrorCode::SmsCodeExhausted,
        "exhausted",
        "was entered wrongly too often; request a new one",
    )
}

async fn bump_attempts(db: &impl ConnectionTrait, id: &str) -> AppResult<bool> {
    let res = sms_codes::Entity::update_many()
        .col_expr(
            sms_codes::Column::Attempts,
            Expr::col(sms_codes::Column::Attempts).add(1),
        )
        .filter(sms_codes::Column::Id.eq(id))
        .filter(sms_codes::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
