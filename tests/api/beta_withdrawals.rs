//! Beta applications leaving while staff decide: a withdrawal or a
//! deregistration request racing a decision never leaves a tester whose
//! details were erased, nor a place counted twice; a deregistration
//! request withdraws what still waits at once and keeps a tester's place
//! until the erasure (a cancellation would miss it).
use futures_util::join;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{
    expect_status, generous_limits, program_body, spawn_app_with, HasId, TestApp, TestUser,
};

/// `(status, whether the contact phone is still stored)` of an application.
async fn state_of(app: &TestApp, application: &str) -> (String, bool) {
    let kept = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM beta_applications WHERE id = '{application}' AND contact_phone IS NOT NULL"
        ))
        .await;
    let status: String = {
        use sea_orm::ConnectionTrait;
        let backend = app.state.db.get_database_backend();
        let sql = format!("SELECT status FROM beta_applications WHERE id = '{application}'");
        let row = app
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };
    (status, kept == 1)
}

async fn approved_in(app: &TestApp, program: &str) -> i64 {
    app.sql_count(&format!(
        "SELECT COUNT(*) FROM beta_applications WHERE program_id = '{program}' AND status = 'approved'"
    ))
    .await
}

#[tokio::test]
async fn a_decision_racing_a_withdrawal_never_leaves_an_erased_tester_or_a_place_counted_twice() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    for round in 0..6 {
        let program = app.open_program(&program_body(1)).await;
        let (user, created) = app
            .beta_applicant(&program, &format!("1391234{round:04}"))
            .await;
        let id = created.id();
        let path = format!("/me/beta-applications/{id}");
        let (decided, withdrawn) = join!(
            app.decide_beta(&staff, &program, &id, "approve", None),
            app.send_as(&user, Method::DELETE, &path)
        );
        assert!(
            [200, 409].contains(&decided.status().as_u16()),
            "{}",
            decided.status()
        );
        assert_eq!(withdrawn.status(), 204);
        // Whichever came first, the applicant left last: withdrawn, what
        // was given erased, and the place free.
        assert_eq!(state_of(&app, &id).await, ("withdrawn".to_owned(), false));
        assert_eq!(approved_in(&app, &program).await, 0);
    }
}

async fn applicant_with_token(app: &TestApp, program: &str, phone: &str) -> (TestUser, String) {
    let (user, created) = app.beta_applicant(program, phone).await;
    (user, created.id())
}

#[tokio::test]
async fn a_deregistration_request_withdraws_what_waits_and_keeps_a_testers_place_until_the_erasure()
{
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let waiting = app.open_program(&program_body(2)).await;
    let listed = app.open_program(&program_body(2)).await;
    let testing = app.open_program(&program_body(2)).await;
    let (user, pending) = applicant_with_token(&app, &waiting, "13912340001").await;
    let body = crate::helpers::beta_application("13912340001", Some(&["com.tencent.mm"]));
    let on_list: Value =
        expect_status(app.apply_to_program(&user, &listed, &body).await, 201).await;
    let tester: Value =
        expect_status(app.apply_to_program(&user, &testing, &body).await, 201).await;
    let resp = app
        .decide_beta(&staff, &listed, &on_list.id(), "waitlist", None)
        .await;
    expect_status(resp, 200).await;
    let resp = app
        .decide_beta(&staff, &testing, &tester.id(), "approve", None)
        .await;
    expect_status(resp, 200).await;

    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202);
    for id in [pending.clone(), on_list.id()] {
        assert_eq!(state_of(&app, &id).await, ("withdrawn".to_owned(), false));
    }
    assert_eq!(
        state_of(&app, &tester.id()).await,
        ("approved".to_owned(), true),
        "a tester's place waits for the erasure"
    );
    // Staff cannot move what was withdrawn.
    let resp = app
        .decide_beta(&staff, &waiting, &pending, "approve", None)
        .await;
    assert_eq!(resp.status(), 409);
    // Cancelling keeps the place; what was withdrawn stays withdrawn.
    let resp = app
        .send_as(&user, Method::DELETE, "/me/deregistration")
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(state_of(&app, &tester.id()).await.0, "approved");
    assert_eq!(state_of(&app, &pending).await.0, "withdrawn");
}

#[tokio::test]
async fn a_decision_racing_a_deregistration_request_never_erases_a_tester() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    for round in 0..6 {
        let program = app.open_program(&program_body(1)).await;
        let (user, id) = applicant_with_token(&app, &program, &format!("1391235{round:04}")).await;
        let (decided, requested) = join!(
            app.decide_beta(&staff, &program, &id, "approve", None),
            app.request_deregistration(&user, "account", "delete")
        );
        assert_eq!(requested.status(), 202);
        let state = state_of(&app, &id).await;
        match decided.status().as_u16() {
            // Approved first: a tester, kept whole until the erasure.
            200 => assert_eq!(state, ("approved".to_owned(), true)),
            // Withdrawn first: nothing left to decide on.
            409 => assert_eq!(state, ("withdrawn".to_owned(), false)),
            other => panic!("{other}"),
        }
    }
}
