//! Closed sets stored as text: a value the code does not know is an error
//! that says so, never a silent default (an unknown role is not `user`, an
//! unknown erasure scope not the one that erases less).
use sea_orm::ConnectionTrait;

use crate::helpers::{assert_problem, run_purge, short_cooling_off, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_unknown_stored_role_is_a_server_error_not_a_plain_user() {
    let app = spawn_app().await;
    let user = app.register().await;
    assert_eq!(app.me(&user).await.status(), 200);
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE users SET role = 'superuser' WHERE id = '{}'",
            user.id
        ))
        .await
        .unwrap();
    // Neither served as a plain user nor taken for anonymous.
    assert_problem(app.me(&user).await, 500, "internal").await;
    assert_problem(app.get_as(&user, "/plaza").await, 500, "internal").await;
}

#[tokio::test]
async fn an_unknown_stored_erasure_scope_fails_the_purge_loudly_and_retention_still_runs() {
    let app = spawn_app_with(short_cooling_off).await;
    let user = app.register().await;
    let resp = app.request_deregistration(&user, "account", "delete").await;
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap());
    app.state
        .db
        .execute_unprepared("UPDATE deregistrations SET scope = 'everything'")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let report = run_purge(&app).await;
    assert!(report.ran);
    assert_eq!(report.completed, 0, "nothing was erased by a guess");
    assert!(report.failed >= 1, "{report:?}");
    assert!(
        !report.retention.is_empty(),
        "retention rules ran: {report:?}"
    );
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn an_upload_of_an_unknown_stored_kind_is_not_served_as_anything() {
    let app = spawn_app().await;
    let user = app.register().await;
    let upload = app
        .upload_attachment(&user, b"%PDF-1.4\n%%EOF\n".to_vec(), "a.pdf")
        .await;
    let url = upload["url"].as_str().unwrap();
    let served = app.fetch(url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-disposition"], "attachment");
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE uploads SET kind = 'hologram' WHERE id = '{}'",
            upload["id"].as_str().unwrap()
        ))
        .await
        .unwrap();
    // Not guessed into an inline image, nor into a download: refused.
    assert_eq!(app.fetch(url).await.status(), 500);
}

#[tokio::test]
async fn a_message_that_does_not_decrypt_is_an_error_not_an_empty_message() {
    let app = spawn_app().await;
    let a = app.register().await;
    let b = app.register().await;
    let conversation = app.open_conversation(&a, &b).await;
    app.send_text(&a, &conversation, "sealed words").await;
    assert_eq!(app.messages(&b, &conversation).await.len(), 1);
    // Written with another key, or corrupted on disk.
    app.state
        .db
        .execute_unprepared("UPDATE messages SET text_ciphertext = 'bm90IGEgY2lwaGVydGV4dA=='")
        .await
        .unwrap();
    let path = format!("/conversations/{conversation}/messages");
    assert_problem(app.get_as(&b, &path).await, 500, "internal").await;
    assert_problem(app.get_as(&a, "/me/export").await, 500, "internal").await;
}
