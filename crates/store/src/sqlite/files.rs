//! The database's files on disk: readable by JobPing's user alone. The database holds
//! every subscriber's address and preferences, so neither it nor its WAL and shared-memory
//! files may be left readable by other users, whatever the process's umask.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The mode of the database, its WAL and its shared-memory file.
const FILE_MODE: u32 = 0o600;
/// The mode of a folder JobPing creates for the database.
const FOLDER_MODE: u32 = 0o700;

/// Before SQLite opens `path`: creates its folder (0700) if missing and the file itself
/// (empty, 0600) if missing, so that SQLite never creates it with the umask's mode.
/// SQLite gives the WAL and shared-memory files the database file's mode.
pub(super) fn prepare(path: &Path) -> anyhow::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.exists()
    {
        create_folder(folder)
            .with_context(|| format!("creating the database folder {}", folder.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    match options.open(path) {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err).with_context(|| format!("creating the database {}", path.display())),
    }
    restrict(path)
}

/// Sets the database, WAL and shared-memory files (those that exist) to 0600: the open
/// mode above is subject to the umask, and a database made by an older JobPing is 0644.
pub(super) fn restrict(path: &Path) -> anyhow::Result<()> {
    for file in [
        path.to_path_buf(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ] {
        match set_mode(&file, FILE_MODE) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(err).with_context(|| format!("making {} private (mode 0600)", file.display()));
            }
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn create_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(folder)?;
    set_mode(folder, FOLDER_MODE)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, _mode: u32) -> std::io::Result<()> {
    std::fs::metadata(path).map(|_| ())
}
