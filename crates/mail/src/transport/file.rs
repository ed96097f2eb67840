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
#[derive(Clone, Debug)]
pub(crate) struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub(crate) fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub(crate) async fn deliver(&self, id: uuid::Uuid, message: &Message) -> Result<(), SendError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|err| failed("create the mail folder", &self.dir, &err))?;
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
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|err| failed("create", path, &err))?;
    file.write_all(bytes)
        .await
        .map_err(|err| failed("write", path, &err))?;
    file.sync_all().await.map_err(|err| failed("sync", path, &err))
}

// A full disk or a permission fixed by an operator lets a retry succeed.
fn failed(action: &str, path: &Path, err: &std::io::Error) -> SendError {
    SendError::Transient(format!("could not {action} {}: {err}", path.display()))
}
