//! The store: the embedded SQLite file by default (WAL mode, a pool of readers, one
//! writer thread), or a PostgreSQL server shared by several instances. Storage functions
//! are written once against [`sql::Sql`]; every call runs off the async reactor.

pub mod activity;
pub mod browse;
pub mod frontier;
pub mod jobs;
pub mod leases;
mod migrations;
pub mod pages;
#[cfg(test)]
mod plans;
mod postgres;
pub mod sessions;
pub mod sql;
pub mod templates;
pub mod uploads;
mod writer;

use std::path::Path;
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

use crate::error::StorageError;
use crate::faults::{self, StorageFault};
pub use sql::{Dialect, Optional, Sql};

pub type StorageResult<T> = Result<T, StorageError>;

/// How long a writer waits for another writer before giving up with SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The database of this process, cheap to clone.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    /// This instance's name in job leases (see `leases`).
    owner: std::sync::Arc<str>,
}

#[derive(Clone)]
enum Backend {
    /// Reads go through a pool of connections on the blocking pool (WAL lets them run
    /// beside the writer); every write goes to the one writer thread (see `writer`).
    Sqlite {
        pool: Pool<SqliteConnectionManager>,
        writer: writer::Writer,
    },
    /// Every call takes a pooled connection on the blocking pool and runs in its own
    /// transaction; the server orders the writes of all instances.
    Postgres(postgres::PgPool),
}

/// Whether `--db` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl Db {
    /// Opens the database `--db` names: a `postgres://` URL, or a SQLite file (created
    /// with its folder if needed). Applies the schema and migrations either way.
    pub fn open(location: &Path) -> StorageResult<Db> {
        match location.to_str().filter(|text| is_postgres_url(text)) {
            Some(url) => {
                let owner = crate::ids::new_id();
                Ok(Db {
                    backend: Backend::Postgres(postgres::open(url, &owner)?),
                    owner: owner.into(),
                })
            }
            None => Db::open_sqlite(location),
        }
    }

    fn open_sqlite(path: &Path) -> StorageResult<Db> {
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
        let writer = writer::Writer::start(conn)?;
        let manager = SqliteConnectionManager::file(path).with_init(|conn| configure(conn));
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(Duration::from_secs(30))
            .build(manager)?;
        Ok(Db {
            backend: Backend::Sqlite { pool, writer },
            owner: leases::LOCAL_OWNER.into(),
        })
    }

    /// This instance's name in job leases: a fresh id per process on PostgreSQL.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `work` with a connection on the blocking thread pool. On PostgreSQL it runs
    /// in a transaction that commits when `work` succeeds.
    pub async fn run<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Sql<'_>) -> StorageResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { pool, .. } => {
                let pool = pool.clone();
                tokio::task::spawn_blocking(move || {
                    let conn = pool.get()?;
                    apply_storage_fault(&conn)?;
                    let sql = Sql::Lite(&conn);
                    work(&sql)
                })
                .await
                .map_err(|err| StorageError::Worker(err.to_string()))?
            }
            Backend::Postgres(pool) => postgres::run(pool, work).await,
        }
    }

    /// Runs `work` as one write: all of it lands or none of it, and the answer comes
    /// once it is committed. On SQLite it runs on the writer thread, in a transaction
    /// shared with the other writes waiting at the same time, so `work` must only write
    /// (and read what it writes against): slow computation belongs before the call.
    pub async fn write<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Sql<'_>) -> StorageResult<T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite { writer, .. } => writer.write(work).await,
            Backend::Postgres(pool) => postgres::run(pool, work).await,
        }
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
