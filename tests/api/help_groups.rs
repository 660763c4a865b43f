//! Help groups: admins define them and name their managers; users apply
//! with a contact phone, a QQ number and an optional WeChat ID; managers
//! decide, see contact details masked and reveal only with a reason (in
//! the audit log and the applicant's processing log); what applicants gave
//! goes 90 days after a rejection or after leaving.
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use agora::platform::ratelimit::ActionClass;

use crate::helpers::{
    application_body, assert_invalid, assert_problem, deregister_and_purge, event_body,
    expect_status, generous_limits, group_body, items_of, retry_after, run_purge, set_limit,
    short_cooling_off, spawn_app, spawn_app_with, timestamp_cast, HasId, TestApp, TestUser, NOBODY,
};

const QQ: &str = "123456789";

/// A user with the grant, applying to `group`; the user and application id.
async fn applicant(app: &TestApp, group: &str, wechat: Option<&str>) -> (TestUser, String) {
    let user = app.register().await;
    app.grant(&user, "help_group_application").await;
    let body = application_body("13912345678", QQ, wechat);
    let created = expect_status(app.apply_to(&user, group, &body).await, 201).await;
    assert_eq!(created["status"], "pending");
    (user, created.id())
}

fn applications(group: &str) -> String {
    format!("/admin/help-groups/{group}/applications")
}

#[tokio::test]
async fn an_admin_defines_a_group_and_everyone_sees_who_manages_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let moderator = app.moderator().await;
    let manager = app.register().await;
    // Admins only: a moderator is refused, whatever the body.
    let body = group_body("深圳米粉互助组", &[&manager]);
    let resp = app.post_as(&moderator, "/admin/help-groups", &body).await;
    assert_problem(resp, 403, "forbidden").await;
    // A manager must have an account.
    let mut unknown = body.clone();
    unknown["manager_ids"] = json!([manager.id, NOBODY]);
    let resp = app.post_as(&admin, "/admin/help-groups", &unknown).await;
    let problem = assert_problem(resp, 404, "not_found").await;
    assert_eq!(problem["errors"][0]["field"], "manager_ids[1]");
    assert_eq!(app.count("help_groups").await, 0, "nothing half-written");

    let group = expect_status(app.post_as(&admin, "/admin/help-groups", &body).await, 201).await;
    assert_eq!(group["managers"][0]["id"], manager.id.as_str());
    assert_eq!(group["members"], 0);
    let id = group.id();
    let other = expect_status(
        app.post_as(
            &admin,
            "/admin/help-groups",
            &json!({ "name": "Xiaomi 15 owners", "description": "", "product": "Xiaomi 15", "manager_ids": [] }),
        )
        .await,
        201,
    )
    .await;
    let in_shenzhen = items_of(&app.get_json("/help-groups?city=Shenzhen").await);
    assert_eq!(in_shenzhen.len(), 1);
    assert_eq!(in_shenzhen[0]["id"], id.as_str());
    let for_phone = items_of(&app.get_json("/help-groups?product=Xiaomi%2015").await);
    assert_eq!(for_phone[0]["id"], other["id"]);

    // A new list of managers replaces the old; the city can be cleared.
    let path = format!("/admin/help-groups/{id}");
    let bad = json!({ "name": "Renamed", "manager_ids": [moderator.id, moderator.id, NOBODY] });
    let problem = assert_problem(app.patch_as(&admin, &path, &bad).await, 404, "not_found").await;
    assert_eq!(problem["errors"][0]["field"], "manager_ids[2]");
    let kept = items_of(&app.get_json("/help-groups?city=Shenzhen").await);
    assert_eq!(kept[0]["name"], group["name"], "nothing half-written");
    assert_eq!(kept[0]["managers"][0]["id"], manager.id.as_str());
    let patch = json!({ "manager_ids": [moderator.id], "city": null });
    let changed = expect_status(app.patch_as(&admin, &path, &patch).await, 200).await;
    assert_eq!(changed["managers"].as_array().unwrap().len(), 1);
    assert_eq!(changed["managers"][0]["id"], moderator.id.as_str());
    assert!(changed.get("city").is_none(), "{changed}");
}

#[tokio::test]
async fn applying_needs_the_grant_and_valid_details_once_per_group() {
    let app = spawn_app().await;
    let group = app.create_group(&[&app.register().await]).await;
    let user = app.register().await;
    let body = application_body("13912345678", QQ, None);
    // A group nobody manages takes no applications: nobody could decide.
    let unmanaged = app.create_group(&[]).await;
    // The phone is sensitive: its purpose is granted first.
    let resp = app.apply_to(&user, &group, &body).await;
    assert_problem(resp, 403, "consent_required").await;
    app.grant(&user, "help_group_application").await;
    for (field, bad) in [
        (
            "qq_number",
            application_body("13912345678", "0123456", None),
        ),
        ("contact_phone", application_body("12345", QQ, None)),
        (
            "wechat_id",
            application_body("13912345678", QQ, Some("1abcdef")),
        ),
    ] {
        assert_invalid(app.apply_to(&user, &group, &bad).await, field, None).await;
    }
    let resp = app.apply_to(&user, NOBODY, &body).await;
    assert_problem(resp, 404, "not_found").await;
    let resp = app.apply_to(&user, &unmanaged, &body).await;
    assert_problem(resp, 409, "conflict").await;
    assert_eq!(app.count("help_group_applications").await, 0);

    let created = expect_status(app.apply_to(&user, &group, &body).await, 201).await;
    let resp = app.apply_to(&user, &group, &body).await;
    assert_problem(resp, 409, "conflict").await;
    // Mine to read in full; no WeChat ID was given, none is kept.
    let path = format!("/me/help-group-applications/{}", created.id());
    let mine = expect_status(app.get_as(&user, &path).await, 200).await;
    assert_eq!(mine["details"]["contact_phone"], "+8613912345678");
    assert_eq!(mine["details"]["qq_number"], QQ);
    assert!(mine["details"].get("wechat_id").is_none(), "{mine}");
    // Stored as ciphertext.
    let clear = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM help_group_applications WHERE qq_number = '{QQ}' \
             OR contact_phone LIKE '%13912345678%'"
        ))
        .await;
    assert_eq!(clear, 0);
}

#[tokio::test]
async fn managers_see_masked_details_and_a_reveal_is_logged_for_the_applicant() {
    let app = spawn_app().await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let (user, aid) = applicant(&app, &group, Some("mi_fan_2024")).await;

    let list = app.get_json_as(&manager, &applications(&group)).await;
    let masked = &items_of(&list)[0]["masked"];
    assert_eq!(masked["contact_phone"], "+86139****5678");
    assert_eq!(masked["qq_number"], "*******89");
    assert_eq!(masked["wechat_id"], "*********24");
    assert!(!list.to_string().contains(QQ));

    let path = format!("{}/{aid}/reveal", applications(&group));
    let why = "Adding her to the group's QQ chat.";
    let body = json!({ "items": ["qq_number"], "reason": why });
    let resp = app
        .post_as(
            &manager,
            &path,
            &json!({ "items": ["qq_number"], "reason": " " }),
        )
        .await;
    assert_invalid(resp, "reason", None).await;
    let full = expect_status(app.post_as(&manager, &path, &body).await, 200).await;
    assert_eq!(full["qq_number"], QQ);
    assert!(full.get("contact_phone").is_none(), "{full}");

    let admin = app.admin().await;
    let audit = items_of(&app.get_json_as(&admin, "/admin/audit-log").await);
    let entry = audit.iter().find(|e| e["action"] == "reveal").unwrap();
    assert_eq!(entry["moderator_id"], manager.id.as_str());
    assert_eq!(entry["subject_id"], user.id.as_str());
    assert_eq!(entry["reason"], why);
    assert_eq!(entry["items"], json!(["qq_number"]));
    let log = items_of(&app.get_json_as(&user, "/me/processing-log").await);
    let seen = log
        .iter()
        .find(|r| r["operation_id"] == "admin_reveal_help_group_application")
        .unwrap();
    assert_eq!(seen["actor_id"], manager.id.as_str());
    assert_eq!(seen["reason"], why);
    assert_eq!(seen["items"], json!(["qq_number"]));
}

#[tokio::test]
async fn decisions_reach_the_applicant_and_members_can_be_removed_with_a_reason() {
    let app = spawn_app_with(generous_limits).await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let (a, first) = applicant(&app, &group, None).await;
    let (b, second) = applicant(&app, &group, None).await;

    let resp = app
        .decide_application(&manager, &group, &second, "reject", None)
        .await;
    assert_invalid(resp, "reason", None).await;
    let why = "This group is for Shenzhen; try the Dongguan one.";
    let rejected = app
        .decide_application(&manager, &group, &second, "reject", Some(why))
        .await;
    assert_eq!(expect_status(rejected, 200).await["status"], "rejected");
    let approved = app
        .decide_application(&manager, &group, &first, "approve", None)
        .await;
    assert_eq!(expect_status(approved, 200).await["status"], "approved");
    // Decided once: a second decision on the same application is refused.
    let again = app
        .decide_application(&manager, &group, &second, "approve", None)
        .await;
    assert_problem(again, 409, "conflict").await;
    let groups = items_of(&app.get_json("/help-groups").await);
    assert_eq!(groups[0]["members"], 1);

    // Each applicant is told, and reads why.
    for (user, aid) in [(&a, &first), (&b, &second)] {
        let notes = items_of(&app.notifications(user).await);
        assert_eq!(notes[0]["kind"], "help_group_decision");
        assert_eq!(notes[0]["application_id"], aid.as_str());
    }
    let mine = app
        .get_json_as(&b, &format!("/me/help-group-applications/{second}"))
        .await;
    assert_eq!(mine["reason"], why);
    assert!(mine["erased_after"].is_string(), "{mine}");

    // The members list; a member removed, with a reason.
    let members = app
        .get_json_as(
            &manager,
            &format!("{}?status=approved", applications(&group)),
        )
        .await;
    assert_eq!(items_of(&members).len(), 1);
    let resp = app
        .decide_application(&manager, &group, &second, "remove", Some("x"))
        .await;
    assert_problem(resp, 409, "conflict").await;
    let removed = app
        .decide_application(
            &manager,
            &group,
            &first,
            "remove",
            Some("Selling in the chat."),
        )
        .await;
    let removed = expect_status(removed, 200).await;
    assert_eq!(removed["status"], "removed");
    assert!(removed["left_at"].is_string());
    let audit = items_of(
        &app.get_json_as(&app.admin().await, "/admin/audit-log")
            .await,
    );
    let actions: Vec<&Value> = audit.iter().map(|e| &e["action"]).collect();
    for action in ["approve", "reject", "remove"] {
        assert!(actions.contains(&&json!(action)), "{actions:?}");
    }
}

#[tokio::test]
async fn two_managers_deciding_at_once_cannot_both_win() {
    let app = spawn_app_with(generous_limits).await;
    let (m1, m2) = (app.register().await, app.register().await);
    let group = app.create_group(&[&m1, &m2]).await;
    for _ in 0..5 {
        let (_, aid) = applicant(&app, &group, None).await;
        let (approve, reject) = tokio::join!(
            app.decide_application(&m1, &group, &aid, "approve", None),
            app.decide_application(&m2, &group, &aid, "reject", Some("full")),
        );
        let mut codes = [approve.status().as_u16(), reject.status().as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 409]);
    }
    let decided = app
        .sql_count(
            "SELECT COUNT(*) FROM staff_actions WHERE target_type = 'help_group_application'",
        )
        .await;
    assert_eq!(decided, 5, "one audit entry per application");
}

#[tokio::test]
async fn withdrawing_deletes_a_pending_application_and_leaving_keeps_it_ninety_days() {
    let app = spawn_app_with(generous_limits).await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let (user, pending) = applicant(&app, &group, None).await;
    let path = format!("/me/help-group-applications/{pending}");
    assert_eq!(app.delete_as(&user, &path).await.status(), 204);
    assert_problem(app.get_as(&user, &path).await, 404, "not_found").await;
    assert_eq!(app.count("help_group_applications").await, 0);

    let body = application_body("13912345678", QQ, None);
    let member = expect_status(app.apply_to(&user, &group, &body).await, 201)
        .await
        .id();
    let resp = app
        .decide_application(&manager, &group, &member, "approve", None)
        .await;
    assert_eq!(resp.status(), 200);
    let path = format!("/me/help-group-applications/{member}");
    assert_eq!(app.delete_as(&user, &path).await.status(), 204);
    let left = app.get_json_as(&user, &path).await;
    assert_eq!(left["status"], "left");
    let (left_at, erased_after) = (
        left["left_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        left["erased_after"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
    );
    assert_eq!(erased_after - left_at, chrono::Duration::days(90));
    // Closed: a second withdrawal is refused, and says how to erase now.
    assert_problem(app.delete_as(&user, &path).await, 409, "conflict").await;
    // Leaving frees the place for a new application.
    assert_eq!(app.apply_to(&user, &group, &body).await.status(), 201);
}

#[tokio::test]
async fn ninety_days_after_a_rejection_or_leaving_the_application_is_gone() {
    let app = spawn_app_with(generous_limits).await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let (_, rejected) = applicant(&app, &group, None).await;
    let (_, removed) = applicant(&app, &group, None).await;
    let (_, member) = applicant(&app, &group, None).await;
    let (_, pending) = applicant(&app, &group, None).await;
    for (aid, decision, reason) in [
        (&rejected, "reject", Some("no")),
        (&removed, "approve", None),
        (&member, "approve", None),
    ] {
        let resp = app
            .decide_application(&manager, &group, aid, decision, reason)
            .await;
        assert_eq!(resp.status(), 200);
    }
    let resp = app
        .decide_application(&manager, &group, &removed, "remove", Some("spam"))
        .await;
    assert_eq!(resp.status(), 200);
    let cast = timestamp_cast();
    let age = |days: i64| {
        let at = (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
        format!(
            "UPDATE help_group_applications SET decided_at = '{at}'{cast}, \
             left_at = CASE WHEN left_at IS NULL THEN NULL ELSE '{at}'{cast} END, \
             created_at = '{at}'{cast}"
        )
    };
    // Within the period: all kept.
    app.state.db.execute_unprepared(&age(89)).await.unwrap();
    run_purge(&app).await;
    assert_eq!(app.count("help_group_applications").await, 4);
    // Past it: the rejected, the removed and the undecided go; the
    // member stays, however old.
    app.state.db.execute_unprepared(&age(91)).await.unwrap();
    run_purge(&app).await;
    let left: Vec<String> = {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::help_group_applications::Entity::find()
            .order_by_asc(entity::help_group_applications::Column::Id)
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(left, vec![member]);
    let _ = pending;
}

#[tokio::test]
async fn withdrawing_the_purpose_deletes_my_applications_and_memberships() {
    let app = spawn_app_with(generous_limits).await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let (user, aid) = applicant(&app, &group, Some("mi_fan_2024")).await;
    let resp = app
        .decide_application(&manager, &group, &aid, "approve", None)
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .set_consent(&user, "help_group_application", false)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(app.count("help_group_applications").await, 0);
    let mine = app.get_json_as(&user, "/me/help-group-applications").await;
    assert!(items_of(&mine).is_empty());
    assert_eq!(
        items_of(&app.get_json("/help-groups").await)[0]["members"],
        0
    );
}

#[tokio::test]
async fn no_user_reaches_another_users_application_or_another_groups_review() {
    let app = spawn_app_with(generous_limits).await;
    let manager = app.register().await;
    let group = app.create_group(&[&manager]).await;
    let elsewhere = app.register().await;
    let other_group = app.create_group(&[&elsewhere]).await;
    let (_owner, aid) = applicant(&app, &group, None).await;
    let other = app.register().await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let path = format!("/me/help-group-applications/{aid}");
        let resp = app.send_as(&other, method, &path).await;
        assert_problem(resp, 404, "not_found").await;
    }
    // A user, and the manager of another group, reach no review route of
    // this group, with a body that is valid and one that is not: the
    // check comes first. Nor does a moderator: groups are their managers'.
    let moderator = app.moderator().await;
    let routes = [
        (reqwest::Method::POST, "/admin/help-groups".to_owned()),
        (
            reqwest::Method::PATCH,
            format!("/admin/help-groups/{group}"),
        ),
        (reqwest::Method::GET, applications(&group)),
        (
            reqwest::Method::POST,
            format!("{}/{aid}/decision", applications(&group)),
        ),
        (
            reqwest::Method::POST,
            format!("{}/{aid}/reveal", applications(&group)),
        ),
    ];
    for who in [&other, &elsewhere, &moderator, &manager] {
        for (method, path) in &routes {
            let managed_here = who.id == manager.id && path.contains("/applications");
            if managed_here {
                continue;
            }
            for body in [
                json!({ "decision": "approve", "items": ["qq_number"], "reason": "x" }),
                json!({ "name": 42 }),
            ] {
                let resp = app.send_json_as(who, method.clone(), path, &body).await;
                assert_problem(resp, 403, "forbidden").await;
            }
        }
    }
    // The manager of another group, through that group's own path, does
    // not reach this group's application either.
    for (action, body) in [
        ("decision", json!({ "decision": "approve" })),
        (
            "reveal",
            json!({ "items": ["qq_number"], "reason": "curious" }),
        ),
    ] {
        let path = format!("{}/{aid}/{action}", applications(&other_group));
        let resp = app.post_as(&elsewhere, &path, &body).await;
        assert_problem(resp, 404, "not_found").await;
    }
    let revealed = app.sql_count("SELECT COUNT(*) FROM staff_actions").await;
    assert_eq!(revealed, 0);
    // And nothing moved.
    let list = app.get_json_as(&manager, &applications(&group)).await;
    assert_eq!(items_of(&list)[0]["status"], "pending");
}

#[tokio::test]
async fn the_catalog_lists_the_application_as_collecting_each_of_its_items() {
    let app = spawn_app().await;
    let catalog = app.get_json("/privacy/catalog").await;
    let purpose = catalog["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "help_group_application")
        .unwrap();
    let items = purpose["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        let by: Vec<&str> = item["collected_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["operation_id"].as_str().unwrap())
            .collect();
        assert_eq!(by, ["help_groups_apply"], "{item}");
    }
}

#[tokio::test]
async fn applications_are_limited_per_account_and_per_address() {
    let app = spawn_app_with(|c| {
        generous_limits(c);
        set_limit(c, ActionClass::HelpGroupApply, "2/1d");
        set_limit(c, ActionClass::ApplyIp, "3/1h");
    })
    .await;
    let manager = app.register().await;
    let mut groups = Vec::new();
    for _ in 0..3 {
        groups.push(app.create_group(&[&manager]).await);
    }
    let body = application_body("13912345678", QQ, None);
    let user = app.register().await;
    app.grant(&user, "help_group_application").await;
    for group in &groups[..2] {
        assert_eq!(app.apply_to(&user, group, &body).await.status(), 201);
    }
    let resp = app.apply_to(&user, &groups[2], &body).await;
    assert!(retry_after(&resp) > 0);
    assert_problem(resp, 429, "rate_limited").await;
    // The address's quota counts every account: one more goes through,
    // then another account from the same address is held back too.
    let second = app.register().await;
    app.grant(&second, "help_group_application").await;
    assert_eq!(app.apply_to(&second, &groups[0], &body).await.status(), 201);
    let third = app.register().await;
    app.grant(&third, "help_group_application").await;
    let resp = app.apply_to(&third, &groups[0], &body).await;
    assert_problem(resp, 429, "rate_limited").await;
    assert_eq!(app.count("help_group_applications").await, 3);
    // Event registrations draw on the same quota of the address.
    let staff = app.moderator().await;
    let event = app
        .create_event(&staff, &event_body("Meet-up", &["city"], false))
        .await
        .id();
    let resp = app
        .register_for(&third, &event, &json!({ "city": "Shenzhen" }))
        .await;
    assert_problem(resp, 429, "rate_limited").await;
}

#[tokio::test]
async fn deregistering_deletes_my_applications_and_the_groups_i_manage_lose_me() {
    let app = spawn_app_with(short_cooling_off).await;
    let user = app.register().await;
    let group = app.create_group(&[&app.register().await]).await;
    let _managed = app.create_group(&[&user]).await;
    app.grant(&user, "help_group_application").await;
    let body = application_body("13912345678", QQ, Some("mi_fan_2024"));
    assert_eq!(app.apply_to(&user, &group, &body).await.status(), 201);
    let mine = |table: &str, column: &str| {
        format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} = '{}'",
            user.id
        )
    };
    assert_eq!(
        app.sql_count(&mine("help_group_applications", "user_id"))
            .await,
        1
    );
    assert_eq!(
        app.sql_count(&mine("help_group_managers", "user_id")).await,
        1
    );
    deregister_and_purge(&app, &user, "service", "delete").await;
    assert_eq!(
        app.sql_count(&mine("help_group_applications", "user_id"))
            .await,
        0
    );
    assert_eq!(
        app.sql_count(&mine("help_group_managers", "user_id")).await,
        0
    );
}
