//! Beta programs: admins open them; users apply with a phone, a device
//! model, answers and — only when a program says why — their installed
//! apps; the screening answers at once; staff decide under capacity, see
//! the phone masked and reveal it only with a reason; what applicants gave
//! goes after the program ends, and with the account.
use agora::platform::ratelimit::ActionClass;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, beta_application, beta_program_ended, expect_status,
    generous_limits, items_of, program_body, run_purge, short_cooling_off, spawn_app,
    spawn_app_with, HasId, TestApp, TestUser, NOBODY,
};

fn applications(program: &str) -> String {
    format!("/admin/beta/programs/{program}/applications")
}

async fn kinds_of_notifications(app: &TestApp, user: &TestUser) -> Vec<Value> {
    items_of(&app.get_json_as(user, "/me/notifications").await)
}

#[tokio::test]
async fn an_admin_opens_a_program_and_everyone_reads_what_it_asks_and_why() {
    let app = spawn_app().await;
    let (admin, moderator) = (app.admin().await, app.moderator().await);
    let body = program_body(2);
    let resp = app.post_as(&moderator, "/admin/beta/programs", &body).await;
    assert_problem(resp, 403, "forbidden").await;
    // A program keeps to its own order, and asks for the list only with a
    // reason and something to look for in it.
    let mut bad = body.clone();
    bad["closes_at"] = json!("2020-01-01T00:00:00Z");
    let resp = app.post_as(&admin, "/admin/beta/programs", &bad).await;
    assert_invalid(resp, "closes_at", Some("out_of_order")).await;
    let mut bad = body.clone();
    bad.as_object_mut().unwrap().remove("installed_apps_reason");
    let resp = app.post_as(&admin, "/admin/beta/programs", &bad).await;
    assert_invalid(resp, "installed_apps_reason", Some("required")).await;
    let mut bad = body.clone();
    bad["device_models"] = json!(["Xiaomi 15", "xiaomi 15 "]);
    let resp = app.post_as(&admin, "/admin/beta/programs", &bad).await;
    assert_invalid(resp, "device_models[1]", Some("duplicate")).await;
    assert_eq!(app.count("beta_programs").await, 0, "nothing half-written");

    let created = expect_status(
        app.post_as(&admin, "/admin/beta/programs", &body).await,
        201,
    )
    .await;
    let id = created.id();
    let listed = items_of(&app.get_json("/beta/programs").await);
    assert_eq!(listed.len(), 1);
    let one = app.get_json(&format!("/beta/programs/{id}")).await;
    assert_eq!(one["installed_apps_reason"], body["installed_apps_reason"]);
    assert_eq!(one["watched_apps"][0]["package"], "com.bad.launcher");
    assert_eq!(one["questions"], body["questions"]);
    assert_eq!(one["approved"], 0);

    let path = format!("/admin/beta/programs/{id}");
    let changed = expect_status(
        app.patch_as(&admin, &path, &json!({ "capacity": 3, "min_level": 2 }))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (changed["capacity"].clone(), changed["min_level"].clone()),
        (json!(3), json!(2))
    );
    let cleared = expect_status(
        app.patch_as(&admin, &path, &json!({ "min_level": null }))
            .await,
        200,
    )
    .await;
    assert!(cleared.get("min_level").is_none(), "{cleared}");
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log").await);
    let targets: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e["target_type"] == "beta_program")
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["target_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(targets.len(), 3, "{audit:?}");
    assert!(targets.iter().all(|(_, target)| *target == id));
}

#[tokio::test]
async fn applying_needs_the_grant_an_answer_to_each_question_and_is_screened_at_once() {
    let app = spawn_app_with(generous_limits).await;
    let program = app.open_program(&program_body(5)).await;
    let user = app.register().await;
    let body = beta_application("13912345678", Some(&["com.tencent.mm"]));
    // The phone is sensitive: its purpose is granted first.
    let resp = app.apply_to_program(&user, &program, &body).await;
    assert_problem(resp, 403, "consent_required").await;
    app.grant(&user, "beta_program").await;
    let mut no_answer = body.clone();
    no_answer["answers"] = json!([]);
    let resp = app.apply_to_program(&user, &program, &no_answer).await;
    assert_invalid(resp, "answers", Some("count")).await;
    let mut blank = body.clone();
    blank["answers"] = json!(["  "]);
    assert_invalid(
        app.apply_to_program(&user, &program, &blank).await,
        "answers[0]",
        None,
    )
    .await;
    // Shaped like a number, but no mobile: the service's own check.
    let bad_phone = beta_application("1234567890", Some(&[]));
    let resp = app.apply_to_program(&user, &program, &bad_phone).await;
    assert_invalid(resp, "contact_phone", None).await;
    // A program that says why it checks installed apps needs the list.
    let without = beta_application("13912345678", None);
    let resp = app.apply_to_program(&user, &program, &without).await;
    assert_invalid(resp, "installed_apps", Some("required")).await;
    let mut odd = body.clone();
    odd["installed_apps"] = json!(["not a package"]);
    let resp = app.apply_to_program(&user, &program, &odd).await;
    assert_invalid(resp, "installed_apps[0]", None).await;
    let resp = app.apply_to_program(&user, NOBODY, &body).await;
    assert_problem(resp, 404, "not_found").await;
    // A program that does not ask for installed apps never takes them.
    let mut quiet = program_body(5);
    quiet["watched_apps"] = json!([]);
    quiet
        .as_object_mut()
        .unwrap()
        .remove("installed_apps_reason");
    let quiet = app.open_program(&quiet).await;
    let nosy = beta_application("13912345678", Some(&["com.tencent.mm"]));
    let problem = assert_problem(
        app.apply_to_program(&user, &quiet, &nosy).await,
        422,
        "undeclared_items",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "installed_apps");
    assert_eq!(
        app.count("beta_applications").await,
        0,
        "nothing half-written"
    );

    // Eligible: pending, with which watched apps were there.
    let installed = ["com.tencent.mm", "com.other.store"];
    let eligible = beta_application("13912345678", Some(&installed));
    let created = expect_status(app.apply_to_program(&user, &program, &eligible).await, 201).await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["screening"]["eligible"], true);
    assert_eq!(
        created["screening"]["watched_present"],
        json!(["com.other.store"])
    );
    let resp = app.apply_to_program(&user, &program, &body).await;
    assert_problem(resp, 409, "conflict").await;
    let mine = app
        .get_json_as(&user, &format!("/me/beta-applications/{}", created.id()))
        .await;
    assert_eq!(mine["details"]["contact_phone"], "+8613912345678");
    assert_eq!(mine["details"]["answers"], body["answers"]);

    // Screened out, with the reason, at once: another model, a blocking app.
    let other = app.register().await;
    app.grant(&other, "beta_program").await;
    let mut wrong = beta_application("13912345679", Some(&["com.bad.launcher"]));
    wrong["device_model"] = json!("Redmi K80");
    let out = expect_status(app.apply_to_program(&other, &program, &wrong).await, 201).await;
    assert_eq!(out["status"], "rejected");
    assert_eq!(
        out["screening"]["unmet"],
        json!(["device_model", "blocking_app"])
    );
    assert!(out["reason"].as_str().unwrap().starts_with("Screened out"));
    // A rejected application does not stop a new one.
    let again = beta_application("13912345679", Some(&[]));
    let retried = expect_status(app.apply_to_program(&other, &program, &again).await, 201).await;
    assert_eq!(retried["status"], "pending");
    assert_eq!(retried["screening"]["watched_present"], json!([]));

    // Outside the window: closed.
    let admin = app.admin().await;
    let past = json!({ "opens_at": "2020-01-01T00:00:00Z", "closes_at": "2020-01-02T00:00:00Z" });
    let path = format!("/admin/beta/programs/{quiet}");
    expect_status(app.patch_as(&admin, &path, &past).await, 200).await;
    let late = app.register().await;
    app.grant(&late, "beta_program").await;
    let resp = app
        .apply_to_program(&late, &quiet, &beta_application("13912345678", None))
        .await;
    assert_problem(resp, 409, "registration_closed").await;
    // The screening reads the account too: its level and its age.
    let strict = json!({ "min_level": 3, "min_account_days": 30 });
    let path = format!("/admin/beta/programs/{program}");
    expect_status(app.patch_as(&admin, &path, &strict).await, 200).await;
    let newcomer = app.register().await;
    app.grant(&newcomer, "beta_program").await;
    let out = expect_status(app.apply_to_program(&newcomer, &program, &body).await, 201).await;
    assert_eq!(
        out["screening"]["unmet"],
        json!(["membership_level", "account_age"])
    );
}

#[tokio::test]
async fn decisions_keep_to_capacity_the_waiting_list_moves_up_and_applicants_are_told() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let program = app.open_program(&program_body(1)).await;
    let (first, a) = app.beta_applicant(&program, "13912345601").await;
    let (second, b) = app.beta_applicant(&program, "13912345602").await;
    let (a, b) = (a.id(), b.id());
    let resp = app.decide_beta(&staff, &program, &a, "reject", None).await;
    assert_invalid(resp, "reason", None).await;
    expect_status(
        app.decide_beta(&staff, &program, &a, "approve", None).await,
        200,
    )
    .await;
    let resp = app.decide_beta(&staff, &program, &b, "approve", None).await;
    assert_problem(resp, 409, "capacity_reached").await;
    let waiting = expect_status(
        app.decide_beta(&staff, &program, &b, "waitlist", None)
            .await,
        200,
    )
    .await;
    assert_eq!(waiting["status"], "waitlisted");
    // The tester leaves: the first on the list takes the place.
    let resp = app
        .delete_as(&first, &format!("/me/beta-applications/{a}"))
        .await;
    assert_eq!(resp.status(), 204);
    let moved = app
        .get_json_as(&second, &format!("/me/beta-applications/{b}"))
        .await;
    assert_eq!(moved["status"], "approved");
    let left = app
        .get_json_as(&first, &format!("/me/beta-applications/{a}"))
        .await;
    assert_eq!(left["status"], "withdrawn");
    assert!(
        left.get("details").is_none(),
        "what I gave is erased: {left}"
    );
    // Removing a tester frees the place the same way, and says why.
    let (_third, c) = app.beta_applicant(&program, "13912345603").await;
    let c = c.id();
    expect_status(
        app.decide_beta(&staff, &program, &c, "waitlist", None)
            .await,
        200,
    )
    .await;
    let removed = expect_status(
        app.decide_beta(&staff, &program, &b, "reject", Some("Shared the build."))
            .await,
        200,
    )
    .await;
    assert_eq!(removed["reason"], "Shared the build.");
    let list = app
        .get_json_as(
            &staff,
            &format!("{}?status=approved", applications(&program)),
        )
        .await;
    assert_eq!(items_of(&list).len(), 1);
    assert_eq!(items_of(&list)[0]["id"], c.as_str());
    // Each decision reached the applicant.
    let told: Vec<Value> = kinds_of_notifications(&app, &second)
        .await
        .into_iter()
        .filter(|n| n["kind"] == "beta_decision")
        .collect();
    assert_eq!(told.len(), 3, "waitlisted, approved from the list, removed");
    assert!(told.iter().all(|n| n["beta_application_id"] == b.as_str()));
    let told_first = kinds_of_notifications(&app, &first).await;
    assert_eq!(
        told_first.len(),
        1,
        "approved; a withdrawal is one's own doing"
    );

    // Settled applications stay settled: withdrawn, rejected, or already so.
    for (id, decision) in [(&a, "approve"), (&b, "waitlist"), (&c, "approve")] {
        let resp = app.decide_beta(&staff, &program, id, decision, None).await;
        assert_problem(resp, 409, "conflict").await;
    }
    // Whom staff turned down does not apply again; who withdrew may.
    let resp = app
        .apply_to_program(
            &second,
            &program,
            &beta_application("13912345602", Some(&[])),
        )
        .await;
    assert_problem(resp, 409, "conflict").await;
    let again = beta_application("13912345601", Some(&[]));
    let back = expect_status(app.apply_to_program(&first, &program, &again).await, 201).await;
    // Nobody admits what the screening turned down.
    let screened = app.register().await;
    app.grant(&screened, "beta_program").await;
    let blocked = beta_application("13912345604", Some(&["com.bad.launcher"]));
    let out = expect_status(
        app.apply_to_program(&screened, &program, &blocked).await,
        201,
    )
    .await;
    for decision in ["approve", "waitlist"] {
        let resp = app
            .decide_beta(&staff, &program, &out.id(), decision, None)
            .await;
        assert_problem(resp, 409, "conflict").await;
    }
    // More places move the waiting list up.
    expect_status(
        app.decide_beta(&staff, &program, &back.id(), "waitlist", None)
            .await,
        200,
    )
    .await;
    let admin = app.admin().await;
    let more = json!({ "capacity": 2 });
    expect_status(
        app.patch_as(&admin, &format!("/admin/beta/programs/{program}"), &more)
            .await,
        200,
    )
    .await;
    let moved = app
        .get_json_as(&first, &format!("/me/beta-applications/{}", back.id()))
        .await;
    assert_eq!(moved["status"], "approved");
}

#[tokio::test]
async fn sixty_concurrent_approvals_never_exceed_capacity() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let program = app.open_program(&program_body(7)).await;
    let mut ids = Vec::new();
    for i in 0..60 {
        let (_, created) = app.beta_applicant(&program, &format!("139{:08}", i)).await;
        ids.push(created.id());
    }
    let approving = ids.iter().map(|id| {
        let (app, staff, program) = (&app, &staff, &program);
        async move {
            app.decide_beta(staff, program, id, "approve", None)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(approving).await;
    let approved = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((approved, refused), (7, 53), "{statuses:?}");
    let stored = app
        .sql_count("SELECT COUNT(*) FROM beta_applications WHERE status = 'approved'")
        .await;
    assert_eq!(stored, 7);
    let program = app.get_json(&format!("/beta/programs/{program}")).await;
    assert_eq!(program["approved"], 7);
}

#[tokio::test]
async fn staff_see_the_phone_masked_and_a_reveal_lands_in_the_audit_and_the_applicants_log() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let program = app.open_program(&program_body(3)).await;
    let (user, created) = app.beta_applicant(&program, "13912345678").await;
    let aid = created.id();
    let list = app.get_json_as(&staff, &applications(&program)).await;
    let seen = &items_of(&list)[0];
    assert_eq!(seen["details"]["contact_phone"], "+86139****5678");
    assert_eq!(seen["details"]["device_model"], "Xiaomi 15");
    assert!(!list.to_string().contains("13912345678"));

    let path = format!("{}/{aid}/reveal", applications(&program));
    let resp = app
        .post_as(
            &staff,
            &path,
            &json!({ "items": ["contact_phone"], "reason": " " }),
        )
        .await;
    assert_invalid(resp, "reason", None).await;
    let why = "The build bricks his phone; calling him.";
    let body = json!({ "items": ["contact_phone"], "reason": why });
    let full = expect_status(app.post_as(&staff, &path, &body).await, 200).await;
    assert_eq!(full["contact_phone"], "+8613912345678");
    let audit = items_of(&app.get_json_as(&staff, "/admin/audit-log").await);
    let entry = audit.iter().find(|e| e["action"] == "reveal").unwrap();
    assert_eq!(entry["subject_id"], user.id.as_str());
    assert_eq!(entry["target_type"], "beta_application");
    assert_eq!(entry["reason"], why);
    let mine = items_of(&app.get_json_as(&user, "/me/processing-log").await);
    let logged = mine
        .iter()
        .find(|r| r["operation_id"] == "admin_reveal_beta_application")
        .unwrap();
    assert_eq!(logged["actor_id"], staff.id.as_str());
    assert_eq!(logged["reason"], why);
    assert_eq!(logged["items"], json!(["contact_phone"]));
}

#[tokio::test]
async fn no_user_reaches_another_users_application_or_a_staff_route() {
    let app = spawn_app_with(generous_limits).await;
    let program = app.open_program(&program_body(3)).await;
    let (_owner, created) = app.beta_applicant(&program, "13912345678").await;
    let aid = created.id();
    let other = app.register().await;
    for method in [Method::GET, Method::DELETE] {
        let resp = app
            .send_as(&other, method, &format!("/me/beta-applications/{aid}"))
            .await;
        assert_problem(resp, 404, "not_found").await;
    }
    assert!(items_of(&app.get_json_as(&other, "/me/beta-applications").await).is_empty());
    // Without a session: 401, before anything is read.
    for (method, path) in [
        (Method::GET, "/me/beta-applications".to_owned()),
        (Method::GET, format!("/me/beta-applications/{aid}")),
        (Method::DELETE, format!("/me/beta-applications/{aid}")),
        (
            Method::POST,
            format!("/beta/programs/{program}/applications"),
        ),
        (Method::GET, applications(&program)),
    ] {
        let body = beta_application("13912345678", Some(&[]));
        let resp = crate::helpers::send(app.api(method, &path).json(&body)).await;
        assert_eq!(resp.status(), 401, "{path}");
    }
    // An application reached through another program is not found.
    let elsewhere = app.open_program(&program_body(3)).await;
    let moderator = app.moderator().await;
    for path in [
        format!("{}/{aid}/decision", applications(&elsewhere)),
        format!("{}/{aid}/reveal", applications(&elsewhere)),
    ] {
        let body = json!({ "decision": "approve", "items": ["contact_phone"], "reason": "x" });
        let resp = app.post_as(&moderator, &path, &body).await;
        assert_problem(resp, 404, "not_found").await;
    }
    let resp = app
        .get_as(&moderator, &format!("/beta/programs/{NOBODY}"))
        .await;
    assert_problem(resp, 404, "not_found").await;
    let routes = [
        (Method::POST, "/admin/beta/programs".to_owned()),
        (Method::PATCH, format!("/admin/beta/programs/{program}")),
        (Method::GET, applications(&program)),
        (
            Method::POST,
            format!("{}/{aid}/decision", applications(&program)),
        ),
        (
            Method::POST,
            format!("{}/{aid}/reveal", applications(&program)),
        ),
    ];
    for (method, path) in routes {
        for body in [
            json!({ "decision": "approve", "items": ["contact_phone"], "reason": "x" }),
            json!({ "capacity": "lots" }),
        ] {
            let resp = app.send_json_as(&other, method.clone(), &path, &body).await;
            assert_problem(resp, 403, "forbidden").await;
        }
    }
    // Programs are an admin's; moderators review.
    for path in [
        "/admin/beta/programs".to_owned(),
        format!("/admin/beta/programs/{program}"),
    ] {
        let method = if path.ends_with("programs") {
            Method::POST
        } else {
            Method::PATCH
        };
        let resp = app
            .send_json_as(&moderator, method, &path, &program_body(1))
            .await;
        assert_problem(resp, 403, "forbidden").await;
    }
    let list = app.get_json_as(&moderator, &applications(&program)).await;
    assert_eq!(items_of(&list)[0]["status"], "pending", "nothing moved");
}

#[tokio::test]
async fn ninety_days_after_a_program_ends_what_its_applicants_gave_is_gone() {
    let app = spawn_app_with(generous_limits).await;
    let program = app.open_program(&program_body(3)).await;
    let running = app.open_program(&program_body(3)).await;
    let (user, created) = app.beta_applicant(&program, "13912345678").await;
    let (other_tester, kept) = app.beta_applicant(&running, "13912345679").await;
    // Both are testers in their program's feedback circle.
    let staff = app.moderator().await;
    let mut members = Vec::new();
    for (who, program, id) in [
        (&user, &program, created.id()),
        (&other_tester, &running, kept.id()),
    ] {
        let resp = app.decide_beta(&staff, program, &id, "approve", None).await;
        expect_status(resp, 200).await;
        let circle = app.get_json(&format!("/beta/programs/{program}")).await["feedback_circle_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let resp = app
            .send_as(who, Method::PUT, &format!("/circles/{circle}/membership"))
            .await;
        assert_eq!(resp.status(), 200);
        members.push(circle);
    }
    let in_circle =
        |circle: &str| format!("SELECT COUNT(*) FROM circle_members WHERE circle_id = '{circle}'");
    // The export holds it in full until then.
    let export = app.get_json_as(&user, "/me/export").await;
    let exported = &export["sections"]["beta_applications"][0];
    assert_eq!(exported["details"]["contact_phone"], "+8613912345678");
    assert_eq!(exported["program_name"], "HyperOS 3 developer beta");

    beta_program_ended(&app, &program, 89).await;
    run_purge(&app).await;
    let still = app
        .get_json_as(&user, &format!("/me/beta-applications/{}", created.id()))
        .await;
    assert!(still.get("details").is_some(), "within 90 days it stays");
    assert_eq!(app.sql_count(&in_circle(&members[0])).await, 1);
    beta_program_ended(&app, &program, 91).await;
    run_purge(&app).await;
    let path = format!("/me/beta-applications/{}", created.id());
    assert_problem(app.get_as(&user, &path).await, 404, "not_found").await;
    let left = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM beta_applications WHERE program_id = '{program}'"
        ))
        .await;
    assert_eq!(left, 0, "the rows go, reasons and verdicts with them");
    let other = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM beta_applications WHERE id = '{}' AND contact_phone IS NOT NULL",
            kept.id()
        ))
        .await;
    assert_eq!(other, 1, "a running program's applicants keep theirs");
    // Who was in the feedback circle said who tested: that goes too.
    assert_eq!(app.sql_count(&in_circle(&members[0])).await, 0);
    assert_eq!(app.sql_count(&in_circle(&members[1])).await, 1);
}

#[tokio::test]
async fn a_shorter_configured_period_deletes_sooner() {
    let app = spawn_app_with(|config| {
        generous_limits(config);
        config.beta_application_retention = std::time::Duration::from_secs(10 * 24 * 3600);
    })
    .await;
    let program = app.open_program(&program_body(3)).await;
    let (user, created) = app.beta_applicant(&program, "13912345678").await;
    beta_program_ended(&app, &program, 9).await;
    run_purge(&app).await;
    let path = format!("/me/beta-applications/{}", created.id());
    assert_eq!(app.get_as(&user, &path).await.status(), 200);
    beta_program_ended(&app, &program, 11).await;
    run_purge(&app).await;
    assert_problem(app.get_as(&user, &path).await, 404, "not_found").await;
}

#[tokio::test]
async fn leaving_takes_the_applications_and_hands_the_places_on() {
    let app = spawn_app_with(short_cooling_off).await;
    let staff = app.moderator().await;
    let program = app.open_program(&program_body(1)).await;
    let (tester, a) = app.beta_applicant(&program, "13912345601").await;
    let (next, b) = app.beta_applicant(&program, "13912345602").await;
    let (last, c) = app.beta_applicant(&program, "13912345603").await;
    expect_status(
        app.decide_beta(&staff, &program, &a.id(), "approve", None)
            .await,
        200,
    )
    .await;
    for id in [b.id(), c.id()] {
        expect_status(
            app.decide_beta(&staff, &program, &id, "waitlist", None)
                .await,
            200,
        )
        .await;
    }
    // The tester withdraws the grant: withdrawn, erased, the place handed on.
    let resp = app.set_consent(&tester, "beta_program", false).await;
    assert_eq!(resp.status(), 200);
    let gone = app
        .get_json_as(&tester, &format!("/me/beta-applications/{}", a.id()))
        .await;
    assert_eq!(gone["status"], "withdrawn");
    assert!(gone.get("details").is_none(), "{gone}");
    let moved = app
        .get_json_as(&next, &format!("/me/beta-applications/{}", b.id()))
        .await;
    assert_eq!(moved["status"], "approved");
    // The next tester deregisters: the rows go, the place is handed on.
    crate::helpers::deregister_and_purge(&app, &next, "account", "delete").await;
    let rows = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM beta_applications WHERE user_id = '{}'",
            next.id
        ))
        .await;
    assert_eq!(rows, 0);
    let moved = app
        .get_json_as(&last, &format!("/me/beta-applications/{}", c.id()))
        .await;
    assert_eq!(moved["status"], "approved");
    let told = kinds_of_notifications(&app, &last).await;
    assert!(
        told.iter().filter(|n| n["kind"] == "beta_decision").count() >= 2,
        "{told:?}"
    );
}

#[tokio::test]
async fn applying_is_limited_per_account_before_anything_is_written() {
    let app = spawn_app_with(|config| {
        generous_limits(config);
        crate::helpers::set_limit(config, ActionClass::BetaApply, "2/1d");
    })
    .await;
    let user = app.register().await;
    app.grant(&user, "beta_program").await;
    let mut programs = Vec::new();
    for _ in 0..3 {
        programs.push(app.open_program(&program_body(3)).await);
    }
    let body = beta_application("13912345678", Some(&[]));
    for program in &programs[..2] {
        expect_status(app.apply_to_program(&user, program, &body).await, 201).await;
    }
    let resp = app.apply_to_program(&user, &programs[2], &body).await;
    assert!(crate::helpers::retry_after(&resp) > 0);
    assert_problem(resp, 429, "rate_limited").await;
    assert_eq!(app.count("beta_applications").await, 2);
    // Another account is not held back by the first one's limit.
    let (_, other) = app.beta_applicant(&programs[2], "13912345679").await;
    assert_eq!(other["status"], "pending");
}
