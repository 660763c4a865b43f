//! Beta builds: admins upload a package and add it to a program as a
//! build; approved testers download the newest through links of their
//! own, which stop working when they leave or are removed, when a newer
//! build replaces it and when the program ends; downloads are counted per
//! build, and an ended program's builds go, files and all.
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid, assert_problem, beta_program_ended, expect_status, generous_limits, png_bytes,
    program_body, run_purge, spawn_app_with, HasId, TestApp, TestUser,
};

/// A small APK-shaped package (a ZIP naming its manifest) ending in `tag`.
fn apk(tag: &str) -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0; 26]);
    bytes.extend_from_slice(b"AndroidManifest.xml");
    bytes.extend_from_slice(tag.as_bytes());
    bytes
}

fn builds(program: &str) -> String {
    format!("/admin/beta/programs/{program}/builds")
}

fn build_of(application: &str) -> String {
    format!("/me/beta-applications/{application}/build")
}

impl TestApp {
    /// `admin` uploads `bytes` as a package and adds it to `program`; the build.
    async fn add_build(&self, admin: &TestUser, program: &str, bytes: Vec<u8>) -> Value {
        let resp = self
            .upload_to("/uploads/packages", admin, bytes, "beta.apk")
            .await;
        let upload = expect_status(resp, 201).await;
        let body = json!({ "upload_id": upload.id(), "notes": "Camera fixes." });
        expect_status(self.post_as(admin, &builds(program), &body).await, 201).await
    }

    /// A new applicant to `program`, approved by `staff`; the user and the
    /// application's id.
    async fn tester(&self, staff: &TestUser, program: &str, phone: &str) -> (TestUser, String) {
        let (user, created) = self.beta_applicant(program, phone).await;
        let id = created.id();
        let resp = self.decide_beta(staff, program, &id, "approve", None).await;
        expect_status(resp, 200).await;
        (user, id)
    }

    /// `user`'s link to the newest build of the program `application` admits.
    async fn build_link(&self, user: &TestUser, application: &str) -> Value {
        self.get_json_as(user, &build_of(application)).await
    }
}

fn url_of(link: &Value) -> String {
    link["url"].as_str().unwrap().to_owned()
}

async fn downloads(app: &TestApp, admin: &TestUser, program: &str) -> Vec<i64> {
    let list = app.get_json_as(admin, &builds(program)).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["downloads"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn only_approved_testers_download_the_build_through_links_of_their_own() {
    let app = spawn_app_with(generous_limits).await;
    let (admin, staff) = (app.admin().await, app.moderator().await);
    let program = app.open_program(&program_body(3)).await;

    // Packages are an admin's, and only ZIP-based ones.
    for who in [&staff, &app.register().await] {
        let resp = app
            .upload_to("/uploads/packages", who, apk("x"), "beta.apk")
            .await;
        assert_problem(resp, 403, "forbidden").await;
    }
    let resp = app
        .upload_to("/uploads/packages", &admin, b"%PDF-1.7\n".to_vec(), "a.apk")
        .await;
    assert_problem(resp, 415, "unsupported_media_type").await;
    let resp = app
        .upload_to("/uploads/packages", &admin, apk("PKG-ONE"), "beta.apk")
        .await;
    let upload = expect_status(resp, 201).await;
    assert_eq!(
        upload["content_type"],
        "application/vnd.android.package-archive"
    );
    assert_eq!(upload["kind"], "file");
    let uploader_link = upload["url"].as_str().unwrap().to_owned();

    // A build takes a package, nothing else; moderators cannot add one.
    let image = app.upload_image(&app.register().await, "a.png").await;
    let body = json!({ "upload_id": image.id(), "notes": "Camera fixes." });
    let resp = app.post_as(&admin, &builds(&program), &body).await;
    assert_invalid(resp, "upload_id", Some("not_a_package")).await;
    let body = json!({ "upload_id": upload.id(), "notes": "Camera fixes." });
    let resp = app.post_as(&staff, &builds(&program), &body).await;
    assert_problem(resp, 403, "forbidden").await;
    let build = expect_status(app.post_as(&admin, &builds(&program), &body).await, 201).await;
    assert_eq!(
        (build["downloads"].clone(), build["bytes"].clone()),
        (json!(0), json!(apk("PKG-ONE").len()))
    );
    let resp = app.post_as(&admin, &builds(&program), &body).await;
    assert_invalid(resp, "upload_id", Some("not_a_package")).await;
    // The program took the file over: the uploader's own link is dead,
    // and no upload row is left for an orphan sweep or an erasure.
    assert_eq!(app.fetch(&uploader_link).await.status(), 404);
    let packages = app
        .sql_count("SELECT COUNT(*) FROM uploads WHERE purpose = 'package'")
        .await;
    assert_eq!(packages, 0);

    let (tester, approved) = app.tester(&staff, &program, "13912345601").await;
    let (waiting, pending) = app.beta_applicant(&program, "13912345602").await;
    let link = app.build_link(&tester, &approved).await;
    assert_eq!(link["build_id"], build["id"]);
    assert_eq!(link["notes"], "Camera fixes.");
    let resp = app.fetch(&url_of(&link)).await;
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"{}.apk\"",
            build["id"].as_str().unwrap()
        )
    );
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.android.package-archive"
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), apk("PKG-ONE"));

    // No build without approval, nor through someone else's application.
    let resp = app.get_as(&waiting, &build_of(&pending.id())).await;
    assert_problem(resp, 403, "forbidden").await;
    let resp = app.get_as(&waiting, &build_of(&approved)).await;
    assert_problem(resp, 404, "not_found").await;
    let resp = crate::helpers::send(app.api(Method::GET, &build_of(&approved))).await;
    assert_eq!(resp.status(), 401);
    // A link is the tester's own: another application, a later expiry or
    // another signature in it, and it opens nothing.
    let url = url_of(&link);
    let exp = link["expires_at"].as_str().unwrap();
    let exp = chrono::DateTime::parse_from_rfc3339(exp)
        .unwrap()
        .timestamp();
    let bare = url.split('?').next().unwrap().to_owned();
    for forged in [
        url.replace(&approved, &pending.id()),
        url.replace(&format!("exp={exp}"), &format!("exp={}", exp + 3600)),
        format!(
            "{}0",
            url.trim_end_matches(|c: char| c.is_ascii_alphanumeric())
        ),
        bare,
    ] {
        assert_eq!(app.fetch(&forged).await.status(), 404, "{forged}");
    }
    // A HEAD is no download.
    let head = crate::helpers::send(app.client.head(format!("{}{url}", app.address))).await;
    assert_eq!(head.status(), 200);
    assert_eq!(
        downloads(&app, &admin, &program).await,
        vec![1],
        "refusals are not counted"
    );
    // Staff see the counts; users do not.
    let resp = app.get_as(&tester, &builds(&program)).await;
    assert_problem(resp, 403, "forbidden").await;
    assert_eq!(app.get_as(&staff, &builds(&program)).await.status(), 200);
    // Nothing in the audit trail or elsewhere says who downloaded.
    let audit = crate::helpers::items_of(&app.get_json_as(&admin, "/admin/audit-log").await);
    assert!(audit
        .iter()
        .any(|e| e["target_type"] == "beta_build" && e["action"] == "create"));

    // Downloads at once are each counted.
    let fetches = (0..8).map(|_| app.fetch(&url));
    for resp in join_all(fetches).await {
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(downloads(&app, &admin, &program).await, vec![9]);
}

#[tokio::test]
async fn a_link_stops_when_its_tester_leaves_or_is_removed_a_newer_build_comes_or_the_program_ends()
{
    let app = spawn_app_with(generous_limits).await;
    let (admin, staff) = (app.admin().await, app.moderator().await);
    let program = app.open_program(&program_body(3)).await;
    let resp = app.get_as(&admin, &builds(&program)).await;
    assert_eq!(expect_status(resp, 200).await, json!([]));
    let (leaver, a) = app.tester(&staff, &program, "13912345601").await;
    let (removed, b) = app.tester(&staff, &program, "13912345602").await;
    let (stayer, c) = app.tester(&staff, &program, "13912345603").await;
    // No build yet: nothing to link to.
    assert_problem(app.get_as(&leaver, &build_of(&a)).await, 404, "not_found").await;
    let first = app.add_build(&admin, &program, apk("FIRST")).await;
    let old = url_of(&app.build_link(&stayer, &c).await);
    let second = app.add_build(&admin, &program, apk("SECOND")).await;
    assert_eq!(
        app.fetch(&old).await.status(),
        404,
        "a replaced build is withdrawn"
    );
    let now = app.build_link(&stayer, &c).await;
    assert_eq!(now["build_id"], second["id"]);
    assert_ne!(now["build_id"], first["id"]);

    let (leaving, removing) = (
        app.build_link(&leaver, &a).await,
        app.build_link(&removed, &b).await,
    );
    assert_eq!(app.fetch(&url_of(&leaving)).await.status(), 200);
    let resp = app
        .send_as(
            &leaver,
            Method::DELETE,
            &format!("/me/beta-applications/{a}"),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.fetch(&url_of(&leaving)).await.status(), 404, "left");
    let resp = app
        .decide_beta(&staff, &program, &b, "reject", Some("Not testing."))
        .await;
    expect_status(resp, 200).await;
    assert_eq!(app.fetch(&url_of(&removing)).await.status(), 404, "removed");
    assert_problem(app.get_as(&removed, &build_of(&b)).await, 403, "forbidden").await;

    assert_eq!(app.fetch(&url_of(&now)).await.status(), 200);
    beta_program_ended(&app, &program, 1).await;
    assert_eq!(
        app.fetch(&url_of(&now)).await.status(),
        404,
        "the program ended"
    );
    assert_problem(app.get_as(&stayer, &build_of(&c)).await, 409, "conflict").await;
    let body = json!({ "upload_id": "0190a0b0-0000-7000-8000-000000000000", "notes": "Late." });
    let resp = app.post_as(&admin, &builds(&program), &body).await;
    assert_problem(resp, 409, "conflict").await;
    // Its builds go with the purge, files and all.
    assert!(app.media_files() >= 2);
    run_purge(&app).await;
    assert_eq!(app.count("beta_builds").await, 0);
    assert_eq!(app.media_files(), 0, "no package file is left");
}

#[tokio::test]
async fn only_the_packages_route_takes_bodies_past_the_other_limits() {
    let app = spawn_app_with(|config| {
        generous_limits(config);
        config.upload_image_limit = 1000;
        config.upload_video_limit = 1000;
        config.upload_file_limit = 1000;
        config.upload_package_limit = 4 * 1024 * 1024;
    })
    .await;
    let admin = app.admin().await;
    let mut big = apk("BIG");
    big.resize(3 * 1024 * 1024, 7);
    // Refused before the handler reads it: the cap of every other route.
    let resp = app
        .upload_to("/uploads/attachments", &admin, big.clone(), "a.zip")
        .await;
    let problem = assert_problem(resp, 413, "payload_too_large").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("bodies are limited to"),
        "{problem}"
    );
    let resp = app
        .upload_to("/uploads/packages", &admin, big.clone(), "beta.apk")
        .await;
    assert_eq!(expect_status(resp, 201).await["bytes"], big.len());
    big.resize(5 * 1024 * 1024, 7);
    let resp = app
        .upload_to("/uploads/packages", &admin, big, "beta.apk")
        .await;
    assert_problem(resp, 413, "payload_too_large").await;
    // An image is no package.
    let resp = app
        .upload_to("/uploads/packages", &admin, png_bytes(), "beta.apk")
        .await;
    assert_problem(resp, 415, "unsupported_media_type").await;
}
