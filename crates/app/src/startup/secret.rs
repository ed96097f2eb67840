//! The generated token-signing secret, when `JOBPING_SECRET` is not set: kept in a file
//! of its own (`jobping.secret`, 0600) beside the database rather than in it, so that a
//! copy of the database alone cannot forge links.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use jobping_store::{Backend, Store};

use crate::settings::Secret;

/// The file's name, in the SQLite database's folder or, on PostgreSQL, the working folder.
pub const FILE_NAME: &str = "jobping.secret";

/// The name under which older releases kept the generated secret in the store.
const STORED_NAME: &str = "token_signing";

/// Where the generated secret lives for this database: in a file beside a SQLite
/// database; `None` for an in-memory SQLite database (its secret lives as long as it
/// does) and for PostgreSQL, where every process on every machine must sign with the
/// same secret and the database is the one place they all share (see [`shared`]).
pub fn path_for(database_url: &str, backend: Backend) -> Option<PathBuf> {
    match backend {
        Backend::Sqlite => {
            let database = jobping_store::sqlite_file(database_url)?;
            let folder = database.parent().filter(|p| !p.as_os_str().is_empty());
            Some(folder.unwrap_or(Path::new(".")).join(FILE_NAME))
        }
        Backend::Postgres => None,
    }
}

/// The generated secret on PostgreSQL: kept in the database, as every process of a
/// fleet reads it there. A file per working folder would give processes on different
/// machines different secrets, and links signed by one would fail on another. The
/// price is that a database backup can forge links: operators of a fleet should set
/// `JOBPING_SECRET` (README says so), and are told at every start.
pub async fn shared(store: &dyn Store) -> anyhow::Result<Secret> {
    let (kept, generated) = store
        .secret_or_insert(STORED_NAME, &generate(), time::OffsetDateTime::now_utc())
        .await
        .context("keeping the token-signing secret in the database")?;
    tracing::warn!(
        generated,
        "JOBPING_SECRET is not set: the token-signing secret is kept in the PostgreSQL database, \
         shared by every process; set JOBPING_SECRET so that a database backup alone cannot forge links"
    );
    Ok(Secret::new(kept))
}

/// The generated secret: read from `path`, moved there from the store (older
/// releases), or made now. A secret left in the store is deleted once the file holds it.
pub async fn settle(store: &dyn Store, path: Option<&Path>) -> anyhow::Result<Secret> {
    let Some(path) = path else {
        tracing::warn!(
            "JOBPING_SECRET is not set: generated a token-signing secret for this in-memory database"
        );
        return Ok(Secret::new(generate()));
    };
    let stored = store
        .secret(STORED_NAME)
        .await
        .context("reading a token-signing secret kept in the database")?;
    let kept = match read(path)? {
        Some(kept) => {
            tracing::warn!(file = %path.display(), "JOBPING_SECRET is not set: using the token-signing secret kept in the file");
            kept
        }
        None => {
            let (candidate, moved) = match &stored {
                Some(value) => (value.clone(), true),
                None => (generate(), false),
            };
            // Another process starting in the same folder may have written it first.
            let kept = write_new(path, &candidate)?.unwrap_or(candidate);
            if moved {
                tracing::warn!(file = %path.display(), "JOBPING_SECRET is not set: moved the token-signing secret from the database to its own file");
            } else {
                tracing::warn!(file = %path.display(), "JOBPING_SECRET is not set: generated a token-signing secret and kept it in its own file");
            }
            kept
        }
    };
    match stored {
        Some(value) if value == kept => {
            store
                .delete_secret(STORED_NAME)
                .await
                .context("deleting the token-signing secret from the database")?;
        }
        Some(_) => tracing::warn!(
            file = %path.display(),
            "the database holds a token-signing secret different from the file's; the file's is used and the database's left alone"
        ),
        None => {}
    }
    Ok(Secret::new(kept))
}

fn generate() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The secret in `path`, `None` when there is no such file; an existing file is made
/// private if it was not.
fn read(path: &Path) -> anyhow::Result<Option<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(err).with_context(|| format!("reading the token-signing secret {}", path.display()));
        }
    };
    let secret = text.trim();
    anyhow::ensure!(
        !secret.is_empty(),
        "the token-signing secret file {} is empty: delete it to generate a new one (links already sent will stop working) or restore it",
        path.display()
    );
    set_private(path).with_context(|| format!("making {} private (mode 0600)", path.display()))?;
    Ok(Some(secret.to_owned()))
}

/// Writes `secret` to `path` unless a file is already there: through a private
/// temporary file linked into place, so no reader sees half of it and no writer replaces
/// another's. Returns the secret already there, if one was.
fn write_new(path: &Path, secret: &str) -> anyhow::Result<Option<String>> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = folder.join(format!(".{FILE_NAME}.{}.tmp", uuid::Uuid::new_v4()));
    let written = write_private(&tmp, secret).and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => {
            // The link survives a crash only once the folder is synced; best effort.
            if let Ok(dir) = std::fs::File::open(folder) {
                let _ = dir.sync_all();
            }
            Ok(None)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(err) => {
            Err(err).with_context(|| format!("writing the token-signing secret to {}", path.display()))
        }
    }
}

fn write_private(path: &Path, secret: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    set_private(path)?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// 0600, whatever the umask.
fn set_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}
