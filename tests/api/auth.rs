//! Registration and login: SMS codes, credentials, and how the phone is
//! stored.
use agora::platform::ratelimit::ActionClass;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, fields, json_of, new_phone, notice_version, set_limit,
    spawn_app, spawn_app_with, timestamp_cast, PASSWORD, TEST_CODE,
};

fn registration(phone: &str) -> Value {
    json!({
        "phone": phone,
        "sms_code": TEST_CODE,
        "password": PASSWORD,
        "nickname": "米粉",
        "accepted_notice_version": notice_version(),
        "consents": ["account"],
    })
}

#[tokio::test]
async fn a_new_user_registers_with_an_sms_code_and_sees_their_account() {
    let app = spawn_app().await;
    let phone = new_phone();
    assert_eq!(app.send_code(&phone, "register").await.status(), 202);
    let resp = app.register_raw(registration(&phone)).await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 43, "a 256-bit token");
    assert!(body["expires_at"].is_string());
    assert_eq!(body["user"]["nickname"], "米粉");
    assert_eq!(body["user"]["role"], "user");
    assert_eq!(body["user"]["accepted_notice_version"], notice_version());

    let me: Value = json_of(app.me(token).await).await;
    assert_eq!(me["id"], body["user"]["id"]);
    let masked = me["phone_masked"].as_str().unwrap();
    assert!(
        masked.starts_with("+86") && masked.contains("****"),
        "{masked}"
    );
    assert!(
        !masked.contains(&phone[3..7]),
        "the middle digits are hidden"
    );
}

#[tokio::test]
async fn the_phone_is_stored_encrypted_never_in_clear() {
    let app = spawn_app().await;
    let user = app.register().await;
    let backend = app.state.db.get_database_backend();
    use sea_orm::ConnectionTrait;
    let row = app
        .state
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            format!(
                "SELECT phone_ciphertext, phone_blind_index FROM users WHERE id = '{}'",
                user.id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    let cipher: String = row.try_get("", "phone_ciphertext").unwrap();
    let index: String = row.try_get("", "phone_blind_index").unwrap();
    for stored in [&cipher, &index] {
        assert!(!stored.contains(&user.phone));
        assert!(!stored.contains(&user.phone[3..]));
    }
    assert_eq!(
        app.state.crypto.decrypt(&cipher).unwrap(),
        format!("+86{}", user.phone)
    );
}

#[tokio::test]
async fn registering_a_taken_phone_is_a_409_only_for_the_phones_holder() {
    let app = spawn_app_with(|c| {
        set_limit(c, ActionClass::SmsPhone, "5/1m");
    })
    .await;
    let user = app.register().await;
    // Asking for a register code does not tell whether the number is taken…
    assert_eq!(app.send_code(&user.phone, "register").await.status(), 202);
    // …a wrong code does not either…
    let mut guess = registration(&user.phone);
    guess["sms_code"] = json!("000000");
    assert_problem(app.register_raw(guess).await, 400, "sms_code_invalid").await;
    // …only the code sent to the phone does, in any spelling of the number.
    let resp = app
        .register_raw(registration(&format!("+86 {}", user.phone)))
        .await;
    let body = assert_problem(resp, 409, "phone_taken").await;
    assert_eq!(fields(&body), ["phone"]);
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn bad_phone_weak_password_and_missing_nickname_are_named() {
    let app = spawn_app().await;
    let resp = app.send_code("12345", "register").await;
    let body = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&body), ["phone"]);

    let phone = new_phone();
    app.send_code(&phone, "register").await;
    let mut body = registration(&phone);
    body["password"] = json!("short");
    let resp = app.register_raw(body).await;
    assert_invalid(resp, "password", Some("weak_password")).await;

    let mut body = registration(&phone);
    body["nickname"] = json!("   ");
    assert_invalid(app.register_raw(body).await, "nickname", None).await;

    // Nothing was written, and the code is still good.
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.register_raw(registration(&phone)).await.status(), 201);
}

#[tokio::test]
async fn a_wrong_code_counts_down_and_five_misses_burn_it() {
    let app = spawn_app().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    for left in (0..5).rev() {
        let mut body = registration(&phone);
        body["sms_code"] = json!("000000");
        let problem = assert_problem(app.register_raw(body).await, 400, "sms_code_invalid").await;
        assert_eq!(fields(&problem), ["sms_code"]);
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{left} attempts left")));
    }
    // Even the right code no longer works.
    let problem = assert_problem(
        app.register_raw(registration(&phone)).await,
        400,
        "sms_code_exhausted",
    )
    .await;
    assert_eq!(fields(&problem), ["sms_code"]);
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = spawn_app().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    use sea_orm::ConnectionTrait;
    // Five minutes pass.
    let past = (chrono::Utc::now() - chrono::Duration::minutes(6)).to_rfc3339();
    let cast = timestamp_cast();
    let sql = format!("UPDATE sms_codes SET expires_at = '{past}'{cast}");
    app.state.db.execute_unprepared(&sql).await.unwrap();
    let problem = assert_problem(
        app.register_raw(registration(&phone)).await,
        400,
        "sms_code_expired",
    )
    .await;
    assert_eq!(fields(&problem), ["sms_code"]);
}

#[tokio::test]
async fn a_code_works_once_and_only_for_its_purpose() {
    let app = spawn_app().await;
    let phone = new_phone();
    app.send_code(&phone, "register").await;
    // A register code cannot log in.
    let user_resp = app.register_raw(registration(&phone)).await;
    assert_eq!(user_resp.status(), 201);
    let resp = app.login_by_code(&phone).await;
    assert_problem(resp, 400, "sms_code_expired").await;
}

#[tokio::test]
async fn users_log_in_with_password_or_sms_code() {
    // The register code went out a moment ago: allow a second SMS at once.
    let app = spawn_app_with(|c| {
        set_limit(c, ActionClass::SmsPhone, "5/1m");
    })
    .await;
    let user = app.register().await;
    let resp = app.login(&user.phone, PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["id"], user.id.as_str());
    assert_ne!(body["token"], user.token.as_str());

    assert_eq!(app.send_code(&user.phone, "login").await.status(), 202);
    let resp = app.login_by_code(&user.phone).await;
    assert_eq!(resp.status(), 200);
    // The code is used up.
    let resp = app.login_by_code(&user.phone).await;
    assert_problem(resp, 400, "sms_code_expired").await;
}

#[tokio::test]
async fn a_wrong_password_or_unknown_phone_is_401_naming_the_field() {
    let app = spawn_app().await;
    let user = app.register().await;
    let problem = assert_problem(
        app.login(&user.phone, "wrong password").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(fields(&problem), ["password"]);
    let problem = assert_problem(
        app.login(&new_phone(), PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(fields(&problem), ["password"]);
}

#[tokio::test]
async fn login_needs_exactly_one_credential() {
    let app = spawn_app().await;
    let user = app.register().await;
    let resp = app
        .login_with(json!({ "consents": ["account"], "phone": user.phone }))
        .await;
    assert_invalid(resp, "password", None).await;
    let resp = app.login_with(json!({ "consents": ["account"], "phone": user.phone, "password": PASSWORD, "sms_code": TEST_CODE })).await;
    assert_invalid(resp, "sms_code", None).await;
}

#[tokio::test]
async fn a_login_code_for_an_unknown_number_gets_the_same_answer_but_cannot_log_in() {
    let app = spawn_app().await;
    let phone = new_phone();
    assert_eq!(app.send_code(&phone, "login").await.status(), 202);
    let resp = app.login_by_code(&phone).await;
    let problem = assert_problem(resp, 401, "invalid_credentials").await;
    assert_eq!(fields(&problem), ["sms_code"]);
}

#[tokio::test]
async fn an_sms_test_code_is_refused_with_a_real_sender() {
    let figment = figment::Figment::from(figment::providers::Serialized::defaults(
        agora::config::Config::default(),
    ))
    .merge(("sms_sender", "aliyun"))
    .merge(("sms_test_code", "123456"));
    let err = agora::config::Config::from_figment(figment).unwrap_err();
    assert!(err.to_string().contains("AGORA_SMS_TEST_CODE"), "{err}");
}

#[tokio::test]
async fn guesses_are_capped_per_phone_across_fresh_codes() {
    let app = spawn_app_with(|c| {
        for (class, spec) in [
            (ActionClass::SmsPhone, "100/1m"),
            (ActionClass::SmsVerify, "6/1d"),
        ] {
            set_limit(c, class, spec);
        }
    })
    .await;
    let phone = new_phone();
    for _ in 0..2 {
        // A fresh code resets its own five attempts, but not the daily cap.
        app.send_code(&phone, "register").await;
        for _ in 0..3 {
            let mut body = registration(&phone);
            body["sms_code"] = json!("000000");
            assert_eq!(app.register_raw(body).await.status(), 400);
        }
    }
    app.send_code(&phone, "register").await;
    assert_problem(
        app.register_raw(registration(&phone)).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn no_sms_code_is_sent_for_a_feature_that_does_not_exist_yet() {
    let app = spawn_app().await;
    // Guardian consent arrives with events; until then the purpose is refused.
    let resp = app.send_code(&new_phone(), "guardian").await;
    assert_invalid(resp, "purpose", None).await;
    assert_eq!(app.count("sms_codes").await, 0);
}
