//! Guardian consent for a user under 14 (PIPL art. 31): a code goes to the
//! guardian's phone, and its return proves the guardian agreed. Nothing of
//! the guardian stays anywhere: the code is not stored but derived (a keyed
//! hash of the user, the subject, the guardian's number and a ten-minute
//! window), so checking it needs no record; the SMS leaves no log line with
//! the number or the text; limits are keyed by the user, never the number.
//! What stays is only that consent was given, for what, and when.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::guardian_consents;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use subtle::ConstantTimeEq;

use super::phone::Phone;
use crate::{
    error::{AppError, AppResult, ErrorCode},
    ids::UserId,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// How long a code lasts: its window and the one before.
const WINDOW_SECS: i64 = 600;

/// What a guardian consents to: a kind of subject and its id.
pub struct Subject<'a> {
    pub kind: &'static str,
    pub id: &'a str,
}

/// The code for `phone` in `window`: six digits of a keyed hash, or the
/// configured test code (the `log` SMS sender only).
fn code(
    state: &AppState,
    user: &UserId,
    subject: &Subject<'_>,
    phone: &Phone,
    window: i64,
) -> String {
    if let Some(test) = &state.config.sms_test_code {
        return test.expose().to_owned();
    }
    let input = format!(
        "{user}|{}|{}|{}|{window}",
        subject.kind,
        subject.id,
        phone.e164()
    );
    let digest = state.crypto.blind_index("guardian_code", &input);
    let number = u64::from_str_radix(&digest[..12], 16).unwrap_or(0) % 1_000_000;
    format!("{number:06}")
}

fn window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(WINDOW_SECS)
}

/// Texts the guardian a code for `subject`.
pub async fn send_code(
    state: &AppState,
    user: &UserId,
    subject: &Subject<'_>,
    phone: &Phone,
) -> AppResult<()> {
    let code = code(state, user, subject, phone, window(Utc::now()));
    let text = format!("Your child asks for your consent on agora. The code is {code}; tell it to them only if you agree.");
    state
        .sms
        .send_untraced(phone.e164(), &text)
        .await
        .map_err(AppError::internal)
}

/// Records the guardian's consent if `given` is the code of this window or
/// the one before; answers when it was given.
pub async fn consent(
    state: &AppState,
    user: &UserId,
    subject: &Subject<'_>,
    phone: &Phone,
    given: &str,
) -> AppResult<DateTime<Utc>> {
    // Microseconds: what every database keeps, so that the time answered
    // is the time stored.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let current = window(now);
    let matches = [current, current - 1].into_iter().any(|w| {
        let expected = code(state, user, subject, phone, w);
        bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    });
    if !matches {
        return Err(AppError::new(
            ErrorCode::SmsCodeInvalid,
            "the guardian's code is wrong or has expired",
        ));
    }
    guardian_consents::Entity::insert(guardian_consents::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(user.to_string()),
        subject_kind: Set(subject.kind.to_owned()),
        subject_id: Set(subject.id.to_owned()),
        given_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            guardian_consents::Column::UserId,
            guardian_consents::Column::SubjectKind,
            guardian_consents::Column::SubjectId,
        ])
        .update_column(guardian_consents::Column::GivenAt)
        .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    Ok(now)
}

/// When a guardian consented to `subject` for `user`, if one did.
pub async fn given(
    db: &impl ConnectionTrait,
    user: &UserId,
    subject: &Subject<'_>,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(guardian_consents::Entity::find()
        .filter(guardian_consents::Column::UserId.eq(user.as_str()))
        .filter(guardian_consents::Column::SubjectKind.eq(subject.kind))
        .filter(guardian_consents::Column::SubjectId.eq(subject.id))
        .one(db)
        .await?
        .map(|c| c.given_at))
}

/// One consent a guardian gave for me, in the export.
#[derive(Debug, poem_openapi::Object)]
pub struct ExportedGuardianConsent {
    pub subject_kind: String,
    pub subject_id: String,
    pub given_at: DateTime<Utc>,
}

/// Guardian consents as personal data (the fact, never the guardian).
pub struct GuardianData;

#[async_trait]
impl PersonalData for GuardianData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedGuardianConsent>>(
            "guardian_consents",
        )]
    }

    fn items(&self) -> &'static [&'static str] {
        &[]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["guardian_consents"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, serde_json::Value)>> {
        let rows = guardian_consents::Entity::find()
            .filter(guardian_consents::Column::UserId.eq(user.as_str()))
            .all(&state.db)
            .await?;
        let items: Vec<ExportedGuardianConsent> = rows
            .into_iter()
            .map(|r| ExportedGuardianConsent {
                subject_kind: r.subject_kind,
                subject_id: r.subject_id,
                given_at: r.given_at,
            })
            .collect();
        Ok(vec![Section::value("guardian_consents", &items)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let rows = guardian_consents::Entity::delete_many()
            .filter(guardian_consents::Column::UserId.eq(erasure.user.as_str()))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(AfterCommit::rows(rows))
    }
}
