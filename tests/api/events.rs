//! Official events: what each collects and why, registering with exactly
//! that, ID numbers checked and kept once per person, my registrations
//! mine alone, withdrawal erasing what I gave, the calendar file.
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, event_body, expect_status, fields, items_of, national_id,
    spawn_app, HasId, TestApp, ALL_EVENT_ITEMS,
};

/// A moderator's event collecting `items`.
async fn event(app: &TestApp, items: &[&str], ships: bool) -> String {
    let staff = app.moderator().await;
    app.create_event(&staff, &event_body("Launch meet-up", items, ships))
        .await
        .id()
}

/// A registration body giving every item in `items`.
fn giving(items: &[&str], marker: &str, id_number: &str) -> Value {
    let mut body = json!({});
    for item in items {
        body[*item] = match *item {
            "gender" => json!("female"),
            "contact_phone" => json!("13912345678"),
            "national_id_number" => json!(id_number),
            other => json!(format!("{marker}-{other}")),
        };
    }
    body
}

#[tokio::test]
async fn staff_publish_an_event_and_everyone_reads_what_it_collects_and_why() {
    let app = spawn_app().await;
    let id = event(&app, &["real_name", "contact_phone"], false).await;
    let shown = app.get_json(&format!("/events/{id}")).await;
    let collects = shown["collects"].as_array().unwrap();
    assert_eq!(collects.len(), 2);
    assert_eq!(collects[0]["item"], "real_name");
    assert_eq!(collects[0]["reason"], "we need the real_name");
    assert_eq!(collects[0]["sensitive"], false);
    assert_eq!(collects[1]["item"], "contact_phone");
    assert_eq!(collects[1]["sensitive"], true);
    assert_eq!(shown["online"], false);
    let listed = items_of(&app.get_json("/events").await);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(items_of(&app.get_json("/events?city=Beijing").await).is_empty());
    assert!(items_of(&app.get_json("/events?when=past").await).is_empty());

    // A user may not publish, whatever the body says.
    let user = app.register().await;
    let resp = app.try_create_event(&user, &json!({ "title": "" })).await;
    assert_problem(resp, 403, "forbidden").await;
}

#[tokio::test]
async fn an_event_that_ships_nothing_cannot_ask_for_an_address() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let body = event_body("Online Q&A", &["real_name", "shipping_address"], false);
    let resp = app.try_create_event(&staff, &body).await;
    assert_invalid(resp, "items[1]", Some("not_needed")).await;
    let body = event_body("Trial kits", &["real_name", "shipping_address"], true);
    app.create_event(&staff, &body).await;
}

#[tokio::test]
async fn registration_takes_exactly_the_declared_items() {
    let app = spawn_app().await;
    let id = event(&app, &["real_name", "contact_phone"], false).await;
    let user = app.register().await;
    // Exactly: a sensitive item needs the purpose granted first.
    let exact = giving(&["real_name", "contact_phone"], "m", "");
    let resp = app.register_for(&user, &id, &exact).await;
    assert_problem(resp, 403, "consent_required").await;
    app.grant(&user, "event_registration").await;
    // More than declared: 422 naming what the event does not collect.
    let extra = giving(&["real_name", "contact_phone", "city"], "m", "");
    let problem = assert_problem(
        app.register_for(&user, &id, &extra).await,
        422,
        "undeclared_items",
    )
    .await;
    assert_eq!(fields(&problem), ["city"]);
    // Fewer: 400 naming what it needs.
    let missing = giving(&["real_name"], "m", "");
    let resp = app.register_for(&user, &id, &missing).await;
    assert_invalid(resp, "contact_phone", Some("required")).await;
    let created = expect_status(app.register_for(&user, &id, &exact).await, 201).await;
    assert_eq!(created["status"], "pending");
    assert!(created.get("details").is_none());
    let mine = items_of(&app.get_json_as(&user, "/me/event-registrations").await);
    assert_eq!(mine[0]["id"], created["id"]);
    let one = app
        .get_json_as(&user, &format!("/me/event-registrations/{}", created.id()))
        .await;
    assert_eq!(one["details"]["real_name"], "m-real_name");
    assert_eq!(one["details"]["contact_phone"], "+8613912345678");
    // Once per account.
    let again = app.register_for(&user, &id, &exact).await;
    assert_problem(again, 409, "conflict").await;
}

#[tokio::test]
async fn id_numbers_are_checked_kept_encrypted_and_registered_once_per_person() {
    let app = spawn_app().await;
    let id = event(&app, &["national_id_number"], false).await;
    let (a, b) = (app.register().await, app.register().await);
    for user in [&a, &b] {
        app.grant(user, "event_registration").await;
    }
    let number = national_id("19900101", 123);
    let mut wrong = number.clone();
    wrong.replace_range(17.., if number.ends_with('1') { "2" } else { "1" });
    for bad in [
        wrong,
        national_id("20990101", 1),
        national_id("19900230", 1),
    ] {
        let resp = app
            .register_for(&a, &id, &giving(&["national_id_number"], "", &bad))
            .await;
        assert_invalid(resp, "national_id_number", Some("invalid_national_id")).await;
    }
    expect_status(
        app.register_for(&a, &id, &giving(&["national_id_number"], "", &number))
            .await,
        201,
    )
    .await;
    // The same person from another account: once per event.
    let resp = app
        .register_for(&b, &id, &giving(&["national_id_number"], "", &number))
        .await;
    assert_problem(resp, 409, "conflict").await;
    // Never in clear in the database.
    let clear = app
        .sql_count(&format!(
            "SELECT COUNT(*) FROM event_registrations WHERE national_id LIKE '%{number}%' \
             OR national_id_index LIKE '%{number}%'"
        ))
        .await;
    assert_eq!(clear, 0);
    // Under 14: a guardian consents first.
    let child = national_id(
        &(chrono::Utc::now() - chrono::Duration::days(365 * 10))
            .format("%Y%m%d")
            .to_string(),
        7,
    );
    let resp = app
        .register_for(&b, &id, &giving(&["national_id_number"], "", &child))
        .await;
    assert_problem(resp, 403, "guardian_consent_required").await;
    assert_eq!(app.count("event_registrations").await, 1);
}

#[tokio::test]
async fn my_registrations_are_mine_alone_and_withdrawing_erases_what_i_gave() {
    let app = spawn_app().await;
    let id = event(&app, &["real_name", "city"], false).await;
    let (me, other) = (app.register().await, app.register().await);
    let mine = giving(&["real_name", "city"], "mkrwithdraw", "");
    let created = expect_status(app.register_for(&me, &id, &mine).await, 201).await;
    let path = format!("/me/event-registrations/{}", created.id());
    for method in [Method::GET, Method::DELETE] {
        let resp = app.send_as(&other, method, &path).await;
        assert_problem(resp, 404, "not_found").await;
    }
    assert!(items_of(&app.get_json_as(&other, "/me/event-registrations").await).is_empty());

    assert_eq!(app.delete_as(&me, &path).await.status(), 204);
    let after = app.get_json_as(&me, &path).await;
    assert_eq!(after["status"], "cancelled");
    assert!(after["details"]["real_name"].is_null(), "{after}");
    let kept = app
        .sql_count(
            "SELECT COUNT(*) FROM event_registrations WHERE real_name IS NOT NULL OR city IS NOT NULL \
             OR gender IS NOT NULL OR contact_phone IS NOT NULL OR national_id IS NOT NULL \
             OR national_id_index IS NOT NULL OR shipping_address IS NOT NULL",
        )
        .await;
    assert_eq!(kept, 0);
    // Withdrawn, I may register again.
    expect_status(app.register_for(&me, &id, &mine).await, 201).await;
}

#[tokio::test]
async fn registration_outside_its_window_is_refused() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let mut body = event_body("Later", &["real_name"], false);
    let opens = chrono::Utc::now() + chrono::Duration::days(1);
    body["registration_opens_at"] = json!(opens);
    let id = app.create_event(&staff, &body).await.id();
    let user = app.register().await;
    let resp = app
        .register_for(&user, &id, &giving(&["real_name"], "m", ""))
        .await;
    assert_problem(resp, 409, "registration_closed").await;
}

#[tokio::test]
async fn the_calendar_file_describes_the_event_and_nobody_in_it() {
    let app = spawn_app().await;
    let id = event(&app, &["real_name"], false).await;
    let user = app.register().await;
    let body = giving(&["real_name"], "mkrcalendar", "");
    expect_status(app.register_for(&user, &id, &body).await, 201).await;
    let resp = app.get_anon(&format!("/events/{id}/calendar.ics")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = resp.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains("SUMMARY:Launch meet-up"), "{ics}");
    assert!(ics.contains("LOCATION:Shenzhen"), "{ics}");
    assert!(!ics.contains("mkrcalendar"));
}

#[tokio::test]
async fn with_the_location_grant_my_citys_events_come_first() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let mut beijing = event_body("Beijing day", &[], false);
    beijing["city"] = json!("Beijing");
    // Beijing's starts later than Shenzhen's: without a city, it is second.
    beijing["starts_at"] = json!(chrono::Utc::now() + chrono::Duration::days(11));
    beijing["ends_at"] = json!(chrono::Utc::now() + chrono::Duration::days(12));
    let beijing = app.create_event(&staff, &beijing).await.id();
    app.create_event(&staff, &event_body("Shenzhen day", &[], false))
        .await;
    let user = app.register().await;
    let first = |page: Value| items_of(&page)[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(first(app.get_json_as(&user, "/events").await), beijing);
    app.grant(&user, "location").await;
    assert_eq!(app.set_city(&user, "Beijing").await.status(), 204);
    assert_eq!(first(app.get_json_as(&user, "/events").await), beijing);
}

#[tokio::test]
async fn the_catalog_lists_the_registration_as_collecting_every_event_item() {
    let app = spawn_app().await;
    let catalog = app.get_json("/privacy/catalog").await;
    let purpose = catalog["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "event_registration")
        .unwrap();
    for item in purpose["items"].as_array().unwrap() {
        let by: Vec<&str> = item["collected_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["operation_id"].as_str().unwrap())
            .collect();
        assert!(by.contains(&"events_register"), "{item}");
        assert!(ALL_EVENT_ITEMS.contains(&item["key"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn withdrawing_the_purpose_cancels_my_registrations_and_erases_them() {
    let app = spawn_app().await;
    let id = event(&app, &["real_name", "contact_phone"], false).await;
    let user = app.register().await;
    app.grant(&user, "event_registration").await;
    let body = giving(&["real_name", "contact_phone"], "mkrwithdrawn", "");
    let created = expect_status(app.register_for(&user, &id, &body).await, 201).await;
    let resp = app.set_consent(&user, "event_registration", false).await;
    assert_eq!(resp.status(), 200);
    let after = app
        .get_json_as(&user, &format!("/me/event-registrations/{}", created.id()))
        .await;
    assert_eq!(after["status"], "cancelled");
    assert!(after["details"]["real_name"].is_null(), "{after}");
    // And with the purpose withdrawn, sensitive items are refused.
    let resp = app.register_for(&user, &id, &body).await;
    assert_problem(resp, 403, "consent_required").await;
}

#[tokio::test]
async fn under_fourteen_a_guardians_code_unlocks_the_registration() {
    let app = spawn_app().await;
    let id = event(&app, &["national_id_number"], false).await;
    let child = app.register().await;
    app.grant(&child, "event_registration").await;
    let birth = (chrono::Utc::now() - chrono::Duration::days(365 * 10))
        .format("%Y%m%d")
        .to_string();
    let body = giving(&["national_id_number"], "", &national_id(&birth, 9));
    let resp = app.register_for(&child, &id, &body).await;
    assert_problem(resp, 403, "guardian_consent_required").await;

    let subject = json!({ "kind": "event", "id": id });
    // My own number is no guardian's.
    app.grant(&child, "guardian_verification").await;
    let mine = json!({ "subject": subject, "guardian_phone": child.phone });
    let resp = app.post_as(&child, "/guardian-consents/codes", &mine).await;
    assert_invalid(resp, "guardian_phone", Some("own_phone")).await;
    app.set_consent(&child, "guardian_verification", false)
        .await;
    let guardian = crate::helpers::new_phone();
    let ask = json!({ "subject": subject, "guardian_phone": guardian });
    // The guardian's number is sensitive: its purpose is granted first.
    let resp = app.post_as(&child, "/guardian-consents/codes", &ask).await;
    assert_problem(resp, 403, "consent_required").await;
    app.grant(&child, "guardian_verification").await;
    assert_eq!(
        app.post_as(&child, "/guardian-consents/codes", &ask)
            .await
            .status(),
        202
    );
    let wrong = json!({ "subject": subject, "guardian_phone": guardian, "sms_code": "000000" });
    let resp = app.post_as(&child, "/guardian-consents", &wrong).await;
    assert_problem(resp, 400, "sms_code_invalid").await;
    let code = crate::helpers::guardian_code(&app, &child, &id, &guardian);
    let right = json!({ "subject": subject, "guardian_phone": guardian, "sms_code": code });
    let given = expect_status(app.post_as(&child, "/guardian-consents", &right).await, 201).await;
    assert_eq!(given["subject_id"], id.as_str());

    let created = expect_status(app.register_for(&child, &id, &body).await, 201).await;
    assert_eq!(created["guardian_consent_at"], given["given_at"]);
    // Consent for this event only.
    let other = event(&app, &["national_id_number"], false).await;
    let resp = app.register_for(&child, &other, &body).await;
    assert_problem(resp, 403, "guardian_consent_required").await;
}

#[tokio::test]
async fn events_page_in_order_even_when_the_cursors_event_ends_between_pages() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let mut ids = Vec::new();
    for day in [3, 5, 7] {
        let mut body = event_body(&format!("Day {day}"), &[], false);
        body["starts_at"] = json!(chrono::Utc::now() + chrono::Duration::days(day));
        body["ends_at"] = json!(chrono::Utc::now() + chrono::Duration::days(day + 1));
        body["registration_closes_at"] = json!(chrono::Utc::now() + chrono::Duration::days(1));
        ids.push(app.create_event(&staff, &body).await.id());
    }
    let first = app.get_json("/events?limit=1").await;
    assert_eq!(items_of(&first)[0]["id"], ids[0].as_str());
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    // The first event ends (moved to the past) before the next page is read.
    use sea_orm::ConnectionTrait;
    let cast = crate::helpers::timestamp_cast();
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let sql = format!(
        "UPDATE events SET ends_at = '{past}'{cast} WHERE id = '{}'",
        ids[0]
    );
    app.state.db.execute_unprepared(&sql).await.unwrap();
    let second = app
        .get_json(&format!("/events?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(items_of(&second)[0]["id"], ids[1].as_str());
    let cursor = second["next_cursor"].as_str().unwrap().to_owned();
    let third = app
        .get_json(&format!("/events?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(items_of(&third)[0]["id"], ids[2].as_str());
    assert!(third.get("next_cursor").is_none(), "{third}");
}

#[tokio::test]
async fn a_registration_and_a_change_of_items_never_both_succeed() {
    // Once anyone registered, the items are frozen; a registration checks
    // the items as they are. Racing each other, one of the two loses.
    let app = crate::helpers::spawn_app_with(crate::helpers::generous_limits).await;
    let staff = app.moderator().await;
    for _ in 0..20 {
        let id = event(&app, &["real_name"], false).await;
        let user = app.register().await;
        let body = giving(&["real_name"], "", "");
        let path = format!("/admin/events/{id}");
        let change = json!({ "items": [{ "item": "city", "reason": "to group by city" }] });
        let (registered, changed) = tokio::join!(
            app.register_for(&user, &id, &body),
            app.patch_as(&staff, &path, &change),
        );
        let (registered, changed) = (registered.status(), changed.status());
        assert!(
            !(registered == 201 && changed == 200),
            "both succeeded: a registration under items the event no longer lists"
        );
        assert!(
            registered == 201 || changed == 200,
            "{registered} {changed}"
        );
    }
}

#[tokio::test]
async fn past_events_list_even_one_that_ended_before_1970() {
    let app = spawn_app().await;
    let staff = app.moderator().await;
    let mut body = event_body("Moon landing party", &[], false);
    for (field, at) in [
        ("starts_at", "1969-07-20T20:00:00Z"),
        ("ends_at", "1969-07-21T04:00:00Z"),
        ("registration_opens_at", "1969-07-01T00:00:00Z"),
        ("registration_closes_at", "1969-07-19T00:00:00Z"),
    ] {
        body[field] = json!(at);
    }
    let old = app.create_event(&staff, &body).await.id();
    let mut body = event_body("Last week", &[], false);
    body["starts_at"] = json!(chrono::Utc::now() - chrono::Duration::days(7));
    body["ends_at"] = json!(chrono::Utc::now() - chrono::Duration::days(6));
    body["registration_opens_at"] = json!(chrono::Utc::now() - chrono::Duration::days(9));
    body["registration_closes_at"] = json!(chrono::Utc::now() - chrono::Duration::days(8));
    let recent = app.create_event(&staff, &body).await.id();
    let user = app.register().await;
    let first = app.get_json_as(&user, "/events?when=past&limit=1").await;
    assert_eq!(items_of(&first)[0]["id"], recent.as_str());
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json_as(&user, &format!("/events?when=past&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(items_of(&second)[0]["id"], old.as_str());
}
