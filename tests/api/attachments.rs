//! Attachments in messages: images, videos and files, their signed links,
//! their size limits and types, and whose upload may be sent.
use serde_json::json;

use crate::helpers::{
    assert_invalid, assert_problem, assert_unknown, client_id, fields, generous_message_limits,
    json_of, png_bytes, spawn_app, spawn_app_with, NOBODY,
};

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
async fn an_image_message_carries_my_upload() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let image = app.upload_attachment(&a, png_bytes(), "a.png").await;
    let resp = app.send_upload(&a, &id, "image", &image["id"]).await;
    assert_eq!(resp.status(), 201);
    let sent = json_of(resp).await;
    assert_eq!(sent["kind"], "image");
    assert!(sent["text"].is_null());

    let seen = &app.messages(&b, &id).await[0];
    assert_eq!(seen["id"], sent["id"]);
    let attachment = &seen["attachment"];
    assert_eq!(attachment["upload_id"], image["id"]);
    for key in ["kind", "content_type", "bytes"] {
        assert_eq!(attachment[key], image[key], "{key}");
    }
    // The peer can open it.
    let resp = app.fetch(attachment["url"].as_str().unwrap()).await;
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
    let id = app.open_conversation(&a, &b).await;
    let image = app.upload_attachment(&a, png_bytes(), "a.png").await;
    // Private from the first byte: even before it is sent, its link is
    // signed, and the bare one finds nothing.
    let uploaded = image["url"].as_str().unwrap().to_owned();
    let (plain, _) = uploaded.split_once('?').unwrap();
    let plain = plain.to_owned();
    assert!(uploaded.contains("sig="), "{uploaded}");
    assert_eq!(app.fetch(&uploaded).await.status(), 200);
    assert_eq!(app.fetch(&plain).await.status(), 404);
    app.send_upload(&a, &id, "image", &image["id"]).await;

    let signed = app.messages(&b, &id).await[0]["attachment"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(signed.starts_with(&plain) && signed.contains("sig="));
    assert_eq!(app.fetch(&signed).await.status(), 200);
    // The bare link, a forged signature and a moved expiry all find nothing.
    let forged = format!("{}0", signed.trim_end_matches(|c: char| c != '='));
    let (before, after) = signed.split_once("exp=").unwrap();
    let moved = format!("{before}exp=9{after}");
    for url in [plain, forged, moved] {
        let resp = app.fetch(&url).await;
        assert_eq!(resp.status(), 404, "{url}");
    }
}

#[tokio::test]
async fn videos_and_files_are_sent_like_images() {
    let app = spawn_app_with(generous_message_limits).await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    for (bytes, name, kind, mime) in samples() {
        let len = bytes.len();
        let resp = app.upload_to("/uploads/attachments", &a, bytes, name).await;
        assert_eq!(resp.status(), 201, "{name}");
        let uploaded = json_of(resp).await;
        assert_eq!(uploaded["kind"], kind, "{name}");
        assert_eq!(uploaded["content_type"], mime, "{name}");
        assert_eq!(uploaded["bytes"], len, "{name} is kept as sent");
        let resp = app.send_upload(&a, &id, kind, &uploaded["id"]).await;
        assert_eq!(resp.status(), 201, "{name}");
        let sent = json_of(resp).await;
        assert_eq!(sent["kind"], kind);
        assert_eq!(sent["attachment"]["content_type"], mime);
        assert_eq!(sent["attachment"]["bytes"], len);
    }
    assert_eq!(app.messages(&b, &id).await.len(), samples().len());
}

#[tokio::test]
async fn an_mp4_with_apples_m4v_brand_is_a_video() {
    let app = spawn_app().await;
    let a = app.register().await;
    let mut bytes = mp4_bytes();
    bytes[8..12].copy_from_slice(b"M4V ");
    let resp = app
        .upload_to("/uploads/attachments", &a, bytes, "exported.mp4")
        .await;
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
    let resp = app
        .upload_to("/uploads/attachments", &a, mp4_of(5 * MIB / 2), "long.mp4")
        .await;
    assert_eq!(resp.status(), 201);
    let resp = app
        .upload_to(
            "/uploads/attachments",
            &a,
            mp4_of(7 * MIB / 2),
            "longer.mp4",
        )
        .await;
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
        app.upload(&a, elf, "photo.png").await,
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
    let id = app.open_conversation(&a, &b).await;
    let mine = app.upload_attachment(&a, png_bytes(), "a.png").await;
    let theirs = app.upload_attachment(&b, png_bytes(), "b.png").await;
    // An image uploaded for a post is not for sending.
    let for_a_post = app.upload_image(&a, "post.png").await;
    let cases = [
        ("image", theirs["id"].clone(), "not_yours"),
        ("image", json!(NOBODY), "not_yours"),
        ("image", for_a_post["id"].clone(), "not_yours"),
        ("video", mine["id"].clone(), "wrong_kind"),
        ("file", mine["id"].clone(), "wrong_kind"),
    ];
    for (kind, upload_id, code) in cases {
        let resp = app.send_upload(&a, &id, kind, &upload_id).await;
        if code == "not_yours" {
            assert_unknown(resp, "upload_id").await;
        } else {
            assert_invalid(resp, "upload_id", Some(code)).await;
        }
    }
    let bare = json!({ "client_id": client_id(), "kind": "image" });
    assert_invalid(
        app.send_message(&a, &id, bare).await,
        "upload_id",
        Some("required"),
    )
    .await;
    assert!(app.messages(&a, &id).await.is_empty());
}

#[tokio::test]
async fn the_notice_claims_encryption_for_message_files_only_if_they_are_encrypted() {
    let app = spawn_app().await;
    let (a, b) = (app.register().await, app.register().await);
    let id = app.open_conversation(&a, &b).await;
    let secret = crate::helpers::marker();
    let file = app
        .upload_attachment(&a, format!("{secret}\n").into_bytes(), "s.txt")
        .await;
    let sent = app.send_upload(&a, &id, "file", &file["id"]).await;
    assert_eq!(sent.status(), 201);
    let catalog = app.get_json("/privacy/catalog").await;
    let storage = catalog["purposes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap())
        .find(|i| i["key"] == "message_media")
        .map(|i| i["storage"].clone())
        .unwrap();
    let mut found = Vec::new();
    crate::helpers::files_holding(&app.data_dir.path().join("media"), &secret, &mut found);
    let in_clear = !found.is_empty();
    assert!(
        !(storage == "encrypted" && in_clear),
        "the notice says message files are encrypted, but the store holds them in clear"
    );
    assert!(
        in_clear || storage == "encrypted",
        "the sweep looks in the right place"
    );
}
