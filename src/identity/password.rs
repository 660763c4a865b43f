//! Passwords: at least 8 characters, hashed with argon2id (m=19456 KiB,
//! t=2, p=1) off the async runtime.
use std::{fmt, sync::OnceLock};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::error::{AppError, Invalid};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// A password that meets the rules. Its `Debug` never shows it.
pub struct Password(String);

impl Password {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let len = input.chars().count();
        if len < MIN_LEN {
            return Err(Invalid::new(
                "weak_password",
                format!("must be at least {MIN_LEN} characters"),
            ));
        }
        if len > MAX_LEN {
            return Err(Invalid::new(
                "too_long",
                format!("must be at most {MAX_LEN} characters"),
            ));
        }
        Ok(Self(input.to_owned()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: Password) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks `candidate` against `stored`; with no stored hash it still does
/// the work, so that a wrong phone and a wrong password take as long.
pub async fn verify(candidate: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        // A stored hash that does not parse is an error, not a wrong password.
        let parsed = PasswordHash::new(&stored).map_err(|e| {
            AppError::internal(anyhow::anyhow!("a stored password hash is unreadable: {e}"))
        })?;
        Ok(argon2()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
}

/// A signed-in account proves its password again (changing it, closing the
/// account): limited per account like a login, so that the check is no
/// oracle for someone holding a stolen session.
pub async fn confirm(
    state: &crate::state::AppState,
    account: &entity::users::Model,
    candidate: String,
) -> Result<bool, AppError> {
    // The same key a login counts under (the phone's blind index), so
    // that logins and re-checks share one budget of guesses.
    crate::api::check_limit(
        state,
        crate::platform::ratelimit::ActionClass::LoginAccount,
        &account.phone_blind_index,
    )
    .await?;
    verify(candidate, Some(account.password_hash.clone())).await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"not a real password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_agreed_parameters_and_verify() {
        let hashed = hash(Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(
            hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hashed}"
        );
        assert!(verify("correct horse".into(), Some(hashed.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse".into(), Some(hashed)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused_with_their_own_code() {
        let err = Password::parse("short").err();
        assert_eq!(err.as_ref().map(|e| e.code), Some("weak_password"));
        assert!(Password::parse("long enough, surely").is_ok());
    }
}
