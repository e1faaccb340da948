//! One scrape job's crawl loop. The frontier lives in SQLite; up to `job_concurrency`
//! pages are in hand at once (being fetched, processed or recorded), and each page's
//! outcome (page, chunks, new links, frontier state, iteration count) lands in one
//! transaction, so a crash loses at most the pages in hand and never duplicates one.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use url::Url;

use super::chunk::Chunker;
use super::cpu_pool::CpuPool;
use super::discovery;
use super::extract::{extract, Document, Extracted};
use super::fetch::{Fetched, Fetcher, Hop, RedirectChain, Validators};
use super::hosts::HostLimiter;
use super::netpolicy::NetPolicy;
use super::rank::Ranker;
use super::robots::RobotsCache;
use super::scope::{host_key, normalize, parse_normalized, Scope};
use super::script_links::{self, ScriptsSeen};
use super::versions::{numberless_hash_of_spaced, versioned_path};
use crate::error::StorageError;
use crate::ids;
use crate::jobs::input::{ScrapeInput, MAX_URL_CHARS};
use crate::jobs::live::LiveJob;
use crate::jobs::stop::JobStop;
use crate::storage::frontier::{self, FrontierEntry, NewUrl, UrlState};
use crate::storage::jobs::{self as job_rows, Ending, JobRow};
use crate::storage::pages::{self, CachedPage, NewChunk, NewPage, SaveOutcome};
use crate::storage::sql::Sql;
use crate::storage::Db;
use best::BestUrls;
use page::process;
use queued::{Key as QueuedKey, QueuedUrls};
pub(crate) use record::content_hash;
use record::{record, Recorded};

mod best;
mod page;
mod queued;
mod record;

/// What all jobs share: the database, the HTTP client, politeness and the tokenizer.
pub struct CrawlShared {
    pub db: Db,
    pub fetcher: Arc<Fetcher>,
    pub hosts: Arc<HostLimiter>,
    pub chunker: Arc<Chunker>,
    pub job_concurrency: usize,
    pub policy: Arc<NetPolicy>,
    /// Bounds the pages parsed and chunked at once, across all jobs (see `ParseBudget`).
    pub parse_budget: ParseBudget,
    /// Where pages are parsed and chunked, one thread a core.
    pub cpu: CpuPool,
}

/// Parsing and chunking are CPU-bound, and a large page's DOM takes ten to twenty times
/// its size in memory, so pages are admitted by weight: each costs its size in KiB,
/// at least a core's share of the budget (so no more small pages run than there are
/// cores) and at most the whole budget (so the largest pages run one at a time).
///
/// The budget is [`PARSED_AT_ONCE`] at most, whatever the page size cap, so that a cap
/// raised to tens of MB never lets two pages of that size be parsed side by side.
pub struct ParseBudget {
    kib: Arc<tokio::sync::Semaphore>,
    total_kib: u32,
    min_cost_kib: u32,
}

impl ParseBudget {
    /// `largest_body` is the page size cap; the budget is 1.2 times it, at most
    /// [`PARSED_AT_ONCE`] (a page over the budget still runs, alone).
    pub fn new(largest_body: u64, cores: usize) -> Self {
        // At most PARSED_AT_ONCE's 6,144 KiB: the cast cannot truncate.
        let total_kib =
            (largest_body / 1024 + largest_body / 5120).clamp(1024, PARSED_AT_ONCE >> 10) as u32;
        let min_cost_kib = (total_kib / u32::try_from(cores.max(1)).unwrap_or(1)).max(1);
        ParseBudget {
            kib: Arc::new(tokio::sync::Semaphore::new(total_kib as usize)),
            total_kib,
            min_cost_kib,
        }
    }

    /// Waits until a page of `bytes` may be parsed; dropping the admission ends it. It is
    /// owned so that it moves into the parse itself and lasts exactly as long as the
    /// work: a page task stopped while its parse still runs does not free the budget.
    pub async fn admit(&self, bytes: usize) -> Option<Admission> {
        let kib = u32::try_from(bytes / 1024).unwrap_or(u32::MAX);
        let cost = kib.clamp(self.min_cost_kib, self.total_kib);
        let permit = self.kib.clone().acquire_many_owned(cost).await.ok()?;
        Some(Admission {
            _permit: permit,
            bytes,
        })
    }
}

/// The bytes of input (crawled pages and uploads) parsed at once, across all jobs. The
/// 6 MB page of JDK 17's API takes some 50 MiB to parse and extract, so this (with the
/// arenas' free memory given back around such a page, see [`Admission::parse`]) keeps a
/// crawl's peak near 90 MiB with the program's own 30. On many cores a page of 5 or 6 MB
/// then holds up every other parse while it runs: memory is the bound, not cores.
const PARSED_AT_ONCE: u64 = 6 << 20;

/// A parse admitted by the [`ParseBudget`]; [`Admission::parse`] runs it.
pub struct Admission {
    _permit: tokio::sync::OwnedSemaphorePermit,
    bytes: usize,
}

impl Admission {
    /// Runs `parse` as the admitted work, on the thread that calls it (one of the CPU
    /// pool's: the calls into the allocator block, so never the async runtime). Around
    /// a large input the arenas' free memory goes back to the system, before the tree is
    /// built and after it is gone; then the admission ends and frees its place. It ends
    /// even if `parse` panics.
    pub fn parse<T>(self, parse: impl FnOnce() -> T) -> T {
        crate::allocator::around_parsing(self.bytes);
        parse()
    }
}

impl Drop for Admission {
    /// Ends the admission; after a large input the freed memory goes back to the system
    /// first, a blocking call, so the admission is dropped on the parsing thread (as
    /// [`Admission::parse`] does), never on the async runtime.
    fn drop(&mut self) {
        crate::allocator::around_parsing(self.bytes);
    }
}

/// What one job's page tasks share.
struct JobContext {
    shared: Arc<CrawlShared>,
    job_id: String,
    robots: RobotsCache,
    /// Grows when a starter link redirects to another host.
    scope: RwLock<Scope>,
    ranker: Ranker,
    /// Cancelled when the job is: page work checks it between its steps.
    cancel: JobStop,
    /// Pending URLs the frontier keeps at most (the best-ranked), from the page budget.
    frontier_cap: usize,
    /// Links queued since the frontier was last trimmed to `frontier_cap`.
    links_since_trim: AtomicUsize,
    /// URLs this run already put in the frontier: links found again are not re-queued.
    queued: QueuedUrls,
    /// What status polls show of this job.
    live: Arc<LiveJob>,
    /// The scripts whose page links this run has read (or is reading).
    scripts: ScriptsSeen,
}

impl JobContext {
    fn scope(&self) -> std::sync::RwLockReadGuard<'_, Scope> {
        self.scope
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A frontier entry taken for fetching, with the saved copy whose validators make its
/// request conditional. Looked up in the claim's own transaction: on SQLite that is the
/// writer's connection, whose cache holds the pages it just wrote, where a read of its
/// own cost every page a hop to the blocking pool and a pooled connection's cold cache.
struct Claimed {
    entry: FrontierEntry,
    cached: Option<CachedPage>,
}

/// Claims the job's next frontier entry (see [`Claimed`]).
fn claim_next(
    tx: &Sql<'_>,
    job_id: &str,
    session_id: &str,
) -> Result<Option<Claimed>, StorageError> {
    let Some(entry) = frontier::claim_next(tx, job_id)? else {
        return Ok(None);
    };
    let cached = pages::find_cached(tx, session_id, &entry.url)?;
    Ok(Some(Claimed { entry, cached }))
}

/// What became of one frontier entry.
struct PageOutcome {
    entry: FrontierEntry,
    /// URLs reached by redirects from the entry and claimed by it, in order.
    hops: Vec<String>,
    result: PageResult,
}

enum PageResult {
    Saved(Box<ProcessedPage>),
    /// The job was cancelled while the page was in hand; nothing is recorded.
    Cancelled,
    /// Fetched (an iteration) but not saved.
    Failed(String),
    /// Fetched but without a word to save (a frameset without `<noframes>`, a shell its
    /// scripts fill): failed as "no text content", and its links (frames and the pages
    /// its scripts name included) are followed, for they may be the only way into the
    /// site. The URL is where the fetch landed, after redirects.
    Wordless(Box<Document>, Url),
    /// Redirects to a URL this job already handles; an iteration, nothing saved.
    Redirected(String),
    /// Never fetched (robots.txt); does not use the page budget.
    Skipped(String),
    /// The server answered 304 to a conditional request: the saved copy is reused.
    NotModified(Box<CachedPage>),
}

struct ProcessedPage {
    final_url: String,
    fetched: FetchFacts,
    document: Document,
    chunks: Vec<NewChunk>,
    /// Hashes of `document.content` ([`content_hash`], [`numberless_hash_of_spaced`]).
    content_hash: String,
    numberless_hash: u64,
}

struct FetchFacts {
    status: u16,
    mime: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
}

/// The longest time spent reading sitemaps and llms.txt before the crawl starts.
const DISCOVERY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// Pending URLs a job's frontier keeps per page of its budget (at least
/// `MIN_FRONTIER_CAP`): the best-ranked ones, so a site listing millions of pages costs a
/// 50-page job a few hundred rows.
const FRONTIER_PER_PAGE: usize = 10;
const MIN_FRONTIER_CAP: usize = 500;
/// URLs kept from sitemaps and llms.txt per page of the budget (at least
/// `MIN_DISCOVERY_KEEP`), the best-ranked of all that were listed.
const DISCOVERY_PER_PAGE: usize = 5;
const MIN_DISCOVERY_KEEP: usize = 250;

fn frontier_cap(budget: u32) -> usize {
    (budget as usize)
        .saturating_mul(FRONTIER_PER_PAGE)
        .max(MIN_FRONTIER_CAP)
}

fn discovery_keep(budget: u32) -> usize {
    (budget as usize)
        .saturating_mul(DISCOVERY_PER_PAGE)
        .max(MIN_DISCOVERY_KEEP)
}

/// Crawls until the frontier is empty, the budget is spent or the job is cancelled.
pub async fn run(
    shared: Arc<CrawlShared>,
    job: &JobRow,
    input: &ScrapeInput,
    cancel: JobStop,
    live: Arc<LiveJob>,
) -> Result<Ending, StorageError> {
    let db = shared.db.clone();
    let is_new = seed_if_new(&db, &job.id, input).await?;
    let scope = load_scope(&db, &job.id, input).await?;
    let context = Arc::new(JobContext {
        shared: shared.clone(),
        job_id: job.id.clone(),
        robots: RobotsCache::new(&job.id),
        scope: RwLock::new(scope),
        ranker: Ranker::new(
            &input.application_name,
            &input.application_version,
            input
                .starter_links
                .first()
                .and_then(|l| parse_normalized(l))
                .as_ref(),
        ),
        cancel: cancel.clone(),
        frontier_cap: frontier_cap(input.max_iterations),
        links_since_trim: AtomicUsize::new(0),
        queued: QueuedUrls::new(),
        live,
        scripts: ScriptsSeen::for_budget(input.max_iterations),
    });
    if is_new && input.max_depth != Some(0) {
        // Sitemaps can be many and slow; a cancel must stop them, and they may not keep
        // the crawl itself waiting for long.
        tokio::select! {
            _ = cancel.cancelled() => {
                log::info!("[job {}] stopped during discovery", job.id);
                return Ok(Ending::Finished { reason: "cancelled" });
            }
            found = discover_pages(&context, input) => found?,
        }
    }
    let budget = i64::from(input.max_iterations);
    let mut completed = job.completed_iterations;
    let mut in_flight: JoinSet<PageOutcome> = JoinSet::new();
    // Outcomes being recorded. Several at once: each plans its links on the blocking
    // pool and queues its transaction (SQLite's writer commits those that wait together
    // in one commit; on PostgreSQL the job row's lock takes them in turn). One at a time,
    // the loop waited for each page's planning and commit while pages finished behind
    // it, and kept two cores a third idle on small pages.
    let mut recording = FuturesUnordered::new();
    // Pages being recorded that may claim a successor: each holds a place in the budget
    // until its transaction says whether it did.
    let mut claiming: i64 = 0;
    // The message lives in memory only: it changes with every page, and the row gets
    // its message with the page's count.
    let start = |in_flight: &mut JoinSet<PageOutcome>, claimed: Claimed| {
        context
            .live
            .set_message(&format!("Fetching {}", claimed.entry.url));
        in_flight.spawn(process(context.clone(), claimed));
    };
    loop {
        // A page being recorded claims its successor in its own transaction, so it
        // holds its place among the pages a job has at once.
        while in_flight.len() + recording.len() < shared.job_concurrency
            && completed + ((in_flight.len() + recording.len()) as i64) + claiming < budget
            && !cancel.is_cancelled()
        {
            let (id, session) = (job.id.clone(), job.session_id.clone());
            let claimed = db.write(move |tx| claim_next(tx, &id, &session)).await?;
            let Some(claimed) = claimed else { break };
            start(&mut in_flight, claimed);
        }
        if in_flight.is_empty() && recording.is_empty() {
            break;
        }
        let recorded = tokio::select! {
            _ = cancel.cancelled() => {
                in_flight.abort_all();
                log::info!("[job {}] stopped", job.id);
                return Ok(Ending::Finished { reason: "cancelled" });
            }
            Some(recorded) = recording.next(), if !recording.is_empty() => recorded,
            Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                let outcome = match joined {
                    Ok(outcome) => outcome,
                    Err(err) => {
                        log::error!("[job {}] a page task failed: {err}", job.id);
                        continue;
                    }
                };
                // What the budget still allows besides the pages in flight, those being
                // recorded and the successors these may claim; this page takes one of it
                // if it counts, and claims a successor if one more fits.
                let room = if cancel.is_cancelled() {
                    0
                } else {
                    budget - completed - (in_flight.len() + recording.len()) as i64 - claiming
                };
                let claim = room > 1;
                claiming += i64::from(claim);
                let recorded = record(&context, &job.session_id, input, outcome, claim);
                recording.push(recorded.map(move |recorded| (claim, recorded)));
                continue;
            }
        };
        let (could_claim, recorded) = recorded;
        claiming -= i64::from(could_claim);
        let (recorded, next) = recorded?;
        match recorded {
            Recorded::Counted => completed += 1,
            Recorded::NotCounted => {}
            Recorded::JobOver => {
                in_flight.abort_all();
                return Ok(Ending::Finished {
                    reason: "cancelled",
                });
            }
        }
        if let Some(claimed) = next {
            start(&mut in_flight, claimed);
        }
        if context.links_since_trim.load(Ordering::Relaxed) > context.frontier_cap / 4 {
            trim_frontier(&context).await?;
        }
    }
    decide_ending(&db, &job.id, input).await
}

/// First start of a job: its starter links become the depth-0 frontier and their hosts
/// the job's scope. A resumed job already has both. `true` for a first start.
async fn seed_if_new(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<bool, StorageError> {
    let id = job_id.to_string();
    let starters: Vec<NewUrl> = input
        .starter_links
        .iter()
        .map(|url| NewUrl {
            url: url.clone(),
            depth: 0,
            priority: 0,
        })
        .collect();
    let hosts: Vec<String> = input
        .starter_links
        .iter()
        .filter_map(|link| parse_normalized(link).and_then(|url| host_key(&url)))
        .collect();
    db.write(move |tx| {
        if !frontier::is_empty(tx, &id)? {
            return Ok(false);
        }
        frontier::add(tx, &id, &starters)?;
        for host in &hosts {
            job_rows::add_host(tx, &id, host)?;
        }
        Ok(true)
    })
    .await
}

/// Adds the in-scope pages that the starters' sites list in sitemaps and llms.txt, as
/// children of the starters: the best-ranked `discovery_keep` of them, so that a site
/// listing millions of pages costs memory in proportion to the budget. Documents are
/// parsed and their URLs ranked on the blocking pool.
async fn discover_pages(
    context: &Arc<JobContext>,
    input: &ScrapeInput,
) -> Result<(), StorageError> {
    let mut origins: Vec<Url> = input
        .starter_links
        .iter()
        .filter_map(|l| parse_normalized(l))
        .collect();
    origins.dedup_by_key(|url| url.origin().ascii_serialization());
    let id = context.job_id.clone();
    let message = "Reading sitemaps and llms.txt";
    context.live.set_message(message);
    context
        .shared
        .db
        .write(move |tx| job_rows::set_message(tx, &id, message))
        .await?;
    let best = Arc::new(Mutex::new(BestUrls::new(discovery_keep(
        input.max_iterations,
    ))));
    let sink: discovery::Sink = {
        let (context, best) = (context.clone(), best.clone());
        Arc::new(move |listed: Vec<String>| {
            let ranked: Vec<NewUrl> = {
                let scope = context.scope();
                listed
                    .iter()
                    .filter_map(|url| parse_normalized(url))
                    .filter(|url| url.as_str().len() <= MAX_URL_CHARS)
                    .filter(|url| scope.check(url).is_ok())
                    .map(|url| ranked_url(&context, &url, "", 1, false))
                    .collect()
            };
            best.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend(ranked);
        })
    };
    let deadline = tokio::time::Instant::now() + DISCOVERY_DEADLINE;
    for origin in &origins {
        let reading = discovery::discover(
            &context.shared.fetcher,
            &context.shared.hosts,
            &context.robots,
            origin,
            &sink,
        );
        if tokio::time::timeout_at(deadline, reading).await.is_err() {
            log::warn!(
                "[job {}] sitemap and llms.txt discovery stopped after {} s; crawling from the pages listed so far",
                context.job_id,
                DISCOVERY_DEADLINE.as_secs()
            );
            break;
        }
    }
    let (listed, found) = {
        let mut best = best.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        (best.offered(), best.take())
    };
    log::info!(
        "[job {}] sitemaps and llms.txt listed {listed} in-scope page(s); the best-ranked {} are queued",
        context.job_id,
        found.len()
    );
    let id = context.job_id.clone();
    context
        .shared
        .db
        .write(move |tx| frontier::add(tx, &id, &found))
        .await?;
    Ok(())
}

/// Keeps the job's pending frontier to its best-ranked `frontier_cap` URLs, in a write of
/// its own, once enough links were queued since the last time.
async fn trim_frontier(context: &JobContext) -> Result<(), StorageError> {
    context.links_since_trim.store(0, Ordering::Relaxed);
    // Trimmed URLs may be queued again when a page links to them anew.
    context.queued.forget_all();
    let (id, cap) = (context.job_id.clone(), context.frontier_cap);
    let dropped = context
        .shared
        .db
        .write(move |tx| frontier::trim_pending(tx, &id, cap))
        .await?;
    if dropped > 0 {
        log::debug!(
            "[job {}] frontier trimmed to its best {cap} pending URLs ({dropped} dropped)",
            context.job_id
        );
    }
    Ok(())
}

fn ranked_url(
    context: &JobContext,
    url: &Url,
    anchor: &str,
    depth: u32,
    other_language: bool,
) -> NewUrl {
    let priority = if log::log_enabled!(log::Level::Debug) {
        let ranked = context.ranker.rank(url, anchor, depth, other_language);
        log::debug!(
            "[job {}] rank {} {url}: {}",
            context.job_id,
            ranked.priority,
            ranked.reasons.join("; ")
        );
        ranked.priority
    } else {
        context.ranker.priority(url, anchor, depth, other_language)
    };
    NewUrl {
        url: url.to_string(),
        depth,
        priority,
    }
}

async fn load_scope(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<Scope, StorageError> {
    let id = job_id.to_string();
    let hosts = db.run(move |conn| job_rows::hosts(conn, &id)).await?;
    Scope::new(hosts, &input.include_patterns, &input.exclude_patterns)
        .map_err(|err| StorageError::Corrupt(format!("patterns of job {job_id}: {err}")))
}

/// Why the crawl loop stopped, as the spec's finish reasons.
async fn decide_ending(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<Ending, StorageError> {
    let id = job_id.to_string();
    let link_following_off = input.max_depth == Some(0);
    db.run(move |conn| {
        let saved: i64 = conn.query_row(
            "SELECT count(*) FROM job_pages WHERE job_id = ?1",
            [&id],
            |row| row.get(0),
        )?;
        if saved == 0 {
            return Ok(Ending::Failed {
                errors: failure_lines(conn, &id)?,
            });
        }
        let pending = frontier::count_in_state(conn, &id, UrlState::Pending)?;
        let reason = if pending > 0 {
            "max_iterations"
        } else if link_following_off {
            "completed"
        } else {
            "no_more_links"
        };
        Ok(Ending::Finished { reason })
    })
    .await
}

/// One line per starter link (or failed page) explaining why nothing could be saved.
fn failure_lines(conn: &Sql<'_>, job_id: &str) -> Result<Vec<String>, StorageError> {
    let mut stmt = conn.prepare(
        "SELECT url, coalesce(reason, 'failed') FROM frontier WHERE job_id = ?1 AND state IN ('failed', 'skipped', 'done')
         ORDER BY depth, rowid LIMIT 20",
    )?;
    let rows = stmt.query_map([job_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (url, reason) = row?;
        lines.push(format!("Failed to scrape {url}: {reason}"));
    }
    if lines.is_empty() {
        lines.push("No documentation could be saved from the starter links".to_string());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::{content_hash, ParseBudget};

    /// Pages saved by earlier builds keep their hashes, and a page saved again must hash
    /// alike: the SHA-256 of the words, each followed by one space, in lower-case hex.
    #[test]
    fn the_content_hash_is_that_of_the_words_each_followed_by_a_space() {
        let expected = "df1111d5491231b5ecfc56f745b950adfd3e5c9d0d7d57a8e1bd388d730eb5fb";
        assert_eq!(content_hash("Install the package: pip install x"), expected);
        assert_eq!(
            content_hash("  Install\tthe\n\npackage:  pip install x\n"),
            expected
        );
        assert_ne!(content_hash("Install the package: pip install y"), expected);
    }

    #[test]
    fn small_pages_run_one_per_core_and_the_largest_alone() {
        let budget = ParseBudget::new(10 << 20, 2);
        let admitted_now = |bytes: usize| budget.admit(bytes).now_or_never().flatten();

        let first = admitted_now(100 << 10).expect("a small page runs");
        let second = admitted_now(100 << 10).expect("a second small page runs on the second core");
        assert!(admitted_now(1 << 10).is_none(), "a third waits for a core");
        drop((first, second));

        let big = admitted_now(9 << 20).expect("a 9 MiB page runs");
        assert!(
            admitted_now(1 << 10).is_none(),
            "nothing else fits beside it"
        );
        drop(big);

        let huge = admitted_now(50 << 20).expect("a page over the budget still runs");
        assert!(admitted_now(1).is_none(), "alone");
        drop(huge);
        assert!(admitted_now(1).is_some());
    }

    #[test]
    fn pages_of_megabytes_run_one_at_a_time_whatever_the_size_cap() {
        for cap in [10 << 20, 100 << 20] {
            let budget = ParseBudget::new(cap, 2);
            let admitted_now = |bytes: usize| budget.admit(bytes).now_or_never().flatten();
            let first = admitted_now(4 << 20).expect("a 4 MiB page runs");
            assert!(
                admitted_now(4 << 20).is_none(),
                "a second waits (cap {cap})"
            );
            drop(first);
            let pair = (admitted_now(2 << 20), admitted_now(2 << 20));
            assert!(
                pair.0.is_some() && pair.1.is_some(),
                "two 2 MiB pages run together"
            );
        }
    }

    #[test]
    fn a_large_parse_starts_and_ends_with_free_memory_given_back() {
        use crate::allocator::times_returned_on_this_thread as returned;
        let budget = ParseBudget::new(10 << 20, 2);
        let admitted_now = |bytes: usize| {
            budget
                .admit(bytes)
                .now_or_never()
                .flatten()
                .expect("the budget is free")
        };

        let before = returned();
        let during = admitted_now(2 << 20).parse(returned);
        assert_eq!(during, before + 1, "given back before the parse");
        assert_eq!(returned(), before + 2, "and again after it");

        let before = returned();
        assert_eq!(admitted_now(100 << 10).parse(returned), before);
        assert_eq!(returned(), before, "a small page leaves the arenas alone");
    }
}
