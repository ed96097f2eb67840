//! Checkpoints on a connection of their own, so that the one writer does not stop to
//! copy the write-ahead log into the database and wait for the disk.
//!
//! In WAL mode every committed page is written twice: to the log, then by a checkpoint
//! into the database file, with an fsync on each side. SQLite's default runs that
//! checkpoint on the connection that committed, inside its commit, so the writer that
//! every other write queues behind spends part of a busy spell copying pages and
//! waiting for the disk. A passive checkpoint from a second connection does the same
//! work beside the writer, without taking the write lock or waiting for readers; the
//! writer's own automatic checkpoint stays, with a higher threshold, as a backstop.

use std::sync::Weak;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

/// How often the log is copied into the database.
const INTERVAL: Duration = Duration::from_secs(1);

/// The writer's own checkpoint threshold, in pages: only when the log has grown this
/// far (the checkpointer has fallen behind) does the writer copy it itself.
pub(super) const WRITER_THRESHOLD_PAGES: u32 = 8_000;

/// Opens a connection to the database `options` name and checkpoints it every
/// [`INTERVAL`] until `alive` (a part of the store that lives as long as it) is gone.
pub(super) async fn start<T: Send + Sync + 'static>(options: SqliteConnectOptions, alive: Weak<T>) {
    let mut connection = match options.connect().await {
        Ok(connection) => connection,
        Err(err) => {
            // The writer's own checkpoints still run: slower, not wrong.
            tracing::warn!(error = %err, "could not open a connection to checkpoint SQLite with");
            return;
        }
    };
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(INTERVAL).await;
            if alive.strong_count() == 0 {
                break;
            }
            match checkpoint(&mut connection).await {
                Ok(()) => failing = false,
                Err(err) if !failing => {
                    failing = true;
                    tracing::warn!(error = %err, "checkpointing SQLite failed; the writer checkpoints meanwhile");
                }
                Err(_) => {}
            }
        }
        let _ = connection.close().await;
    });
}

/// Copies what it can of the log into the database without waiting for anyone.
async fn checkpoint(connection: &mut SqliteConnection) -> sqlx::Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(connection)
        .await
        .map(drop)
}
