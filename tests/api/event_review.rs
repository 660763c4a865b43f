//! Staff review of event registrations: masked by default, a reveal only
//! with a reason (in the audit log and the registrant's processing log),
//! decisions under capacity even when all of staff decide at once, the
//! waiting list moving up, and the registrant told of each decision.
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, event_body, expect_status, generous_limits, items_of,
    national_id, spawn_app, spawn_app_with, HasId, TestApp, TestUser,
};

const ITEMS: [&str; 4] = [
    "real_name",
    "contact_phone",
    "national_id_number",
    "shipping_address",
];

async fn event(app: &TestApp, staff: &TestUser, capacity: u32) -> String {
    let mut body = event_body("Trial kits", &ITEMS, true);
    body["capacity"] = json!(capacity);
    app.create_event(staff, &body).await.id()
}

async fn registrant(app: &TestApp, event: &str, seq: u32) -> (TestUser, String) {
    let user = app.register().await;
    app.grant(&user, "event_registration").await;
    let body = json!({
        "real_name": "王小明", "contact_phone": "13912345678",
        "national_id_number": national_id("19900101", seq),
        "shipping_address": "广东省深圳市南山区科技园一路8号",
    });
    let created = expect_status(app.register_for(&user, event, &body).await, 201).await;
    (user, created.id())
}

fn decision(decision: &str, reason: Option<&str>) -> Value {
    json!({ "decision": decision, "reason": reason })
}

async fn decide(
    app: &TestApp,
    staff: &TestUser,
    event: &str,
    rid: &str,
    body: &Value,
) -> reqwest::Response {
    let path = format!("/admin/events/{event}/registrations/{rid}/decision");
    app.post_as(staff, &path, body).await
}

#[tokio::test]
async fn staff_see_masked_values_and_a_reveal_is_logged_for_staff_and_the_registrant() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 10).await;
    let (user, rid) = registrant(&app, &id, 5).await;
    let list = app
        .get_json_as(&staff, &format!("/admin/events/{id}/registrations"))
        .await;
    let masked = &items_of(&list)[0]["masked"];
    let number = national_id("19900101", 5);
    assert_eq!(
        masked["national_id_number"],
        format!("440***********{}", &number[14..])
    );
    assert_eq!(masked["contact_phone"], "+86139****5678");
    assert_eq!(masked["real_name"], "王**");
    assert_eq!(masked["shipping_address"], "广东省深圳市南山区…");
    assert!(!list.to_string().contains(&number));

    // Users may not look, whatever they send.
    let path = format!("/admin/events/{id}/registrations/{rid}/reveal");
    assert_problem(
        app.post_as(&user, &path, &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    // A reveal needs a reason.
    let resp = app
        .post_as(
            &staff,
            &path,
            &json!({ "items": ["contact_phone"], "reason": " " }),
        )
        .await;
    assert_invalid(resp, "reason", None).await;
    let why = "The venue moved; calling her.";
    let body = json!({ "items": ["contact_phone", "national_id_number"], "reason": why });
    let full = expect_status(app.post_as(&staff, &path, &body).await, 200).await;
    assert_eq!(full["contact_phone"], "+8613912345678");
    assert_eq!(full["national_id_number"], number.as_str());
    assert!(full.get("real_name").is_none(), "{full}");

    let audit = items_of(&app.get_json_as(&staff, "/admin/audit-log").await);
    let entry = audit.iter().find(|e| e["action"] == "reveal").unwrap();
    assert_eq!(entry["moderator_id"], staff.id.as_str());
    assert_eq!(entry["subject_id"], user.id.as_str());
    assert_eq!(entry["reason"], why);
    assert_eq!(
        entry["items"],
        json!(["contact_phone", "national_id_number"])
    );
    let mine = items_of(&app.get_json_as(&user, "/me/processing-log").await);
    let seen = mine
        .iter()
        .find(|r| r["operation_id"] == "admin_reveal_event_registration")
        .unwrap();
    assert_eq!(seen["actor_id"], staff.id.as_str());
    assert_eq!(seen["reason"], why);
    assert_eq!(
        seen["items"],
        json!(["contact_phone", "national_id_number"])
    );
}

#[tokio::test]
async fn decisions_keep_to_capacity_reasons_reach_the_registrant_and_the_waiting_list_moves_up() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 1).await;
    let (a, ra) = registrant(&app, &id, 1).await;
    let (b, rb) = registrant(&app, &id, 2).await;
    let (c, rc) = registrant(&app, &id, 3).await;
    expect_status(
        decide(&app, &staff, &id, &ra, &decision("approve", None)).await,
        200,
    )
    .await;
    let full = decide(&app, &staff, &id, &rb, &decision("approve", None)).await;
    assert_problem(full, 409, "capacity_reached").await;
    expect_status(
        decide(&app, &staff, &id, &rb, &decision("waitlist", None)).await,
        200,
    )
    .await;
    let resp = decide(&app, &staff, &id, &rc, &decision("reject", None)).await;
    assert_invalid(resp, "reason", Some("required")).await;
    expect_status(
        decide(
            &app,
            &staff,
            &id,
            &rc,
            &decision("reject", Some("Adults only.")),
        )
        .await,
        200,
    )
    .await;

    // A decided, and told.
    let notes = app.notifications(&a).await;
    let note = &items_of(&notes)[0];
    assert_eq!(note["kind"], "event_decision");
    assert_eq!(note["registration_id"], ra.as_str());
    // A withdraws: B, first on the waiting list, gets the place and is told.
    let path = format!("/me/event-registrations/{ra}");
    assert_eq!(app.delete_as(&a, &path).await.status(), 204);
    let mine = app
        .get_json_as(&b, &format!("/me/event-registrations/{rb}"))
        .await;
    assert_eq!(mine["status"], "approved");
    let kinds: Vec<Value> = items_of(&app.notifications(&b).await)
        .iter()
        .map(|n| n["kind"].clone())
        .collect();
    assert_eq!(kinds, [json!("event_decision"), json!("event_decision")]);
    // C was rejected, and reads why.
    let rejected = app
        .get_json_as(&c, &format!("/me/event-registrations/{rc}"))
        .await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "Adults only.");

    // Staff move B back to the waiting list: B stays there (the place is
    // not handed straight back to B), and nobody else waits.
    expect_status(
        decide(&app, &staff, &id, &rb, &decision("waitlist", None)).await,
        200,
    )
    .await;
    let mine = app
        .get_json_as(&b, &format!("/me/event-registrations/{rb}"))
        .await;
    assert_eq!(mine["status"], "waitlisted");
}

#[tokio::test]
async fn a_place_freed_by_withdrawing_the_grant_goes_to_the_waiting_list() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 2).await;
    let (a, ra) = registrant(&app, &id, 1).await;
    let (b, rb) = registrant(&app, &id, 2).await;
    let (_c, rc) = registrant(&app, &id, 3).await;
    for (rid, what) in [(&ra, "approve"), (&rc, "approve"), (&rb, "waitlist")] {
        expect_status(
            decide(&app, &staff, &id, rid, &decision(what, None)).await,
            200,
        )
        .await;
    }
    // A withdraws the grant: cancelled, and B (waiting) moves up.
    assert_eq!(
        app.set_consent(&a, "event_registration", false)
            .await
            .status(),
        200
    );
    let a_now = app
        .get_json_as(&a, &format!("/me/event-registrations/{ra}"))
        .await;
    assert_eq!(a_now["status"], "cancelled");
    let b_now = app
        .get_json_as(&b, &format!("/me/event-registrations/{rb}"))
        .await;
    assert_eq!(b_now["status"], "approved");
    // And B is told: the waitlisting, then the move up.
    let told = items_of(&app.notifications(&b).await)
        .iter()
        .filter(|n| n["kind"] == "event_decision" && n["registration_id"] == rb.as_str())
        .count();
    assert_eq!(told, 2);
    // Staff may not shrink the event below its approvals (B and C).
    let path = format!("/admin/events/{id}");
    let resp = app.patch_as(&staff, &path, &json!({ "capacity": 1 })).await;
    assert_problem(resp, 409, "conflict").await;
    let resp = app.patch_as(&staff, &path, &json!({ "capacity": 3 })).await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn two_hundred_concurrent_registrations_and_approvals_never_exceed_capacity() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 10).await;
    let mut users = Vec::new();
    for _ in 0..200 {
        let user = app.register().await;
        app.grant(&user, "event_registration").await;
        users.push(user);
    }
    let registering = users.iter().enumerate().map(|(i, user)| {
        let body = json!({
            "real_name": "王小明", "contact_phone": "13912345678",
            "national_id_number": national_id("19900101", i as u32),
            "shipping_address": "广东省深圳市南山区科技园一路8号",
        });
        let id = id.clone();
        let app = &app;
        async move { app.register_for(user, &id, &body).await.status().as_u16() }
    });
    let statuses = join_all(registering).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let list = app
        .get_json_as(
            &staff,
            &format!("/admin/events/{id}/registrations?limit=50"),
        )
        .await;
    let mut rids: Vec<String> = items_of(&list).iter().map(|r| r.id()).collect();
    let mut cursor = list["next_cursor"].as_str().map(str::to_owned);
    while let Some(after) = cursor {
        let page = app
            .get_json_as(
                &staff,
                &format!("/admin/events/{id}/registrations?limit=50&cursor={after}"),
            )
            .await;
        rids.extend(items_of(&page).iter().map(|r| r.id()));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(rids.len(), 200);
    let approving = rids.iter().map(|rid| {
        let app = &app;
        let (staff, id) = (&staff, &id);
        async move {
            decide(app, staff, id, rid, &decision("approve", None))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(approving).await;
    let approved = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((approved, refused), (10, 190), "{statuses:?}");
    let stored = app
        .sql_count("SELECT COUNT(*) FROM event_registrations WHERE status = 'approved'")
        .await;
    assert_eq!(stored, 10);
}

#[tokio::test]
async fn a_shipping_list_holds_approved_registrants_and_each_finds_it_in_their_log() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 5).await;
    let (a, ra) = registrant(&app, &id, 1).await;
    let (b, rb) = registrant(&app, &id, 2).await;
    expect_status(
        decide(&app, &staff, &id, &ra, &decision("approve", None)).await,
        200,
    )
    .await;
    let path = format!("/admin/events/{id}/shipping-list");
    assert_invalid(
        app.post_as(&staff, &path, &json!({ "reason": "" })).await,
        "reason",
        None,
    )
    .await;
    let why = "Handing the kits to the courier.";
    let resp = app.post_as(&staff, &path, &json!({ "reason": why })).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "registration_id,real_name,contact_phone,shipping_address"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(
        lines[1],
        format!("{ra},王小明,+8613912345678,广东省深圳市南山区科技园一路8号")
    );
    assert!(!csv.contains(&rb));
    let logged = |user: &TestUser| {
        let app = &app;
        let user = user.token.clone();
        async move {
            let page = app.get_json_as(&user, "/me/processing-log").await;
            items_of(&page)
                .into_iter()
                .filter(|r| r["operation_id"] == "admin_event_shipping_list")
                .collect::<Vec<Value>>()
        }
    };
    let a_log = logged(&a).await;
    assert_eq!(a_log.len(), 1);
    assert_eq!(a_log[0]["reason"], why);
    assert!(logged(&b).await.is_empty());
    let audit = items_of(&app.get_json_as(&staff, "/admin/audit-log").await);
    assert!(audit
        .iter()
        .any(|e| e["action"] == "shipping_list" && e["subject_id"] == a.id.as_str()));

    // My approved registration's event in a calendar; nothing of mine in it.
    let ics = app
        .get_as(&a, &format!("/me/event-registrations/{ra}/calendar.ics"))
        .await;
    assert_eq!(ics.status(), 200);
    let ics = ics.text().await.unwrap();
    assert!(
        ics.contains("SUMMARY:Trial kits") && !ics.contains("王小明"),
        "{ics}"
    );
    let pending = app
        .get_as(&b, &format!("/me/event-registrations/{rb}/calendar.ics"))
        .await;
    assert_problem(pending, 409, "conflict").await;
    let theirs = app
        .get_as(&b, &format!("/me/event-registrations/{ra}/calendar.ics"))
        .await;
    assert_problem(theirs, 404, "not_found").await;

    // An event that ships nothing has no shipping list.
    let online = app
        .create_event(&staff, &event_body("Online Q&A", &["real_name"], false))
        .await
        .id();
    let resp = app
        .post_as(
            &staff,
            &format!("/admin/events/{online}/shipping-list"),
            &json!({ "reason": why }),
        )
        .await;
    assert_problem(resp, 409, "conflict").await;
}

#[tokio::test]
async fn no_user_reaches_another_users_registration_or_a_staff_route() {
    let app = spawn_app_with(generous_limits).await;
    let staff = app.moderator().await;
    let id = event(&app, &staff, 5).await;
    let (_owner, rid) = registrant(&app, &id, 1).await;
    let other = app.register().await;
    // Another user's registration, by every route that takes one: not found.
    for (method, path) in [
        (
            reqwest::Method::GET,
            format!("/me/event-registrations/{rid}"),
        ),
        (
            reqwest::Method::DELETE,
            format!("/me/event-registrations/{rid}"),
        ),
        (
            reqwest::Method::GET,
            format!("/me/event-registrations/{rid}/calendar.ics"),
        ),
    ] {
        let resp = app.send_as(&other, method, &path).await;
        assert_problem(resp, 404, "not_found").await;
    }
    // Every staff route, with a body that is valid and one that is not:
    // the role is checked first.
    let staff_routes = [
        (reqwest::Method::POST, "/admin/events".to_owned()),
        (reqwest::Method::PATCH, format!("/admin/events/{id}")),
        (
            reqwest::Method::GET,
            format!("/admin/events/{id}/registrations"),
        ),
        (
            reqwest::Method::POST,
            format!("/admin/events/{id}/registrations/{rid}/decision"),
        ),
        (
            reqwest::Method::POST,
            format!("/admin/events/{id}/registrations/{rid}/reveal"),
        ),
        (
            reqwest::Method::POST,
            format!("/admin/events/{id}/shipping-list"),
        ),
        (reqwest::Method::GET, "/admin/audit-log".to_owned()),
    ];
    for (method, path) in staff_routes {
        for body in [
            json!({ "decision": "approve", "items": ["real_name"], "reason": "x" }),
            json!({ "capacity": "lots" }),
        ] {
            let resp = app.send_json_as(&other, method.clone(), &path, &body).await;
            assert_problem(resp, 403, "forbidden").await;
        }
    }
    // And nothing moved.
    let registration = app
        .get_json_as(&staff, &format!("/admin/events/{id}/registrations"))
        .await;
    assert_eq!(items_of(&registration)[0]["status"], "pending");
}
