//! The logs: no phone number, password or token ever reaches them.
use serde_json::json;

use crate::helpers::{captured_logs, new_phone, notice_version, spawn_app, PASSWORD};

#[tokio::test]
async fn no_phone_password_or_token_reaches_the_logs() {
    let app = spawn_app().await;
    let phone = new_phone();
    let user = app.register_phone(&phone, "logwatcher").await;
    app.login(&phone, PASSWORD).await;
    app.login(&phone, "a wrong password").await;
    app.send_code(&phone, "login").await;
    app.login_by_code(&phone).await;
    app.register_raw(json!({ "consents": ["account"], "phone": phone, "sms_code": "1", "password": PASSWORD, "nickname": "x", "accepted_notice_version": notice_version() }))
        .await;
    app.me(&user).await;

    let logs = captured_logs();
    // The SMS went out, so the log sender did write something about it.
    assert!(logs.contains("sms sent"), "the log sender wrote nothing");
    let national = &phone;
    let e164 = format!("+86{phone}");
    for secret in [
        national.as_str(),
        e164.as_str(),
        &phone[3..],
        PASSWORD,
        "a wrong password",
        user.token.as_str(),
    ] {
        assert!(!logs.contains(secret), "`{secret}` appears in the logs");
    }
}
