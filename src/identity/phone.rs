//! Phone numbers: parsed, validated and normalised to E.164 once, at the
//! edge. A bare 11-digit mainland number is taken as +86.
use std::fmt;

use phonenumber::{country, Mode};

use crate::{error::Invalid, platform::sms::mask_e164};

#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses what a user typed.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let invalid = || Invalid::new("invalid_phone", "is not a valid phone number");
        let parsed = if let Some(rest) = compact.strip_prefix("00") {
            phonenumber::parse(None, format!("+{rest}"))
        } else if compact.starts_with('+') {
            phonenumber::parse(None, &compact)
        } else if compact.len() == 11 && compact.bytes().all(|b| b.is_ascii_digit()) {
            phonenumber::parse(Some(country::Id::CN), &compact)
        } else {
            return Err(invalid());
        }
        .map_err(|_| invalid())?;
        // SMS codes need a number that can receive SMS.
        let mobile = matches!(
            parsed.number_type(&phonenumber::metadata::DATABASE),
            phonenumber::Type::Mobile | phonenumber::Type::FixedLineOrMobile
        );
        if !phonenumber::is_valid(&parsed) || !mobile {
            return Err(Invalid::new(
                "invalid_phone",
                "is not a valid mobile phone number",
            ));
        }
        Ok(Self(parsed.format().mode(Mode::E164).to_string()))
    }

    /// The E.164 form. Personal data: never log it.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// Safe to show and log: `+86138****8000`.
    pub fn masked(&self) -> String {
        mask_e164(&self.0)
    }
}

/// The stored (encrypted) phone number, decrypted and masked; one that
/// cannot be read is an error (a wrong key, a corrupt row), not `****`.
pub fn masked_from_ciphertext(
    crypto: &crate::platform::crypto::Crypto,
    ciphertext: &str,
) -> crate::error::AppResult<String> {
    crypto
        .decrypt(ciphertext)
        .map(|p| mask_e164(&p))
        .map_err(crate::error::AppError::internal)
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str) -> Option<String> {
        Phone::parse(s).ok().map(|p| p.e164().to_owned())
    }

    #[test]
    fn mainland_numbers_are_normalised_to_plus_86() {
        assert_eq!(e164("13800138000").as_deref(), Some("+8613800138000"));
        assert_eq!(e164("138 0013 8000").as_deref(), Some("+8613800138000"));
        assert_eq!(e164("+86 138-0013-8000").as_deref(), Some("+8613800138000"));
        assert_eq!(e164("008613800138000").as_deref(), Some("+8613800138000"));
    }

    #[test]
    fn international_numbers_keep_their_country() {
        assert_eq!(e164("+44 7911 123456").as_deref(), Some("+447911123456"));
    }

    #[test]
    fn garbage_and_short_numbers_are_refused() {
        for bad in ["", "hello", "12345", "1380013800", "+86 123", "23800138000"] {
            assert!(e164(bad).is_none(), "{bad} should be refused");
        }
    }

    #[test]
    fn masking_hides_the_middle() {
        let phone = Phone::parse("13800138000");
        assert_eq!(
            phone.map(|p| p.masked()).ok().as_deref(),
            Some("+86138****8000")
        );
    }
}
