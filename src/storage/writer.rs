//! The one writer: every write of the process runs on one thread with its own connection,
//! and the writes waiting at a time are committed together.
//!
//! Each page of every job used to take a pooled connection and commit a transaction of
//! its own, and writers queued on SQLite's lock. Now a write is a closure sent to this
//! thread. The thread takes every closure that is waiting (group commit: it never waits
//! for more), runs each inside its own savepoint of one IMMEDIATE transaction, commits,
//! and only then answers each caller. Under load a transaction carries the pages of all
//! jobs that finished meanwhile; when idle, a write commits at once.
//!
//! Durability is what one transaction per write gave:
//! - a closure's writes land whole or not at all: a closure that fails (or panics) is
//!   rolled back to its savepoint and only its caller gets the error;
//! - a caller hears "done" only after the commit that holds its writes, so nothing a job
//!   counted (pages, iterations) can be lost by a crash after it was told;
//! - a crash before the commit loses the whole batch, and each of its closures is as if
//!   never run: pages in flight go back to pending at restart and are fetched again,
//!   never saved twice, and the iteration count is the committed one;
//! - when SQLite abandons the whole transaction (a full disk, an I/O error), every
//!   closure of the batch gets that error, since none of their writes survived.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::{apply_storage_fault, Sql, StorageResult};
use crate::error::StorageError;

/// Most closures in one transaction; more wait for the next one.
const MAX_BATCH: usize = 256;

/// A closure's outcome, held until the batch's commit decides it.
trait Pending: Send {
    fn settle(self: Box<Self>, commit: Result<(), &StorageError>);
    /// Its error, when it failed.
    fn failure(&self) -> Option<StorageError>;
}

struct Reply<T> {
    result: StorageResult<T>,
    to: oneshot::Sender<StorageResult<T>>,
}

impl<T: Send> Pending for Reply<T> {
    fn settle(self: Box<Self>, commit: Result<(), &StorageError>) {
        let result = match commit {
            Ok(()) => self.result,
            Err(err) => Err(duplicate(err)),
        };
        // The caller may have stopped waiting (a cancelled job); the write stands.
        let _ = self.to.send(result);
    }

    fn failure(&self) -> Option<StorageError> {
        self.result.as_ref().err().map(duplicate)
    }
}

/// A write waiting for the writer thread.
trait Request: Send {
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Pending>;
    /// Answers `err` without running, when the batch failed before its turn.
    fn refuse(self: Box<Self>, err: &StorageError);
}

struct Work<T, F> {
    work: F,
    to: oneshot::Sender<StorageResult<T>>,
}

impl<T, F> Request for Work<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Sql<'_>) -> StorageResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Pending> {
        let Work { work, to } = *self;
        let result = in_savepoint(tx, work);
        Box::new(Reply { result, to })
    }

    fn refuse(self: Box<Self>, err: &StorageError) {
        let _ = self.to.send(Err(duplicate(err)));
    }
}

/// Sends writes to the writer thread; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    requests: mpsc::Sender<Box<dyn Request>>,
}

impl Writer {
    /// Starts the writer thread on `conn`; it stops when the last `Writer` is dropped.
    pub fn start(conn: Connection) -> StorageResult<Writer> {
        // Each write's savepoint keeps the pages it changes in a sub-journal, which SQLite
        // spills to a new temporary file past 64 KiB: one file created, written and
        // deleted per saved page (4 % of the CPU of a crawl of small pages, in `perf`).
        // In memory it stays bounded by one write's changes, since every savepoint is
        // released at once; the writer's statements build no large temporary tables
        // (the frontier trim's is the rowids it deletes, a fraction of one job's
        // frontier), and readers, whose sorts may be large, keep the default.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let (requests, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("docscrape-writer".into())
            .spawn(move || run(conn, queue))
            .map_err(|err| {
                StorageError::Worker(format!("cannot start the database writer: {err}"))
            })?;
        Ok(Writer { requests })
    }

    /// Runs `work` in the writer's transaction and answers once it is committed.
    pub async fn write<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Sql<'_>) -> StorageResult<T> + Send + 'static,
    {
        let (to, answer) = oneshot::channel();
        self.requests
            .send(Box::new(Work { work, to }))
            .map_err(|_| StorageError::Worker("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StorageError::Worker("the database writer has stopped".into()))?
    }
}

fn run(mut conn: Connection, queue: mpsc::Receiver<Box<dyn Request>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(request) => batch.push(request),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, batch);
    }
}

fn write_batch(conn: &mut Connection, batch: Vec<Box<dyn Request>>) {
    let tx = match apply_storage_fault(conn)
        .map_err(StorageError::from)
        .and_then(|()| Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?))
    {
        Ok(tx) => tx,
        Err(err) => {
            // Nothing ran: every closure gets the reason, as it would have on its own.
            for request in batch {
                request.refuse(&err);
            }
            return;
        }
    };
    let mut pending: Vec<Box<dyn Pending>> = Vec::with_capacity(batch.len());
    let mut abandoned = None;
    let mut requests = batch.into_iter();
    for request in requests.by_ref() {
        let reply = request.run(&tx);
        let lost = tx.is_autocommit();
        if lost {
            // SQLite rolled the whole transaction back (full disk, I/O error): the
            // writes of the closures before this one are gone too.
            abandoned = Some(reply.failure().unwrap_or_else(|| {
                StorageError::Worker("the database abandoned a transaction".into())
            }));
        }
        pending.push(reply);
        if lost {
            break;
        }
    }
    let commit = match abandoned {
        Some(err) => {
            drop(tx);
            Err(err)
        }
        None => tx.commit().map_err(StorageError::from),
    };
    let outcome = commit.as_ref().map(|_| ());
    for reply in pending {
        reply.settle(outcome);
    }
    if let Err(err) = &commit {
        for request in requests {
            request.refuse(err);
        }
    }
}

/// Runs `work` inside a savepoint: on error or panic only its own writes are undone.
fn in_savepoint<T, F>(tx: &Transaction<'_>, work: F) -> StorageResult<T>
where
    F: FnOnce(&Sql<'_>) -> StorageResult<T>,
{
    tx.execute_batch("SAVEPOINT one_write")?;
    let result = match catch_unwind(AssertUnwindSafe(|| work(&Sql::Lite(tx)))) {
        Ok(result) => result,
        Err(_) => Err(StorageError::Worker(
            "a database write panicked; it was undone".into(),
        )),
    };
    if tx.is_autocommit() {
        // The whole transaction is gone; `write_batch` notices and fails the batch.
        return result;
    }
    match &result {
        Ok(_) => tx.execute_batch("RELEASE one_write")?,
        Err(_) => tx.execute_batch("ROLLBACK TO one_write; RELEASE one_write")?,
    }
    result
}

/// The same error again, for each closure of a batch whose commit failed: SQLite's own
/// code is kept, so that a full disk still reads as one.
fn duplicate(err: &StorageError) -> StorageError {
    match err {
        StorageError::Sqlite(rusqlite::Error::SqliteFailure(failure, message)) => {
            StorageError::Sqlite(rusqlite::Error::SqliteFailure(*failure, message.clone()))
        }
        other => StorageError::Worker(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The savepoint of every write keeps its sub-journal in memory, not in a temporary
    /// file created and deleted per write.
    #[test]
    fn the_writer_keeps_temporary_data_in_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = Connection::open(dir.path().join("w.db")).expect("open");
        let writer = Writer::start(conn).expect("writer");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let store: i64 = runtime
            .block_on(writer.write(|tx| tx.query_row("PRAGMA temp_store", [], |row| row.get(0))))
            .expect("pragma");
        // 2 is MEMORY; the default, 0, lets SQLite spill to files.
        assert_eq!(store, 2);
    }
}
