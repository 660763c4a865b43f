//! Uploads: metadata stripped, types from the bytes, limits, and media
//! that is not there.
use std::io::Cursor;

use img_parts::{jpeg::Jpeg, png::Png, ImageEXIF};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::{
    assert_invalid, assert_problem, fields, png_bytes, send, spawn_app, spawn_app_with,
};

const MARKER: &[u8] = b"GPS 39.9042N 116.4074E MARKER-7f3a";

fn exif_with_marker() -> Vec<u8> {
    // A little-endian TIFF header followed by the marker: enough for any
    // reader to call it EXIF, and for us to look for it afterwards.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
    exif.extend_from_slice(MARKER);
    exif
}

fn jpeg_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([10, 120, 200]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let mut jpeg = Jpeg::from_bytes(out.into_inner().into()).unwrap();
    jpeg.set_exif(Some(exif_with_marker().into()));
    let mut bytes = jpeg.encoder().bytes().to_vec();
    // A comment segment with the marker too, right after SOI, and an MPF
    // index (APP2, not a colour profile) carrying it.
    let mut com = vec![0xFF, 0xFE, 0, (MARKER.len() + 2) as u8];
    com.extend_from_slice(MARKER);
    let mut mpf = vec![0xFF, 0xE2, 0, (MARKER.len() + 6) as u8];
    mpf.extend_from_slice(b"MPF\0");
    mpf.extend_from_slice(MARKER);
    bytes.splice(2..2, [com, mpf].concat());
    // And a second image appended after the end marker, as MPF files and
    // some editors do, with the marker in it.
    bytes.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE, 0, (MARKER.len() + 2) as u8]);
    bytes.extend_from_slice(MARKER);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

fn png_with_text() -> Vec<u8> {
    let mut png = Png::from_bytes(png_bytes().into()).unwrap();
    png.set_exif(Some(exif_with_marker().into()));
    let mut bytes = png.encoder().bytes().to_vec();
    // A tEXt chunk before IEND.
    let mut chunk = Vec::new();
    let data = [b"Comment\0".as_slice(), MARKER].concat();
    chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(&data);
    let crc = crc32(&[b"tEXt".as_slice(), &data].concat());
    chunk.extend_from_slice(&crc.to_be_bytes());
    // And a private chunk, which no blocklist would know by name.
    let private = png_chunk(b"prVt", MARKER);
    let iend = bytes.len() - 12;
    bytes.splice(iend..iend, [chunk, private].concat());
    bytes
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32(&[kind.as_slice(), data].concat());
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_jpeg_loses_its_exif_gps_and_comments_but_still_decodes() {
    let app = spawn_app().await;
    let user = app.register().await;
    let original = jpeg_with_exif();
    assert!(contains(&original, MARKER));
    let resp = app.upload(&user, original, "holiday.jpg").await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["kind"], "image");
    assert_eq!(body["content_type"], "image/jpeg");
    let resp = app.fetch(body["url"].as_str().unwrap()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let stored = resp.bytes().await.unwrap();
    assert_eq!(stored.len() as i64, body["bytes"].as_i64().unwrap());
    assert!(!contains(&stored, MARKER), "metadata survived");
    assert!(!contains(&stored, b"Exif\0\0"));
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (16, 16));
    // Nothing of the original lingers in the media store either.
    for entry in walk(&app.data_dir.path().join("media")) {
        assert!(!contains(&std::fs::read(entry).unwrap(), MARKER));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_png_loses_its_text_exif_and_private_chunks() {
    let app = spawn_app().await;
    let user = app.register().await;
    let original = png_with_text();
    assert!(image::load_from_memory(&original).is_ok());
    let body: Value = app
        .upload(&user, original, "shot.png")
        .await
        .json()
        .await
        .unwrap();
    let stored = app
        .fetch(body["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&stored, MARKER));
    assert!(image::load_from_memory(&stored).is_ok());
}

#[tokio::test]
async fn gif_and_webp_are_accepted() {
    let app = spawn_app().await;
    let user = app.register().await;
    for (format, mime) in [
        (image::ImageFormat::Gif, "image/gif"),
        (image::ImageFormat::WebP, "image/webp"),
    ] {
        let img = image::RgbaImage::from_pixel(4, 4, image::Rgba([1, 2, 3, 255]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        let resp = app.upload(&user, out.into_inner(), "x.bin").await;
        assert_eq!(resp.status(), 201, "{mime}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["content_type"], mime);
        let resp = app.fetch(body["url"].as_str().unwrap()).await;
        assert_eq!(resp.headers()["content-type"], mime);
    }
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    let app = spawn_app().await;
    let user = app.register().await;
    let body: Value = app
        .upload(&user, png_bytes(), "notes.txt")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["content_type"], "image/png");
    assert!(body["url"].as_str().unwrap().ends_with(".png"));

    let resp = app
        .upload(
            &user,
            b"<html><script>alert(1)</script>".to_vec(),
            "cat.jpg",
        )
        .await;
    let problem = assert_problem(resp, 415, "unsupported_media_type").await;
    assert_eq!(fields(&problem), ["file"]);
    // A PDF named like an image is the file it is: no picture for a post
    // (nothing public could use it), an attachment for a message.
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let resp = app.upload(&user, pdf.clone(), "a.png").await;
    assert_problem(resp, 415, "unsupported_media_type").await;
    let body = app.upload_attachment(&user, pdf, "a.png").await;
    assert_eq!(body["kind"], "file");
    assert_eq!(body["content_type"], "application/pdf");
    assert!(body["url"].as_str().unwrap().contains(".pdf?"));
    assert_eq!(app.count("uploads").await, 2);
}

#[tokio::test]
async fn a_truncated_image_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let user = app.register().await;
    let mut bytes = png_bytes();
    bytes.truncate(20);
    let resp = app.upload(&user, bytes, "broken.png").await;
    assert_invalid(resp, "file", None).await;
    assert_eq!(app.count("uploads").await, 0);
    assert!(walk(&app.data_dir.path().join("media")).is_empty());
}

#[tokio::test]
async fn an_image_over_the_limit_is_413() {
    let app = spawn_app_with(|c| c.upload_image_limit = 2048).await;
    let user = app.register().await;
    let img = image::RgbImage::from_fn(200, 200, |x, y| {
        image::Rgb([
            (x * 7 % 255) as u8,
            (y * 13 % 255) as u8,
            ((x ^ y) % 255) as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    let bytes = out.into_inner();
    assert!(bytes.len() > 2048);
    let resp = app.upload(&user, bytes, "big.png").await;
    assert_problem(resp, 413, "payload_too_large").await;
    assert_eq!(app.count("uploads").await, 0);
}

#[tokio::test]
async fn uploading_needs_a_session_and_a_file() {
    let app = spawn_app().await;
    let form = Form::new().part("file", Part::bytes(png_bytes()).file_name("a.png"));
    let resp = send(app.post("/uploads").multipart(form)).await;
    assert_problem(resp, 401, "unauthorized").await;
    let user = app.register().await;
    let form = Form::new().text("other", "x");
    let resp = send(
        app.post("/uploads")
            .bearer_auth(&user.token)
            .multipart(form),
    )
    .await;
    assert_problem(resp, 400, "validation_failed").await;
}

#[tokio::test]
async fn unknown_media_is_404() {
    let app = spawn_app().await;
    let resp = app
        .fetch("/media/01900000-0000-7000-8000-000000000000.png")
        .await;
    assert_problem(resp, 404, "not_found").await;
    let resp = app.fetch("/media/..%2F..%2Fdata.key").await;
    assert_eq!(resp.status(), 404);
}

/// An ISO media box.
fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    [
        &((payload.len() + 8) as u32).to_be_bytes()[..],
        kind,
        payload,
    ]
    .concat()
}

#[tokio::test]
async fn a_video_loses_its_location_and_still_has_every_frame_where_it_was() {
    let app = spawn_app().await;
    let user = app.register().await;
    let location = b"+31.2304+121.4737/";
    let xyz = mp4_box(b"\xA9xyz", location);
    let moov = mp4_box(
        b"moov",
        &[mp4_box(b"mvhd", &[0u8; 100]), mp4_box(b"udta", &xyz)].concat(),
    );
    let video = [
        mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"),
        moov,
        mp4_box(b"mdat", MARKER),
    ]
    .concat();
    let body: Value = app
        .upload_to("/uploads/attachments", &user, video.clone(), "trip.mp4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["kind"], "video", "{body}");
    let stored = app
        .fetch(body["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&stored, location), "the GPS atom is gone");
    assert_eq!(stored.len(), video.len(), "nothing moved");
    assert!(stored.ends_with(&mp4_box(b"mdat", MARKER)));
}

#[tokio::test]
async fn the_public_upload_form_takes_only_what_its_uses_can_take() {
    // A post shows images and a circle's icon is one: a log, a document or
    // a video sent to `POST /uploads` would sit public with nothing able
    // to use it, so it is refused before a byte is kept.
    let app = spawn_app().await;
    let user = app.register().await;
    for (bytes, name) in [
        (b"E/app: crash at 0x1f\n".to_vec(), "crash.txt"),
        (b"%PDF-1.4\n/Author (Someone)\n%%EOF\n".to_vec(), "cv.pdf"),
    ] {
        let problem = assert_problem(
            app.upload(&user, bytes, name).await,
            415,
            "unsupported_media_type",
        )
        .await;
        assert_eq!(fields(&problem), ["file"]);
    }
    assert_eq!(app.count("uploads").await, 0);
}
