//! The crawl frontier of each job, kept in SQLite so that memory stays bounded and a
//! restarted job resumes exactly where it stopped.

use super::sql::{args, Optional, Sql};

use super::StorageResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlState {
    Pending,
    Fetching,
    Done,
    Failed,
    Skipped,
}

impl UrlState {
    fn as_str(self) -> &'static str {
        match self {
            UrlState::Pending => "pending",
            UrlState::Fetching => "fetching",
            UrlState::Done => "done",
            UrlState::Failed => "failed",
            UrlState::Skipped => "skipped",
        }
    }

    fn parse(text: &str) -> UrlState {
        match text {
            "pending" => UrlState::Pending,
            "fetching" => UrlState::Fetching,
            "done" => UrlState::Done,
            "failed" => UrlState::Failed,
            _ => UrlState::Skipped,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FrontierEntry {
    pub url: String,
    pub depth: u32,
}

#[derive(Debug, Clone)]
pub struct NewUrl {
    pub url: String,
    pub depth: u32,
    pub priority: i64,
}

pub fn is_empty(conn: &Sql<'_>, job_id: &str) -> StorageResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM frontier WHERE job_id = ?1 LIMIT 1",
            [job_id],
            |_| Ok(()),
        )
        .optional()?
        .is_none())
}

/// Adds URLs not seen before in this job; returns how many were new.
pub fn add(tx: &Sql<'_>, job_id: &str, urls: &[NewUrl]) -> StorageResult<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO frontier (job_id, url, depth, priority, state) VALUES (?1, ?2, ?3, ?4, 'pending')
         ON CONFLICT (job_id, url) DO NOTHING",
    )?;
    let mut added = 0;
    for entry in urls {
        added += stmt.execute(args![job_id, entry.url, entry.depth, entry.priority])?;
    }
    Ok(added)
}

/// Keeps the job's `keep` best pending URLs (by priority, then discovery order) and
/// deletes the rest, so that the frontier stays in proportion to the page budget. The
/// starter links (depth 0) are never dropped. Returns how many rows went.
pub fn trim_pending(tx: &Sql<'_>, job_id: &str, keep: usize) -> StorageResult<usize> {
    // "All rows from an offset": SQLite spells it LIMIT -1, PostgreSQL LIMIT ALL.
    let sql = tx.pick(
        "DELETE FROM frontier WHERE rowid IN (
             SELECT rowid FROM frontier WHERE job_id = ?1 AND state = 'pending' AND depth > 0
             ORDER BY priority DESC, rowid LIMIT -1 OFFSET ?2)",
        "DELETE FROM frontier WHERE rowid IN (
             SELECT rowid FROM frontier WHERE job_id = ?1 AND state = 'pending' AND depth > 0
             ORDER BY priority DESC, rowid LIMIT ALL OFFSET ?2)",
    );
    tx.execute(sql, args![job_id, keep as i64])
}

/// Takes the best pending URL (highest priority, then discovery order) and marks it fetching.
pub fn claim_next(tx: &Sql<'_>, job_id: &str) -> StorageResult<Option<FrontierEntry>> {
    // On PostgreSQL the page tasks of a job claim at the same time (no single writer
    // orders them): the row is locked, and one being claimed by another task is passed.
    let next = tx
        .query_row(
            tx.pick(
                "SELECT rowid, url, depth FROM frontier WHERE job_id = ?1 AND state = 'pending'
                 ORDER BY priority DESC, rowid LIMIT 1",
                "SELECT rowid, url, depth FROM frontier WHERE job_id = ?1 AND state = 'pending'
                 ORDER BY priority DESC, rowid LIMIT 1 FOR UPDATE SKIP LOCKED",
            ),
            [job_id],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    FrontierEntry {
                        url: row.get(1)?,
                        depth: row.get(2)?,
                    },
                ))
            },
        )
        .optional()?;
    let Some((rowid, entry)) = next else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE frontier SET state = 'fetching' WHERE rowid = ?1",
        [rowid],
    )?;
    Ok(Some(entry))
}

/// Claims a URL reached by a redirect so that no other task fetches it: `true` when it
/// was unknown or still pending, `false` when it is being or has been handled.
pub fn claim_redirect_target(
    tx: &Sql<'_>,
    job_id: &str,
    url: &str,
    depth: u32,
) -> StorageResult<bool> {
    let inserted = tx.execute(
        "INSERT INTO frontier (job_id, url, depth, state) VALUES (?1, ?2, ?3, 'fetching') ON CONFLICT(job_id, url) DO NOTHING",
        args![job_id, url, depth],
    )?;
    if inserted == 1 {
        return Ok(true);
    }
    let claimed = tx.execute(
        "UPDATE frontier SET state = 'fetching' WHERE job_id = ?1 AND url = ?2 AND state = 'pending'",
        args![job_id, url],
    )?;
    Ok(claimed == 1)
}

pub fn state_of(conn: &Sql<'_>, job_id: &str, url: &str) -> StorageResult<Option<UrlState>> {
    Ok(conn
        .query_row(
            "SELECT state FROM frontier WHERE job_id = ?1 AND url = ?2",
            args![job_id, url],
            |row| row.get::<_, String>(0),
        )
        .optional()?
        .map(|state| UrlState::parse(&state)))
}

/// Records the outcome of a URL (inserting it when it was only reached by a redirect).
pub fn set_state(
    tx: &Sql<'_>,
    job_id: &str,
    url: &str,
    depth: u32,
    state: UrlState,
    reason: Option<&str>,
) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO frontier (job_id, url, depth, state, reason) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(job_id, url) DO UPDATE SET state = excluded.state, reason = excluded.reason",
        args![job_id, url, depth, state.as_str(), reason],
    )?;
    Ok(())
}

pub fn count_in_state(conn: &Sql<'_>, job_id: &str, state: UrlState) -> StorageResult<i64> {
    conn.query_row(
        "SELECT count(*) FROM frontier WHERE job_id = ?1 AND state = ?2",
        args![job_id, state.as_str()],
        |row| row.get(0),
    )
}

/// After a crash, URLs that were being fetched go back to pending: they were never counted.
pub fn requeue_in_flight(conn: &Sql<'_>, job_id: &str) -> StorageResult<usize> {
    conn.execute(
        "UPDATE frontier SET state = 'pending' WHERE job_id = ?1 AND state = 'fetching'",
        [job_id],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{jobs, migrations, sessions};

    #[test]
    fn trimming_keeps_the_best_pending_urls_and_every_starter() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
        migrations::apply(&mut conn).expect("schema");
        sessions::create(&Sql::Lite(&conn), "s").expect("session");
        let tx = conn.transaction().expect("tx");
        let tx = Sql::Lite(&tx);
        let job = jobs::NewJob {
            id: "j",
            session_id: "s",
            input: "{}",
            input_key: "k",
            total_iterations: 10,
        };
        jobs::insert(&tx, &job).expect("job");
        let starter = |n: i64| NewUrl {
            url: format!("https://d.example/start{n}"),
            depth: 0,
            priority: -100,
        };
        add(&tx, "j", &[starter(0), starter(1)]).expect("starters");
        let links: Vec<NewUrl> = (0..1000)
            .map(|n| NewUrl {
                url: format!("https://d.example/p{n}"),
                depth: 1,
                priority: n % 10,
            })
            .collect();
        add(&tx, "j", &links).expect("links");
        let done = claim_next(&tx, "j").expect("claim").expect("an entry");
        set_state(&tx, "j", &done.url, done.depth, UrlState::Done, None).expect("done");

        let dropped = trim_pending(&tx, "j", 150).expect("trim");
        assert_eq!(dropped, 1000 - 1 - 150);
        let kept: Vec<(String, i64, i64)> = {
            let mut stmt = tx
                .prepare("SELECT url, priority, depth FROM frontier WHERE job_id = 'j' AND state = 'pending' ORDER BY rowid")
                .expect("query");
            let rows = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .expect("rows");
            rows.collect::<Result<_, _>>().expect("rows")
        };
        assert_eq!(kept.len(), 152);
        assert_eq!(kept.iter().filter(|(_, _, depth)| *depth == 0).count(), 2);
        // 99 pending URLs had priority 9 (one was claimed), then the earliest 51 of 8.
        let nines = kept.iter().filter(|(_, p, _)| *p == 9).count();
        let eights: Vec<&String> = kept
            .iter()
            .filter(|(_, p, _)| *p == 8)
            .map(|(u, _, _)| u)
            .collect();
        assert_eq!((nines, eights.len()), (99, 51));
        assert_eq!(eights[0], "https://d.example/p8");
        assert_eq!(
            state_of(&tx, "j", &done.url).expect("state"),
            Some(UrlState::Done)
        );
    }
}
