//! Schema versions, keyed on `PRAGMA user_version`. Version 1 is `schema.sql`; each later
//! change is appended to `MIGRATIONS` and never edited once released.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::StorageError;

const SCHEMA: &str = include_str!("../../schema.sql");

/// Migrations after the base schema: `MIGRATIONS[i]` brings the file to version `i + 2`.
const MIGRATIONS: &[&str] = &[
    // 2: the links of a saved page, so that a 304 Not Modified re-crawl can follow them,
    //    and a lookup by URL for conditional requests across sessions.
    "ALTER TABLE pages ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
     CREATE INDEX pages_by_url ON pages(url);",
    // 3: near-duplicate detection between versioned copies of a page.
    "ALTER TABLE pages ADD COLUMN simhash INTEGER;
     ALTER TABLE pages ADD COLUMN version_key TEXT;
     ALTER TABLE pages ADD COLUMN version_closeness INTEGER;",
    // 4: versioned copies are the same page only when their texts differ in nothing but
    //    numbers (a hash of the text with numbers folded); SimHash closeness let numbered
    //    pages of one template pass for copies. Rows without it are never skipped as copies.
    "ALTER TABLE pages ADD COLUMN numberless_hash INTEGER;",
    // 5: per-page lookups that do not grow with the job: a session's versioned copies of
    //    a path, the newest saved copy of a URL for conditional requests; and a session's
    //    pages in saving order, so that streaming them does not sort the session per batch.
    "CREATE INDEX pages_by_version ON pages(session_id, version_key) WHERE version_key IS NOT NULL;
     CREATE INDEX pages_by_url_fetched ON pages(url, fetched_at);
     DROP INDEX pages_by_url;
     CREATE INDEX pages_by_session ON pages(session_id);",
    // 6: uploaded and imported documentation. Such a document is keyed `doc:<docId>` in
    //    pages.url (so two uploads of one file name never collide) and shows `shown_url`;
    //    an imported chunk may carry its own source and URL. An upload's bytes are spooled
    //    into upload_parts while the request streams, so its job survives a restart.
    "ALTER TABLE pages ADD COLUMN source TEXT NOT NULL DEFAULT 'scraper';
     ALTER TABLE pages ADD COLUMN shown_url TEXT;
     ALTER TABLE chunks ADD COLUMN source TEXT;
     ALTER TABLE chunks ADD COLUMN url TEXT;
     CREATE TABLE upload_spools (
         id         TEXT PRIMARY KEY,
         session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
         created_at TEXT NOT NULL
     );
     CREATE TABLE upload_parts (
         spool_id TEXT NOT NULL REFERENCES upload_spools(id) ON DELETE CASCADE,
         seq      INTEGER NOT NULL,
         data     BLOB NOT NULL,
         PRIMARY KEY (spool_id, seq)
     );
     CREATE TABLE uploads (
         job_id        TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
         session_id    TEXT NOT NULL,
         doc_id        TEXT NOT NULL,
         file_name     TEXT NOT NULL,
         declared_type TEXT NOT NULL,
         size_bytes    INTEGER NOT NULL,
         content_hash  TEXT NOT NULL,
         replace_all   INTEGER NOT NULL,
         skip_cache    INTEGER NOT NULL,
         content_type  TEXT,
         chunks        INTEGER,
         reused_from   TEXT
     );
     CREATE INDEX uploads_by_session ON uploads(session_id);
     CREATE INDEX uploads_by_doc ON uploads(doc_id);",
    // 7: learning each job's site template: the blocks of every page saved (until the
    //    job's end cleans the page), the template learned, and what was removed.
    "CREATE TABLE page_blocks (
         job_id       TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
         url          TEXT NOT NULL,
         content_hash TEXT NOT NULL,
         blocks       BLOB NOT NULL,
         UNIQUE (job_id, url)
     );
     CREATE TABLE job_template (
         job_id      TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
         fingerprint INTEGER NOT NULL,
         pages       INTEGER NOT NULL,
         sample      TEXT NOT NULL,
         PRIMARY KEY (job_id, fingerprint)
     );
     ALTER TABLE jobs ADD COLUMN template_learned_from INTEGER;
     ALTER TABLE jobs ADD COLUMN template_pages_cleaned INTEGER NOT NULL DEFAULT 0;",
    // 8: the lease of the instance running a job (src/storage/leases.rs); in a SQLite
    //    file the one process owns them all, the columns keep one schema for both backends.
    "ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
     ALTER TABLE jobs ADD COLUMN lease_until INTEGER;",
];

pub fn apply(conn: &mut Connection) -> Result<(), StorageError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let latest = 1 + MIGRATIONS.len() as i64;
    if version > latest {
        return Err(StorageError::Corrupt(format!(
            "the database is at schema version {version}, newer than this build knows ({latest})"
        )));
    }
    if version == 0 {
        tx.execute_batch(SCHEMA)?;
    }
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let target = index as i64 + 2;
        if version < target {
            tx.execute_batch(migration)?;
        }
    }
    tx.pragma_update(None, "user_version", latest)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_file_gets_schema_and_version_and_reapplying_is_a_no_op() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        apply(&mut conn).expect("first apply");
        apply(&mut conn).expect("second apply");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version");
        assert_eq!(version, 1 + MIGRATIONS.len() as i64);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sessions','jobs','pages','chunks','frontier','uploads','upload_spools','upload_parts')",
                [],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(tables, 8);
    }
}
