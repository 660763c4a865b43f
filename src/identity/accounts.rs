//! Registration and login.
use chrono::Utc;
use entity::users;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

use super::{
    password::{self, Password},
    phone::Phone,
    profiles::Nickname,
    refusals::Refusal,
    sessions::{self, DeviceInfo, Issued},
    sms_codes::{self, SmsPurpose},
};
use crate::{
    error::{is_unique_violation, AppResult},
    privacy::consents::{self, Action},
    state::AppState,
};

pub struct Registration {
    pub account: NewAccount,
    pub password: Password,
    pub sms_code: String,
    pub device: DeviceInfo,
}

pub async fn find_by_phone(state: &AppState, phone: &Phone) -> AppResult<Option<users::Model>> {
    let index = sms_codes::phone_index(state, phone);
    Ok(users::Entity::find()
        .filter(users::Column::PhoneBlindIndex.eq(index))
        .one(&state.db)
        .await?)
}

/// Creates the account and its first session, or nothing at all.
pub async fn register(state: &AppState, reg: Registration) -> AppResult<(users::Model, Issued)> {
    // The code first: only the phone's holder learns that it is taken.
    let index = sms_codes::phone_index(state, &reg.account.phone);
    sms_codes::consume(state, &index, SmsPurpose::Register, &reg.sms_code).await?;
    if find_by_phone(state, &reg.account.phone).await?.is_some() {
        return Err(Refusal::PhoneTaken.into());
    }
    // Hashed before the transaction: argon2 takes a while, a connection
    // should not wait on it.
    let hash = password::hash(reg.password).await?;
    let txn = state.db.begin().await?;
    let user = open_account(state, &txn, reg.account, hash).await?;
    let issued = sessions::create(&txn, &user.id, reg.device, sessions::ttl(state)).await?;
    txn.commit().await?;
    tracing::info!(user_id = %user.id, "account registered");
    Ok((user, issued))
}

/// What an account starts with.
pub struct NewAccount {
    pub phone: Phone,
    pub nickname: Nickname,
    pub accepted_notice_version: String,
    /// Purposes granted on the form.
    pub consents: Vec<&'static crate::privacy::catalog::Purpose>,
}

/// Creates an account inside `txn`: the row, its consents and its search
/// document, with the password already hashed (before the transaction
/// began: argon2 takes a while). Registration calls it after the SMS code;
/// `seed-demo` calls it directly, so demo accounts are made and indexed
/// like real ones.
pub async fn open_account(
    state: &AppState,
    txn: &DatabaseTransaction,
    account: NewAccount,
    password_hash: String,
) -> AppResult<users::Model> {
    let index = sms_codes::phone_index(state, &account.phone);
    let now = Utc::now();
    let user = users::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        phone_ciphertext: Set(state.crypto.encrypt(account.phone.e164())),
        phone_blind_index: Set(index),
        password_hash: Set(password_hash),
        nickname: Set(account.nickname.into_inner()),
        avatar_upload_id: Set(None),
        gender: Set(None),
        birthday: Set(None),
        region: Set(None),
        signature: Set(None),
        role: Set(entity::enums::Role::User),
        level: Set(1),
        experience: Set(0),
        accepted_notice_version: Set(account.accepted_notice_version),
        created_at: Set(now),
        updated_at: Set(now),
        show_online_status: Set(true),
        deregister_at: Set(None),
        community_closed_at: Set(None),
    };
    let user = match users::Entity::insert(user).exec_with_returning(txn).await {
        Ok(user) => user,
        Err(err) if is_unique_violation(&err) => return Err(Refusal::PhoneTaken.into()),
        Err(err) => return Err(err.into()),
    };
    crate::platform::outbox::enqueue(txn, crate::platform::search_index::DocKind::User, &user.id)
        .await?;
    for purpose in account.consents {
        consents::record(txn, &user.id, purpose, Action::Grant).await?;
    }
    Ok(user)
}

pub enum Credential {
    Password(String),
    SmsCode(String),
}

/// `browsing_in_form`: the login form grants `browsing` again (then its
/// device details are kept even after an earlier withdrawal).
pub async fn login(
    state: &AppState,
    phone: &Phone,
    credential: Credential,
    device: DeviceInfo,
    browsing_in_form: bool,
) -> AppResult<(users::Model, Issued)> {
    let user = find_by_phone(state, phone).await?;
    match credential {
        Credential::Password(candidate) => {
            let stored = user.as_ref().map(|u| u.password_hash.clone());
            if !password::verify(candidate, stored).await? || user.is_none() {
                return Err(Refusal::LoginPasswordWrong.into());
            }
        }
        Credential::SmsCode(code) => {
            let index = sms_codes::phone_index(state, phone);
            sms_codes::consume(state, &index, SmsPurpose::Login, &code).await?;
        }
    }
    let Some(user) = user else {
        return Err(Refusal::LoginNoAccount.into());
    };
    // A withdrawal of `browsing` stays one: this device's details are not
    // kept, unless this very form grants the purpose again.
    let withdrawn = !browsing_in_form
        && crate::privacy::consents::choices(&state.db, &user.id)
            .await?
            .refused
            .contains("browsing");
    let device = if withdrawn {
        DeviceInfo::default()
    } else {
        device
    };
    let issued = sessions::create(&state.db, &user.id, device, sessions::ttl(state)).await?;
    // The level follows the thresholds configured now.
    super::membership::settle(&state.db, &user.id, &state.config.membership_levels).await?;
    tracing::info!(user_id = %user.id, session_id = %issued.session.id, "logged in");
    Ok((user, issued))
}

/// Records, with receipts, the grants a sign-in form carried that the user
/// had not given yet.
pub async fn record_form_grants(
    state: &AppState,
    user_id: &str,
    purposes: &[&'static crate::privacy::catalog::Purpose],
) -> AppResult<()> {
    let held = consents::granted(&state.db, user_id).await?;
    let new: Vec<_> = purposes.iter().filter(|p| !held.contains(p.key)).collect();
    if new.is_empty() {
        return Ok(());
    }
    let txn = state.db.begin().await?;
    for purpose in new {
        consents::record(&txn, user_id, purpose, Action::Grant).await?;
    }
    txn.commit().await?;
    Ok(())
}
