//! `.eml` files in a folder: the default for a pilot and for development.

use std::path::{Path, PathBuf};

use lettre::Message;
use tokio::io::AsyncWriteExt;

use crate::SendError;

/// Writes each email to `<dir>/<id>.eml`.
///
/// The name comes from the email id alone, so a retried send of the same email replaces
/// its file instead of adding a second one. The bytes go to a hidden temporary file in the
/// same folder first and are renamed into place, so a reader never sees half a message.
///
/// An email holds signed links that work for weeks, so each file is readable by
/// JobPing's user alone (0600, whatever the umask), and so is a folder created here (0700).
#[derive(Clone, Debug)]
pub(crate) struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub(crate) async fn deliver(&self, id: uuid::Uuid, message: &Message) -> Result<(), SendError> {
        if !tokio::fs::try_exists(&self.dir).await.unwrap_or(false) {
            create_private_folder(&self.dir)
                .await
                .map_err(|err| failed("create the mail folder", &self.dir, &err))?;
        }
        let path = self.dir.join(format!("{id}.eml"));
        // A distinct temporary name per attempt: two concurrent sends of one id must not
        // write into the same temporary file.
        let tmp = self.dir.join(format!(".{id}.{}.tmp", uuid::Uuid::new_v4()));
        let written = write_synced(&tmp, &message.formatted()).await;
        let renamed = match written {
            Ok(()) => tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|err| failed("move the email into place at", &path, &err)),
            Err(err) => Err(err),
        };
        if renamed.is_err() {
            // Best effort: the error that matters is the one returned.
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        renamed
    }
}

async fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), SendError> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let mut file = options
        .open(path)
        .await
        .map_err(|err| failed("create", path, &err))?;
    // The mode given to open met the umask; this one does not.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE))
        .await
        .map_err(|err| failed("make private", path, &err))?;
    file.write_all(bytes)
        .await
        .map_err(|err| failed("write", path, &err))?;
    file.sync_all().await.map_err(|err| failed("sync", path, &err))
}

/// The mode of an `.eml` file.
const FILE_MODE: u32 = 0o600;
/// The mode of a mail folder JobPing creates.
const FOLDER_MODE: u32 = 0o700;

/// Creates `dir` (and any missing parents) as 0700, whatever the umask.
async fn create_private_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(FOLDER_MODE);
    builder.create(dir).await?;
    #[cfg(unix)]
    tokio::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(FOLDER_MODE)).await?;
    Ok(())
}

// A full disk or a permission fixed by an operator lets a retry succeed.
fn failed(action: &str, path: &Path, err: &std::io::Error) -> SendError {
    SendError::Transient(format!("could not {action} {}: {err}", path.display()))
}
