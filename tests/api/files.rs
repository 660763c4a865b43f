//! The data directory is the service's alone: it and every file in it
//! (the SQLite file and its WAL, media, the search index, the data key)
//! are unreadable to other local users.
use std::{os::unix::fs::PermissionsExt, path::Path};

use crate::helpers::spawn_app;

fn walk(path: &Path, out: &mut Vec<(String, u32, bool)>) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    out.push((
        path.display().to_string(),
        meta.permissions().mode() & 0o777,
        meta.is_dir(),
    ));
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            walk(&entry.unwrap().path(), out);
        }
    }
}

#[tokio::test]
async fn the_data_directory_and_everything_in_it_are_private() {
    let app = spawn_app().await;
    let user = app.register().await;
    app.upload_image(&user, "me.png").await;
    app.create_post(&user, None, "a post", "so the index has files")
        .await;
    let mut entries = Vec::new();
    walk(app.data_dir.path(), &mut entries);
    assert!(
        entries
            .iter()
            .any(|(p, _, dir)| !dir && p.contains("media")),
        "an upload was stored: {entries:?}"
    );
    for (path, mode, dir) in &entries {
        let expected = if *dir { 0o700 } else { 0o600 };
        assert_eq!(
            *mode & 0o077,
            0,
            "{path} is {mode:o}, want {expected:o}: others can read it"
        );
    }
}

#[tokio::test]
async fn a_data_directory_agora_creates_is_private_from_the_start() {
    // A parent anyone may read, as a home or /srv often is: the directory
    // agora makes in it must still be its own.
    let outer = tempfile::tempdir().unwrap();
    std::fs::set_permissions(outer.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = outer.path().join("agora-data");
    let target = dir.clone();
    let app = crate::helpers::spawn_app_with(move |c| c.data_dir = target).await;
    app.register().await;
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
}
