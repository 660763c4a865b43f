//! What identity refuses, as facts of its own domain: the services say
//! *what* was wrong and never name a request field. The table below is the
//! API edge's one mapping from each refusal to the problem a client sees.
//! Rules of single values (a phone number, a password, an SMS code) are
//! [`Invalid`](crate::error::Invalid)s that the edge places with `.at(…)`.
use crate::error::{AppError, ErrorCode, Invalid};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A "guardian" number that is the user's own.
    OwnPhoneAsGuardian,
    /// The phone number has an account already.
    PhoneTaken,
    /// Login: no such account, or the password is wrong (one answer for
    /// both, so that it tells nothing about who is registered).
    LoginPasswordWrong,
    /// Login: the code was right but no account has this phone number.
    LoginNoAccount,
    /// Confirming an action of a signed-in account: the password is wrong.
    PasswordWrong,
    /// The avatar is not a picture this user uploaded as one.
    UnknownAvatar,
    /// The SMS code is malformed, wrong, expired or used up.
    SmsCode(Invalid),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        use Refusal::*;
        let credentials = |field: &str, message: &str| {
            AppError::field(
                ErrorCode::InvalidCredentials,
                field,
                "invalid_credentials",
                message,
            )
        };
        match refusal {
            OwnPhoneAsGuardian => AppError::invalid(
                "guardian_phone",
                "own_phone",
                "is your own number: your guardian's is needed",
            ),
            PhoneTaken => AppError::field(
                ErrorCode::PhoneTaken,
                "phone",
                "taken",
                "is already registered; log in instead",
            ),
            LoginPasswordWrong => {
                credentials("password", "the phone number or this credential is wrong")
            }
            LoginNoAccount => {
                credentials("sms_code", "the phone number or this credential is wrong")
            }
            // A signed-in account confirming an action: 403, since a 401
            // would read as "signed out" to a client.
            PasswordWrong => AppError::field(
                ErrorCode::WrongPassword,
                "password",
                "wrong_password",
                "the password is wrong",
            ),
            UnknownAvatar => AppError::field(
                ErrorCode::NotFound,
                "avatar_upload_id",
                "unknown_upload",
                "is not a picture you uploaded as an avatar (POST /uploads/avatar)",
            ),
            SmsCode(invalid) => {
                AppError::field(invalid.kind, "sms_code", invalid.code, invalid.message)
            }
        }
    }
}
