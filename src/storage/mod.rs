//! The embedded SQLite store: one file, WAL mode, a connection pool, and every call made
//! off the async reactor.

pub mod activity;
pub mod browse;
pub mod frontier;
pub mod jobs;
mod migrations;
pub mod pages;
#[cfg(test)]
mod plans;
pub mod sessions;
pub mod templates;
pub mod uploads;
mod writer;

use std::path::Path;
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, Transaction};

use crate::error::StorageError;
use crate::faults::{self, StorageFault};

pub type StorageResult<T> = Result<T, StorageError>;

/// How long a writer waits for another writer before giving up with SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads go through a pool of connections on the blocking pool (WAL lets them run beside
/// the writer); every write goes to the one writer thread (see `writer`).
#[derive(Clone)]
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
    writer: writer::Writer,
}

impl Db {
    /// Opens (creating if needed) the database file, applies the schema and migrations.
    pub fn open(path: &Path) -> StorageResult<Db> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StorageError::Open {
                path: parent.display().to_string(),
                source,
            })?;
        }
        // WAL is a property of the file; set it once before the pool opens more handles.
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        configure(&conn)?;
        migrations::apply(&mut conn)?;
        let writer = writer::Writer::start(conn).map_err(|err| {
            StorageError::Worker(format!("cannot start the database writer: {err}"))
        })?;
        let manager = SqliteConnectionManager::file(path).with_init(|conn| configure(conn));
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(Duration::from_secs(30))
            .build(manager)?;
        Ok(Db { pool, writer })
    }

    /// Runs `work` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            apply_storage_fault(&conn)?;
            work(&mut conn)
        })
        .await
        .map_err(|err| StorageError::Worker(err.to_string()))?
    }

    /// Runs `work` on the writer thread, in a transaction shared with the other writes
    /// waiting at the same time: all of `work` lands or none of it, and the answer comes
    /// once it is committed. `work` must only write (and read what it writes against):
    /// slow computation belongs before the call, since every other write waits for it.
    pub async fn write<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StorageResult<T> + Send + 'static,
    {
        self.writer.write(work).await
    }
}

/// Under a test fault (see `crate::faults`), makes this connection fail writes the way a
/// full disk or a read-only file does: the errors come from SQLite itself.
fn apply_storage_fault(conn: &Connection) -> rusqlite::Result<()> {
    match faults::storage_fault() {
        None => Ok(()),
        // The limit cannot go below the file's current size, so 1 means "no growth".
        Some(StorageFault::Full) => conn.pragma_update(None, "max_page_count", 1),
        Some(StorageFault::ReadOnly) => conn.pragma_update(None, "query_only", true),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}
