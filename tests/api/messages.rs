//! Private messages: conversations, messages and their attachments, read
//! positions, recall, blocking, who may touch what, and flood control.
use std::time::Duration;

use agora::platform::ratelimit::ActionClass;
use reqwest::Response;
use serde_json::{json, Value};

use crate::{
    helpers::{
        assert_problem, fields, generous_message_limits, json_of, spawn_app, spawn_app_with,
        TestApp, TestUser,
    },
    realtime::{connect_ws, next_event},
    uploads::{png_bytes, upload},
};

const NOBODY: &str = "01900000-0000-7000-8000-000000000000";

// ---------------------------------------------------------------- helpers

async fn open_conversation(app: &TestApp, me: &TestUser, peer_id: &str) -> Response {
    app.post("/conversations")
        .bearer_auth(&me.token)
        .json(&json!({ "peer_id": peer_id }))
        .send()
        .await
        .unwrap()
}

/// The id of the conversation between `me` and `peer`, created if need be.
pub async fn new_conversation(app: &TestApp, me: &TestUser, peer: &TestUser) -> String {
    let resp = open_conversation(app, me, &peer.id).await;
    assert!(
        matches!(resp.status().as_u16(), 200 | 201),
        "{}",
        resp.status()
    );
    id_of(&json_of(resp).await)
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn ids(values: &[Value]) -> Vec<String> {
    values.iter().map(id_of).collect()
}

fn texts(messages: &[Value]) -> Vec<&str> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

fn client_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn send(app: &TestApp, me: &TestUser, conversation: &str, body: Value) -> Response {
    app.post(&format!("/conversations/{conversation}/messages"))
        .bearer_auth(&me.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Sends `text`; returns the created message.
pub async fn send_text(app: &TestApp, me: &TestUser, conversation: &str, text: &str) -> Value {
    let body = json!({ "client_id": client_id(), "kind": "text", "text": text });
    let resp = send(app, me, conversation, body).await;
    assert_eq!(resp.status(), 201);
    json_of(resp).await
}

async fn send_upload(
    app: &TestApp,
    me: &TestUser,
    conversation: &str,
    kind: &str,
    upload_id: &Value,
) -> Response {
    let body = json!({ "client_id": client_id(), "kind": kind, "upload_id": upload_id });
    send(app, me, conversation, body).await
}

async fn items(app: &TestApp, me: &TestUser, path: &str) -> Vec<Value> {
    let resp = app.get(path).bearer_auth(&me.token).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    json_of(resp).await["items"].as_array().unwrap().clone()
}

async fn messages(app: &TestApp, me: &TestUser, conversation: &str) -> Vec<Value> {
    items(app, me, &format!("/conversations/{conversation}/messages")).await
}

async fn conversations(app: &TestApp, me: &TestUser) -> Vec<Value> {
    items(app, me, "/conversations").await
}

/// The conversation as it shows in my list, if it does.
async fn listed(app: &TestApp, me: &TestUser, conversation: &str) -> Option<Value> {
    conversations(app, me)
        .await
        .into_iter()
        .find(|c| c["id"] == conversation)
}

async fn mark_read(app: &TestApp, me: &TestUser, conversation: &str, up_to: &Value) -> Response {
    app.post(&format!("/conversations/{conversation}/read"))
        .bearer_auth(&me.token)
        .json(&json!({ "up_to": up_to }))
        .send()
        .await
        .unwrap()
}

async fn recall(app: &TestApp, me: &TestUser, message: &Value) -> Response {
    app.delete(&format!("/messages/{}", id_of(message)))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap()
}

pub async fn block(app: &TestApp, me: &TestUser, user_id: &str) -> Response {
    app.put(&format!("/users/{user_id}/block"))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap()
}

/// A problem naming exactly `field`, with that field's `code` when given.
async fn assert_invalid(resp: Response, field: &str, code: Option<&str>) {
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), [field], "{problem}");
    if let Some(code) = code {
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
}

// ---------------------------------------------------------------- conversations

#[tokio::test]
async fn opening_a_conversation_creates_it_once_for_both_sides() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let resp = open_conversation(&app, &a, &b.id).await;
    assert_eq!(resp.status(), 201);
    let created = json_of(resp).await;
    assert_eq!(created["peer"]["id"], b.id);
    assert_eq!(created["peer"]["nickname"], "tester");
    assert!(created["last_message"].is_null());
    assert_eq!(created["unread_count"], 0);
    assert!(created["updated_at"].is_string());

    let again = open_conversation(&app, &a, &b.id).await;
    assert_eq!(again.status(), 200);
    assert_eq!(json_of(again).await["id"], created["id"]);
    let theirs = open_conversation(&app, &b, &a.id).await;
    assert_eq!(theirs.status(), 200);
    let theirs = json_of(theirs).await;
    assert_eq!(theirs["id"], created["id"]);
    assert_eq!(theirs["peer"]["id"], a.id);
}

#[tokio::test]
async fn conversations_are_listed_by_latest_activity_with_last_message_and_unread_count() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let with_b = new_conversation(&app, &b, &a).await;
    let with_c = new_conversation(&app, &c, &a).await;
    send_text(&app, &c, &with_c, "one").await;
    send_text(&app, &c, &with_c, "two").await;
    send_text(&app, &b, &with_b, "hello").await;

    let list = conversations(&app, &a).await;
    assert_eq!(ids(&list), [with_b.as_str(), with_c.as_str()]);
    assert_eq!(list[0]["peer"]["id"], b.id);
    assert_eq!(list[0]["last_message"]["text"], "hello");
    assert_eq!(list[0]["unread_count"], 1);
    assert_eq!(list[1]["peer"]["id"], c.id);
    assert_eq!(list[1]["last_message"]["text"], "two");
    assert_eq!(list[1]["unread_count"], 2);
    // Answering brings a conversation to the top.
    send_text(&app, &a, &with_c, "three").await;
    assert_eq!(
        ids(&conversations(&app, &a).await),
        [with_c.as_str(), with_b.as_str()]
    );
}

#[tokio::test]
async fn removing_a_conversation_clears_it_for_me_until_a_new_message_arrives() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    send_text(&app, &a, &id, "before").await;
    send_text(&app, &b, &id, "also before").await;
    let resp = app
        .delete(&format!("/conversations/{id}"))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(listed(&app, &a, &id).await.is_none());
    assert!(messages(&app, &a, &id).await.is_empty());
    // The peer keeps theirs.
    assert!(listed(&app, &b, &id).await.is_some());
    assert_eq!(
        texts(&messages(&app, &b, &id).await),
        ["also before", "before"]
    );

    send_text(&app, &b, &id, "after").await;
    let back = listed(&app, &a, &id)
        .await
        .expect("a new message brings it back");
    assert_eq!(back["last_message"]["text"], "after");
    assert_eq!(back["unread_count"], 1);
    assert_eq!(texts(&messages(&app, &a, &id).await), ["after"]);
}

#[tokio::test]
async fn a_conversation_with_myself_or_with_nobody_is_refused() {
    let app = spawn_app().await;
    let a = app.register().await;
    assert_invalid(
        open_conversation(&app, &a, &a.id).await,
        "peer_id",
        Some("self"),
    )
    .await;
    let problem = assert_problem(open_conversation(&app, &a, NOBODY).await, 404, "not_found").await;
    assert_eq!(fields(&problem), ["peer_id"]);
    assert!(conversations(&app, &a).await.is_empty());
}

#[tokio::test]
async fn conversations_page_through_the_cursor() {
    let app = spawn_app_with(generous_message_limits).await;
    let me = app.register().await;
    let mut opened = Vec::new();
    for _ in 0..3 {
        let peer = app.register().await;
        opened.push(new_conversation(&app, &me, &peer).await);
    }
    opened.reverse();
    assert_eq!(walk_pages(&app, &me, "/conversations", 2).await, opened);
}

/// The ids of every item of a list, fetched `limit` at a time.
async fn walk_pages(app: &TestApp, me: &TestUser, path: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut query = vec![("limit", limit.to_string())];
        query.extend(cursor.take().map(|c| ("cursor", c)));
        let resp = app
            .get(path)
            .query(&query)
            .bearer_auth(&me.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path} {query:?}");
        let page = json_of(resp).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        seen.extend(ids(items));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("{path} did not end within ten pages");
}

// ---------------------------------------------------------------- messages

#[tokio::test]
async fn text_messages_are_listed_newest_first_for_both_participants() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let first = send_text(&app, &a, &id, "你好").await;
    assert_eq!(first["conversation_id"], id.as_str());
    assert_eq!(first["sender_id"], a.id);
    assert_eq!(first["kind"], "text");
    assert_eq!(first["recalled"], false);
    assert!(first["attachment"].is_null());
    assert!(first["client_id"].is_string() && first["created_at"].is_string());
    send_text(&app, &b, &id, "hi").await;
    send_text(&app, &a, &id, "周末一起拍照?").await;

    for user in [&a, &b] {
        let seen = messages(&app, user, &id).await;
        assert_eq!(texts(&seen), ["周末一起拍照?", "hi", "你好"]);
        assert_eq!(seen[2], first);
    }
}

#[tokio::test]
async fn messages_page_through_the_cursor_newest_first() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(id_of(
            &send_text(&app, &a, &id, &format!("message {i}")).await,
        ));
    }
    sent.reverse();
    let path = format!("/conversations/{id}/messages");
    assert_eq!(walk_pages(&app, &b, &path, 2).await, sent);
}

#[tokio::test]
async fn resending_with_the_same_client_id_returns_the_first_message() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let body = json!({ "client_id": "phone-7f3a-1", "kind": "text", "text": "只发一次" });
    let first = send(&app, &a, &id, body.clone()).await;
    assert_eq!(first.status(), 201);
    let first = json_of(first).await;
    let again = send(&app, &a, &id, body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(json_of(again).await["id"], first["id"]);
    assert_eq!(messages(&app, &b, &id).await.len(), 1);
    // The same client id from the peer is the peer's own message.
    let theirs = send(&app, &b, &id, body).await;
    assert_eq!(theirs.status(), 201);
    assert_ne!(json_of(theirs).await["id"], first["id"]);
    assert_eq!(messages(&app, &a, &id).await.len(), 2);
}

#[tokio::test]
async fn an_image_message_carries_my_upload() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let image = json_of(upload(&app, &a.token, png_bytes(), "a.png").await).await;
    let resp = send_upload(&app, &a, &id, "image", &image["id"]).await;
    assert_eq!(resp.status(), 201);
    let sent = json_of(resp).await;
    assert_eq!(sent["kind"], "image");
    assert!(sent["text"].is_null());

    let seen = &messages(&app, &b, &id).await[0];
    assert_eq!(seen["id"], sent["id"]);
    let attachment = &seen["attachment"];
    assert_eq!(attachment["upload_id"], image["id"]);
    for key in ["kind", "content_type", "bytes"] {
        assert_eq!(attachment[key], image[key], "{key}");
    }
    // The peer can open it.
    let url = format!("{}{}", app.address, attachment["url"].as_str().unwrap());
    let resp = app.client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("private"));
}

#[tokio::test]
async fn a_sent_attachment_opens_only_through_its_signed_link() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let image = json_of(upload(&app, &a.token, png_bytes(), "a.png").await).await;
    let plain = format!("{}{}", app.address, image["url"].as_str().unwrap());
    // Before it is sent, the upload is an ordinary one.
    assert_eq!(app.client.get(&plain).send().await.unwrap().status(), 200);
    send_upload(&app, &a, &id, "image", &image["id"]).await;

    let signed = messages(&app, &b, &id).await[0]["attachment"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let signed = format!("{}{signed}", app.address);
    assert!(signed.starts_with(&plain) && signed.contains("sig="));
    assert_eq!(app.client.get(&signed).send().await.unwrap().status(), 200);
    // The bare link, a forged signature and a moved expiry all find nothing.
    let forged = format!("{}0", signed.trim_end_matches(|c: char| c != '='));
    let (before, after) = signed.split_once("exp=").unwrap();
    let moved = format!("{before}exp=9{after}");
    for url in [plain, forged, moved] {
        let resp = app.client.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{url}");
    }
}

/// An MP4 of `len` bytes: an `ftyp` box and an `mdat` box of zeros.
fn mp4_of(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    let mdat = u32::try_from(len - bytes.len()).unwrap();
    bytes.extend_from_slice(&mdat.to_be_bytes());
    bytes.extend_from_slice(b"mdat");
    bytes.resize(len, 0);
    bytes
}

fn mp4_bytes() -> Vec<u8> {
    mp4_of(64)
}

fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

/// The first bytes of a WebM: an EBML header naming the `webm` doctype.
fn webm_bytes() -> Vec<u8> {
    let mut bytes = b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01\x42\xF2\x81\x04\x42\xF3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02".to_vec();
    bytes.resize(64, 0);
    bytes
}

/// A QuickTime movie as phones record it: `ftyp` brand `qt  `.
fn mov_bytes() -> Vec<u8> {
    let mut bytes = b"\0\0\0\x14ftypqt  \0\0\0\0qt  \0\0\0\x08wide".to_vec();
    bytes.resize(64, 0);
    bytes
}

/// The sample of each accepted video and file type:
/// `(bytes, name, kind, content type)`.
fn samples() -> Vec<(Vec<u8>, &'static str, &'static str, &'static str)> {
    // An empty ZIP is just its end-of-directory record.
    let zip = [b"PK\x05\x06".as_slice(), &[0; 18]].concat();
    let text = "会议纪要\r\n1. 周六拍照\tok\n".as_bytes().to_vec();
    vec![
        (mp4_bytes(), "clip.mp4", "video", "video/mp4"),
        (webm_bytes(), "clip.webm", "video", "video/webm"),
        (mov_bytes(), "IMG_0001.MOV", "video", "video/quicktime"),
        (pdf_bytes(), "notes.pdf", "file", "application/pdf"),
        (zip, "photos.zip", "file", "application/zip"),
        (text, "notes.txt", "file", "text/plain; charset=utf-8"),
    ]
}

#[tokio::test]
async fn videos_and_files_are_sent_like_images() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    for (bytes, name, kind, mime) in samples() {
        let len = bytes.len();
        let resp = upload(&app, &a.token, bytes, name).await;
        assert_eq!(resp.status(), 201, "{name}");
        let uploaded = json_of(resp).await;
        assert_eq!(uploaded["kind"], kind, "{name}");
        assert_eq!(uploaded["content_type"], mime, "{name}");
        assert_eq!(uploaded["bytes"], len, "{name} is kept as sent");
        let resp = send_upload(&app, &a, &id, kind, &uploaded["id"]).await;
        assert_eq!(resp.status(), 201, "{name}");
        let sent = json_of(resp).await;
        assert_eq!(sent["kind"], kind);
        assert_eq!(sent["attachment"]["content_type"], mime);
        assert_eq!(sent["attachment"]["bytes"], len);
    }
    assert_eq!(messages(&app, &b, &id).await.len(), samples().len());
}

#[tokio::test]
async fn an_mp4_with_apples_m4v_brand_is_a_video() {
    let app = spawn_app().await;
    let a = app.register().await;
    let mut bytes = mp4_bytes();
    bytes[8..12].copy_from_slice(b"M4V ");
    let resp = upload(&app, &a.token, bytes, "exported.mp4").await;
    assert_eq!(resp.status(), 201);
    assert_eq!(json_of(resp).await["kind"], "video");
}

#[tokio::test]
async fn videos_have_their_own_size_limit_above_the_image_one() {
    const MIB: usize = 1024 * 1024;
    let app = spawn_app_with(|c| {
        c.upload_image_limit = 1024;
        c.upload_video_limit = 3 * MIB;
    })
    .await;
    let a = app.register().await;
    let resp = upload(&app, &a.token, mp4_of(5 * MIB / 2), "long.mp4").await;
    assert_eq!(resp.status(), 201);
    let resp = upload(&app, &a.token, mp4_of(7 * MIB / 2), "longer.mp4").await;
    let problem = assert_problem(resp, 413, "payload_too_large").await;
    assert_eq!(fields(&problem), ["file"]);
    assert_eq!(app.count("uploads").await, 1);
}

#[tokio::test]
async fn an_upload_of_an_unsupported_type_is_415_naming_file() {
    let app = spawn_app().await;
    let a = app.register().await;
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend_from_slice(&[0; 56]);
    let problem = assert_problem(
        upload(&app, &a.token, elf, "photo.png").await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(fields(&problem), ["file"]);
    assert_eq!(app.count("uploads").await, 0);
}

#[tokio::test]
async fn an_attachment_must_be_my_own_upload_of_the_declared_kind() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mine = json_of(upload(&app, &a.token, png_bytes(), "a.png").await).await;
    let theirs = json_of(upload(&app, &b.token, png_bytes(), "b.png").await).await;
    let cases = [
        ("image", theirs["id"].clone(), "not_yours"),
        ("image", json!(NOBODY), "not_yours"),
        ("video", mine["id"].clone(), "wrong_kind"),
        ("file", mine["id"].clone(), "wrong_kind"),
    ];
    for (kind, upload_id, code) in cases {
        let resp = send_upload(&app, &a, &id, kind, &upload_id).await;
        assert_invalid(resp, "upload_id", Some(code)).await;
    }
    let bare = json!({ "client_id": client_id(), "kind": "image" });
    assert_invalid(
        send(&app, &a, &id, bare).await,
        "upload_id",
        Some("required"),
    )
    .await;
    assert!(messages(&app, &a, &id).await.is_empty());
}

#[tokio::test]
async fn bad_message_bodies_are_named() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let cases = [
        (
            json!({ "client_id": "c", "kind": "text" }),
            "text",
            Some("required"),
        ),
        (
            json!({ "client_id": "c", "kind": "text", "text": "" }),
            "text",
            Some("required"),
        ),
        (
            json!({ "client_id": "c", "kind": "text", "text": " \n " }),
            "text",
            Some("required"),
        ),
        (
            json!({ "client_id": "c", "kind": "text", "text": "字".repeat(5001) }),
            "text",
            Some("too_long"),
        ),
        (
            json!({ "client_id": "c", "kind": "sticker", "text": "hi" }),
            "kind",
            None,
        ),
        (json!({ "kind": "text", "text": "hi" }), "client_id", None),
        (
            json!({ "client_id": "", "kind": "text", "text": "hi" }),
            "client_id",
            None,
        ),
        (
            json!({ "client_id": "c".repeat(65), "kind": "text", "text": "hi" }),
            "client_id",
            None,
        ),
    ];
    for (body, field, code) in cases {
        assert_invalid(send(&app, &a, &id, body).await, field, code).await;
    }
    assert!(messages(&app, &a, &id).await.is_empty());
    // 5000 characters is still fine, however many bytes they take.
    send_text(&app, &a, &id, &"字".repeat(5000)).await;
}

// ---------------------------------------------------------------- read, recall

#[tokio::test]
async fn reading_lowers_my_unread_count_and_tells_the_sender() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mut a_socket = connect_ws(&app, &a.token).await;
    let first = send_text(&app, &a, &id, "one").await;
    let last = send_text(&app, &a, &id, "two").await;
    assert_eq!(listed(&app, &b, &id).await.unwrap()["unread_count"], 2);

    assert_eq!(mark_read(&app, &b, &id, &first["id"]).await.status(), 204);
    assert_eq!(listed(&app, &b, &id).await.unwrap()["unread_count"], 1);
    let event = next_event(&mut a_socket, "message.read").await;
    assert_eq!(event["conversation_id"], id.as_str());
    assert_eq!(event["reader_id"], b.id);
    assert_eq!(event["up_to"], first["id"]);

    assert_eq!(mark_read(&app, &b, &id, &last["id"]).await.status(), 204);
    assert_eq!(listed(&app, &b, &id).await.unwrap()["unread_count"], 0);
    assert_eq!(
        next_event(&mut a_socket, "message.read").await["up_to"],
        last["id"]
    );
    // My own messages are never unread for me.
    assert_eq!(listed(&app, &a, &id).await.unwrap()["unread_count"], 0);
}

#[tokio::test]
async fn reading_up_to_a_message_of_another_conversation_is_refused() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let ours = new_conversation(&app, &a, &b).await;
    let other = new_conversation(&app, &a, &c).await;
    send_text(&app, &a, &ours, "unread").await;
    let elsewhere = send_text(&app, &a, &other, "elsewhere").await;
    assert_invalid(
        mark_read(&app, &b, &ours, &elsewhere["id"]).await,
        "up_to",
        None,
    )
    .await;
    assert_invalid(
        mark_read(&app, &b, &ours, &json!(NOBODY)).await,
        "up_to",
        None,
    )
    .await;
    assert_eq!(listed(&app, &b, &ours).await.unwrap()["unread_count"], 1);
}

#[tokio::test]
async fn a_sender_recalls_messages_within_the_window_for_both_sides() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let mut b_socket = connect_ws(&app, &b.token).await;
    let oops = send_text(&app, &a, &id, "wrong chat, sorry").await;
    let image = json_of(upload(&app, &a.token, png_bytes(), "a.png").await).await;
    let photo = json_of(send_upload(&app, &a, &id, "image", &image["id"]).await).await;
    for message in [&oops, &photo] {
        assert_eq!(recall(&app, &a, message).await.status(), 204);
        let event = next_event(&mut b_socket, "message.recalled").await;
        assert_eq!(event["conversation_id"], id.as_str());
        assert_eq!(event["message_id"], message["id"]);
    }
    for user in [&a, &b] {
        for seen in messages(&app, user, &id).await {
            assert_eq!(seen["recalled"], true);
            assert!(seen["text"].is_null() && seen["attachment"].is_null());
        }
    }
    // Nothing is left for b to read.
    assert_eq!(listed(&app, &b, &id).await.unwrap()["unread_count"], 0);
}

#[tokio::test]
async fn recalling_after_the_window_is_409() {
    let app = spawn_app_with(|c| c.message_recall_window = Duration::from_millis(200)).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let late = send_text(&app, &a, &id, "too late to take back").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_problem(recall(&app, &a, &late).await, 409, "recall_window_passed").await;
    assert_eq!(
        texts(&messages(&app, &b, &id).await),
        ["too late to take back"]
    );
}

#[tokio::test]
async fn recalling_the_peers_message_is_403() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    let theirs = send_text(&app, &b, &id, "mine to keep").await;
    assert_problem(recall(&app, &a, &theirs).await, 403, "forbidden").await;
    assert_eq!(messages(&app, &b, &id).await[0]["recalled"], false);
}

// ---------------------------------------------------------------- blocking

#[tokio::test]
async fn a_blocked_user_cannot_open_a_conversation_either_way() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    assert_eq!(block(&app, &a, &b.id).await.status(), 204);
    assert_eq!(block(&app, &a, &b.id).await.status(), 204, "idempotent");
    assert_problem(open_conversation(&app, &b, &a.id).await, 403, "blocked").await;
    assert_problem(open_conversation(&app, &a, &b.id).await, 403, "blocked").await;
    assert!(conversations(&app, &b).await.is_empty());
    assert_eq!(ids(&items(&app, &a, "/me/blocks").await), [b.id.as_str()]);
    assert!(items(&app, &b, "/me/blocks").await.is_empty());
}

#[tokio::test]
async fn blocking_stops_messages_both_ways_but_keeps_the_history_until_unblocked() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    send_text(&app, &b, &id, "before the block").await;
    assert_eq!(block(&app, &a, &b.id).await.status(), 204);

    let body = || json!({ "client_id": client_id(), "kind": "text", "text": "hello?" });
    assert_problem(send(&app, &b, &id, body()).await, 403, "blocked").await;
    assert_problem(send(&app, &a, &id, body()).await, 403, "blocked").await;
    assert_eq!(texts(&messages(&app, &a, &id).await), ["before the block"]);

    let resp = app
        .delete(&format!("/users/{}/block", b.id))
        .bearer_auth(&a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    send_text(&app, &b, &id, "after the block").await;
    assert!(items(&app, &a, "/me/blocks").await.is_empty());
}

#[tokio::test]
async fn blocking_myself_or_nobody_is_refused() {
    let app = spawn_app().await;
    let a = app.register().await;
    assert_invalid(block(&app, &a, &a.id).await, "id", None).await;
    assert_problem(block(&app, &a, NOBODY).await, 404, "not_found").await;
}

// ---------------------------------------------------------------- who may

#[tokio::test]
async fn an_outsider_gets_404_on_every_route_of_someone_elses_conversation() {
    let app = spawn_app().await;
    let (a, b, c) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let id = new_conversation(&app, &a, &b).await;
    let message = send_text(&app, &a, &id, "just between us").await;
    let routes = [
        ("list", app.get(&format!("/conversations/{id}/messages"))),
        (
            "send",
            app.post(&format!("/conversations/{id}/messages"))
                .json(&json!({ "client_id": "x", "kind": "text", "text": "hi" })),
        ),
        (
            "read",
            app.post(&format!("/conversations/{id}/read"))
                .json(&json!({ "up_to": message["id"] })),
        ),
        ("remove", app.delete(&format!("/conversations/{id}"))),
        (
            "recall",
            app.delete(&format!("/messages/{}", id_of(&message))),
        ),
    ];
    for (route, request) in routes {
        let resp = request.bearer_auth(&c.token).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{route}");
        assert_problem(resp, 404, "not_found").await;
    }
    // Nothing changed for the participants.
    let seen = messages(&app, &b, &id).await;
    assert_eq!(texts(&seen), ["just between us"]);
    assert_eq!(listed(&app, &b, &id).await.unwrap()["unread_count"], 1);
    assert!(listed(&app, &a, &id).await.is_some());
}

// ---------------------------------------------------------------- flood control

#[tokio::test]
async fn the_fourth_message_in_a_minute_is_429() {
    let app = spawn_app_with(|c| {
        c.rate_limits
            .insert(ActionClass::MessageSend, "3/1m".parse().unwrap());
    })
    .await;
    let (a, b) = (app.register().await, app.register().await);
    let id = new_conversation(&app, &a, &b).await;
    for i in 0..3 {
        send_text(&app, &a, &id, &format!("message {i}")).await;
    }
    let body = json!({ "client_id": client_id(), "kind": "text", "text": "one more" });
    let resp = send(&app, &a, &id, body).await;
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_problem(resp, 429, "rate_limited").await;
    assert_eq!(messages(&app, &b, &id).await.len(), 3);
    // The peer is not held up.
    send_text(&app, &b, &id, "my turn").await;
}

#[tokio::test]
async fn only_new_conversations_count_against_the_daily_limit() {
    let app = spawn_app_with(|c| {
        c.rate_limits
            .insert(ActionClass::ConversationCreate, "2/1d".parse().unwrap());
    })
    .await;
    let a = app.register().await;
    let (b, c, d) = (
        app.register().await,
        app.register().await,
        app.register().await,
    );
    let with_b = new_conversation(&app, &a, &b).await;
    new_conversation(&app, &a, &c).await;
    let resp = open_conversation(&app, &a, &d.id).await;
    assert!(resp.headers().contains_key("retry-after"));
    assert_problem(resp, 429, "rate_limited").await;

    let existing = open_conversation(&app, &a, &b.id).await;
    assert_eq!(existing.status(), 200);
    assert_eq!(json_of(existing).await["id"], with_b.as_str());
    // The limit is per user: d may still start one with a.
    assert_eq!(open_conversation(&app, &d, &a.id).await.status(), 201);
}
