//! The PostgreSQL backend: a pool of synchronous clients used on the blocking thread
//! pool (as SQLite's connections are), each call in its own transaction, and the schema
//! of `postgres/` applied at start under an advisory lock.

use std::cell::RefCell;
use std::time::Duration;

use std::collections::HashMap;

use postgres::Config;
use r2d2::Pool;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::sql::Sql;
use super::StorageResult;
use crate::error::StorageError;
use crate::faults::{self, StorageFault};

type Clients = Pool<Manager>;

/// Most statements a connection keeps prepared; the storage code has about a hundred.
const MAX_PREPARED: usize = 512;

/// A client with the statements it has prepared, by their SQLite-spelled text: each is
/// parsed and planned once per connection, and runs in one round trip after that.
pub struct CachedClient {
    client: postgres::Client,
    prepared: HashMap<String, postgres::Statement>,
}

/// Opens the pool's connections (as r2d2_postgres does, with the statement cache).
struct Manager {
    config: Config,
    tls: MakeRustlsConnect,
}

impl r2d2::ManageConnection for Manager {
    type Connection = CachedClient;
    type Error = postgres::Error;

    fn connect(&self) -> Result<CachedClient, postgres::Error> {
        Ok(CachedClient {
            client: self.config.connect(self.tls.clone())?,
            prepared: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut CachedClient) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut CachedClient) -> bool {
        conn.client.is_closed()
    }
}

/// One transaction of a cached client: what `Sql::Pg` holds.
pub struct PgTransaction<'c> {
    pub(crate) tx: postgres::Transaction<'c>,
    prepared: &'c mut HashMap<String, postgres::Statement>,
}

impl PgTransaction<'_> {
    /// The prepared form of `sql` (spelled for SQLite; see `sql::pg_sql`).
    pub(crate) fn statement(&mut self, sql: &str) -> StorageResult<postgres::Statement> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(&super::sql::pg_sql(sql))?;
        if self.prepared.len() >= MAX_PREPARED {
            self.prepared.clear();
        }
        self.prepared.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The pool of one process, shared by every clone of `Db`.
#[derive(Clone)]
pub struct PgPool(std::sync::Arc<PoolOwner>);

/// Owns the pool, and drops it away from the async runtime: a synchronous client closes
/// its connection by blocking on its own runtime, which panics on a runtime thread, and
/// the last `Db` is dropped on one when the server stops.
struct PoolOwner(Option<Clients>);

impl Drop for PoolOwner {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            let _ = std::thread::Builder::new()
                .name("docscrape-pg-close".into())
                .spawn(move || drop(pool));
        }
    }
}

impl PgPool {
    fn clients(&self) -> StorageResult<&Clients> {
        self.0
             .0
            .as_ref()
            .ok_or_else(|| StorageError::Worker("the database pool is closed".into()))
    }
}

/// The numbered migrations of `postgres/`, in order; `MIGRATIONS[i]` is version `i + 1`.
/// Released ones are never edited.
const MIGRATIONS: &[&str] = &[include_str!("../../postgres/0001_schema.sql")];

/// Any number, the same in every instance: instances starting together on one database
/// take turns applying the migrations.
const MIGRATION_LOCK: i64 = 0x646f_6373_6372_6170; // "docscrap"

/// Connects (the URL's own parameters apply: host, port, user, password, dbname,
/// `connect_timeout` …) and brings the schema up to date.
pub fn open(url: &str, owner: &str) -> StorageResult<PgPool> {
    let mut config: Config = url
        .parse()
        .map_err(|err| StorageError::Corrupt(format!("invalid PostgreSQL URL: {err}")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.application_name("docscrape");
    // Every session knows which instance it serves, so that a job's writes can check in
    // SQL that this instance still holds the job's lease (storage::jobs::is_running).
    config.options(&format!("-c docscrape.instance={owner}"));
    let tls = tls()?;
    // One connection first, so that a wrong URL, password or certificate fails the
    // start at once with the server's own words (the pool only retries and logs).
    let mut client = config.connect(tls.clone())?;
    migrate(&mut client)?;
    drop(client);
    let manager = Manager { config, tls };
    let clients = Pool::builder()
        .max_size(16)
        .connection_timeout(Duration::from_secs(30))
        .build(manager)?;
    Ok(PgPool(std::sync::Arc::new(PoolOwner(Some(clients)))))
}

/// TLS as the URL's `sslmode` asks: `prefer` (the default) uses it when the server
/// offers it, `require` insists, `disable` never does. The server's certificate must
/// chain to a root the system trusts.
fn tls() -> StorageResult<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system root rustls cannot parse is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| StorageError::Worker(format!("cannot set up TLS: {err}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn migrate(client: &mut postgres::Client) -> StorageResult<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let current: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .try_get(0)?;
    let latest = MIGRATIONS.len() as i64;
    if current > latest {
        return Err(StorageError::Corrupt(format!(
            "the database is at schema version {current}, newer than this build knows ({latest})"
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version > current {
            tx.batch_execute(migration)?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&version],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Runs `work` on a pooled client in one transaction, committed when `work` succeeds.
pub async fn run<T, F>(pool: &PgPool, work: F) -> StorageResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Sql<'_>) -> StorageResult<T> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.clients()?.get()?;
        let CachedClient { client, prepared } = &mut *conn;
        let mut tx = client.transaction()?;
        // A test's read-only fault (src/faults.rs): the server refuses this
        // transaction's writes, as SQLite refuses them on a read-only file.
        if faults::storage_fault() == Some(StorageFault::ReadOnly) {
            tx.batch_execute("SET TRANSACTION READ ONLY")?;
        }
        let sql = Sql::Pg(RefCell::new(PgTransaction { tx, prepared }));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&sql)));
        match outcome {
            Ok(Ok(value)) => {
                if let Some(tx) = sql.into_postgres() {
                    tx.commit()?;
                }
                Ok(value)
            }
            // Dropping the transaction rolls it back.
            Ok(Err(err)) => Err(err),
            Err(_) => Err(StorageError::Worker(
                "a database call panicked; it was undone".into(),
            )),
        }
    })
    .await
    .map_err(|err| StorageError::Worker(err.to_string()))?
}
