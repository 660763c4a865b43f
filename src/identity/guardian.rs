//! Guardian consent for a user under 14 (PIPL art. 31): a code goes to the
//! guardian's phone, and its return proves the guardian agreed. Nothing of
//! the guardian stays anywhere: the code is not stored but derived (a keyed
//! hash of the user, the subject, the guardian's number and a ten-minute
//! window), so checking it needs no record; the SMS leaves no log line with
//! the number or the text; limits are keyed by the user, never the number.
//! What stays is only that consent was given, for what, and when.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{guardian_consents, users};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter,
};
use subtle::ConstantTimeEq;

use super::phone::Phone;
use crate::{
    error::{AppError, AppResult, ErrorCode},
    ids::UserId,
    platform::crypto::Crypto,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// How long a code lasts: its window and the one before.
const WINDOW_SECS: i64 = 600;

/// Below this age, a guardian consents first (PIPL art. 31).
pub const GUARDIAN_AGE: u32 = 14;

/// What a guardian consents to: a kind of subject and its id.
pub struct Subject<'a> {
    pub kind: &'static str,
    pub id: &'a str,
}

/// The guardian's code for `user` asking consent to `subject`, sent to
/// `phone` in ten-minute `window`: six digits of a keyed hash. There is no
/// test shortcut: a test derives the code with the server's own keys.
pub fn derive(
    crypto: &Crypto,
    user: &str,
    subject: &Subject<'_>,
    phone: &str,
    window: i64,
) -> String {
    let input = format!("{user}|{}|{}|{phone}|{window}", subject.kind, subject.id);
    let digest = crypto.blind_index("guardian_code", &input);
    // A hex HMAC-SHA256: 64 characters; twelve of them are 48 bits.
    let number = digest
        .get(..12)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or(u64::MAX)
        % 1_000_000;
    format!("{number:06}")
}

/// The window a moment falls in.
pub fn window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(WINDOW_SECS)
}

/// Whether `given` is the code of this window or the one before (a code
/// lasts ten to twenty minutes).
pub fn matches(
    crypto: &Crypto,
    user: &str,
    subject: &Subject<'_>,
    phone: &str,
    at: DateTime<Utc>,
    given: &str,
) -> bool {
    let current = window(at);
    [current, current - 1].into_iter().any(|w| {
        let expected = derive(crypto, user, subject, phone, w);
        bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    })
}

/// A guardian is someone else: their number is not the user's own.
async fn someone_else(state: &AppState, user: &UserId, phone: &Phone) -> AppResult<()> {
    let own = users::Entity::find_by_id(user.as_str())
        .one(&state.db)
        .await?
        .is_some_and(|u| u.phone_blind_index == super::sms_codes::phone_index(state, phone));
    if own {
        return Err(super::refusals::Refusal::OwnPhoneAsGuardian.into());
    }
    Ok(())
}

/// Texts the guardian a code for `subject`. A provider's failure is
/// reported without its cause, which may repeat the number or the text.
pub async fn send_code(
    state: &AppState,
    user: &UserId,
    subject: &Subject<'_>,
    phone: &Phone,
) -> AppResult<()> {
    someone_else(state, user, phone).await?;
    let code = derive(
        &state.crypto,
        user.as_str(),
        subject,
        phone.e164(),
        window(Utc::now()),
    );
    let text = request_text(subject, &code);
    if state.sms.send_untraced(phone.e164(), &text).await.is_err() {
        return Err(AppError::internal(anyhow::anyhow!(
            "a guardian's SMS could not be sent"
        )));
    }
    Ok(())
}

/// What the guardian reads: what their child asks to do, what it
/// collects, and the code.
pub fn request_text(subject: &Subject<'_>, code: &str) -> String {
    let what = match subject.kind {
        "prize_claim" => "giving their real name, ID number, phone number and address to receive a prize they redeemed",
        _ => "registering for an official event, which collects their ID number",
    };
    format!(
        "Your child asks you, on agora, to consent to their {what} ({}). If you agree, give them this code: {code}.",
        subject.id
    )
}

/// Records the guardian's consent if `given` is their code; answers when
/// it was given.
pub async fn consent(
    state: &AppState,
    user: &UserId,
    subject: &Subject<'_>,
    phone: &Phone,
    given: &str,
) -> AppResult<DateTime<Utc>> {
    someone_else(state, user, phone).await?;
    // Microseconds: what every database keeps, so that the time answered
    // is the time stored.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    if !matches(
        &state.crypto,
        user.as_str(),
        subject,
        phone.e164(),
        now,
        given,
    ) {
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

/// Forgets the consents given for `subjects` of `kind` (their purpose is
/// over: the event's registrations were erased), or every one of `user`'s
/// for `kind` (their registrations were withdrawn).
pub async fn forget(
    db: &impl ConnectionTrait,
    kind: &str,
    subjects: Option<Vec<String>>,
    user: Option<&str>,
) -> AppResult<u64> {
    let mut query = guardian_consents::Entity::delete_many()
        .filter(guardian_consents::Column::SubjectKind.eq(kind));
    if let Some(subjects) = subjects {
        query = query.filter(guardian_consents::Column::SubjectId.is_in(subjects));
    }
    if let Some(user) = user {
        query = query.filter(guardian_consents::Column::UserId.eq(user));
    }
    Ok(query.exec(db).await?.rows_affected)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guardian_reads_what_their_child_asks_to_do() {
        let prize = Subject {
            kind: "prize_claim",
            id: "c1",
        };
        let text = request_text(&prize, "123456");
        assert!(text.contains("prize") && text.contains("address"), "{text}");
        assert!(!text.contains("event"), "{text}");
        let event = Subject {
            kind: "event",
            id: "e1",
        };
        assert!(request_text(&event, "123456").contains("official event"));
    }

    #[test]
    fn a_code_is_bound_to_the_user_the_subject_the_number_and_its_window() {
        let crypto = Crypto::new(&[7u8; 32]);
        let subject = Subject {
            kind: "event",
            id: "e1",
        };
        let at = Utc::now();
        let code = derive(&crypto, "u1", &subject, "+8613912345678", window(at));
        assert_eq!(code.len(), 6);
        assert!(matches(
            &crypto,
            "u1",
            &subject,
            "+8613912345678",
            at,
            &code
        ));
        // Ten minutes on, still; twenty, no longer.
        let later = at + chrono::Duration::seconds(WINDOW_SECS);
        assert!(matches(
            &crypto,
            "u1",
            &subject,
            "+8613912345678",
            later,
            &code
        ));
        let too_late = at + chrono::Duration::seconds(2 * WINDOW_SECS);
        assert!(!matches(
            &crypto,
            "u1",
            &subject,
            "+8613912345678",
            too_late,
            &code
        ));
        // Another user, event or number: another code.
        let other = Subject {
            kind: "event",
            id: "e2",
        };
        assert!(!matches(
            &crypto,
            "u2",
            &subject,
            "+8613912345678",
            at,
            &code
        ));
        assert!(!matches(&crypto, "u1", &other, "+8613912345678", at, &code));
        assert!(!matches(
            &crypto,
            "u1",
            &subject,
            "+8613912345679",
            at,
            &code
        ));
    }
}
