//! The data directory holds personal data (the SQLite file and its WAL,
//! media, the search index, the data key): it and everything created in it
//! are readable by the service's own user only.
use std::{
    fs::{DirBuilder, Permissions},
    os::unix::fs::{DirBuilderExt, PermissionsExt},
    path::Path,
};

/// New files 0600 and directories 0700 for the rest of the process (SQLite
/// creates its WAL and the media store its files with this mask), and the
/// data directory itself made private, also when it already existed.
pub fn private_data_dir(dir: &Path) -> std::io::Result<()> {
    // SAFETY: umask only swaps the process's file-creation mask; it has no
    // memory effects and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    // What an older version left readable to others is tightened too.
    tighten(dir)
}

fn tighten(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.is_dir() {
        std::fs::set_permissions(path, Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(path)? {
            tighten(&entry?.path())?;
        }
        Ok(())
    } else {
        std::fs::set_permissions(path, Permissions::from_mode(0o600))
    }
}
