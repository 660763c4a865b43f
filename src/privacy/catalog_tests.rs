//! The catalog's own consistency.
use super::*;

#[test]
fn keys_are_unique_and_every_purpose_item_exists() {
    let mut seen = std::collections::HashSet::new();
    for i in ITEMS {
        assert!(seen.insert(i.key), "item {} twice", i.key);
    }
    let mut seen = std::collections::HashSet::new();
    for p in PURPOSES {
        assert!(seen.insert(p.key), "purpose {} twice", p.key);
        for key in p.items {
            assert!(item(key).is_some(), "{} names unknown item {key}", p.key);
        }
    }
}

#[test]
fn optional_purposes_rest_on_consent_and_can_be_withdrawn() {
    for p in PURPOSES
        .iter()
        .filter(|p| p.necessity == Necessity::Optional)
    {
        assert_eq!(p.legal_basis, LegalBasis::Consent, "{}", p.key);
        assert_eq!(p.withdrawal, Withdrawal::Allowed, "{}", p.key);
    }
}

#[test]
fn sensitive_items_need_a_grant_even_for_essential_purposes() {
    let account = purpose("account").unwrap();
    let phone = item("phone_number").unwrap();
    let password = item("password").unwrap();
    assert!(!account.allows(phone, Choice::Unset));
    assert!(account.allows(phone, Choice::Granted));
    assert!(account.allows(password, Choice::Unset));
    let location = purpose("location").unwrap();
    assert!(!location.allows(item("city").unwrap(), Choice::Unset));
}

#[test]
fn a_withdrawn_essential_purpose_stays_withdrawn() {
    let browsing = purpose("browsing").unwrap();
    let model = item("device_model").unwrap();
    assert!(browsing.allows(model, Choice::Unset));
    assert!(!browsing.allows(model, Choice::Refused));
}
