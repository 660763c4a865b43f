//! Endpoint helpers for uploads and media, and sample files.
use std::io::Cursor;

use reqwest::{
    multipart::{Form, Part},
    Response,
};
use serde_json::Value;

use super::{expect_status, send, Bearer, TestApp, TestUser};

/// An 8×8 red PNG.
pub fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

impl TestApp {
    /// Uploads `bytes` as a file called `name` through the form at `path`
    /// (`/uploads`, `/uploads/avatar`, `/uploads/attachments`, `/uploads/logs`).
    pub async fn upload_to(
        &self,
        path: &str,
        who: &(impl Bearer + ?Sized),
        bytes: Vec<u8>,
        name: &str,
    ) -> Response {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        send(self.post(path).bearer_auth(who.token()).multipart(form)).await
    }

    /// Uploads `bytes` as a file called `name`, for a post.
    pub async fn upload(
        &self,
        who: &(impl Bearer + ?Sized),
        bytes: Vec<u8>,
        name: &str,
    ) -> Response {
        self.upload_to("/uploads", who, bytes, name).await
    }

    /// Uploads `bytes` as a diagnostic log (`POST /uploads/logs`).
    pub async fn upload_log(&self, who: &(impl Bearer + ?Sized), bytes: &[u8]) -> Response {
        self.upload_to("/uploads/logs", who, bytes.to_vec(), "app.log")
            .await
    }

    /// `user` uploads a small PNG as an avatar; the created upload.
    pub async fn upload_avatar(&self, user: &TestUser) -> Value {
        let resp = self
            .upload_to("/uploads/avatar", user, png_bytes(), "me.png")
            .await;
        expect_status(resp, 201).await
    }

    /// `user` uploads `bytes` to send in a message; the created upload.
    pub async fn upload_attachment(&self, user: &TestUser, bytes: Vec<u8>, name: &str) -> Value {
        let resp = self
            .upload_to("/uploads/attachments", user, bytes, name)
            .await;
        expect_status(resp, 201).await
    }

    /// `user` uploads a small text log; the created upload.
    pub async fn upload_log_ok(&self, user: &TestUser) -> Value {
        expect_status(self.upload_log(user, b"E/app: crash at 0x1f\n").await, 201).await
    }

    /// `user` uploads `bytes`; the created upload.
    pub async fn upload_file(&self, user: &TestUser, bytes: Vec<u8>, name: &str) -> Value {
        expect_status(self.upload(user, bytes, name).await, 201).await
    }

    /// `user` uploads a small PNG called `name`; the created upload.
    pub async fn upload_image(&self, user: &TestUser, name: &str) -> Value {
        self.upload_file(user, png_bytes(), name).await
    }

    /// GET a media (or any non-API) URL the API handed out.
    pub async fn fetch(&self, url: &str) -> Response {
        self.get_root(url).await
    }
}

/// Whether `haystack` holds `needle`, in any letter case.
pub fn holds(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Every file under `dir` that holds `needle`.
pub fn files_holding(dir: &std::path::Path, needle: &str, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_holding(&path, needle, found);
        } else if std::fs::read(&path).is_ok_and(|bytes| holds(&bytes, needle)) {
            found.push(path.display().to_string());
        }
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else {
                1
            }
        })
        .sum()
}

impl TestApp {
    /// How many files the embedded media store holds.
    pub fn media_files(&self) -> usize {
        count_files(&self.data_dir.path().join("media"))
    }
}
