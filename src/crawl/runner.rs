//! One scrape job's crawl loop. The frontier lives in SQLite; up to `job_concurrency`
//! pages are fetched and processed at once, and each page's outcome (page, chunks, new
//! links, frontier state, iteration count) lands in one transaction, so a crash loses at
//! most the pages in flight and never duplicates one.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::chunk::Chunker;
use super::classify::describe_chunk;
use super::extract::{extract, Document, Extracted};
use super::fetch::{Fetched, Fetcher};
use super::hosts::HostLimiter;
use super::netpolicy::NetPolicy;
use super::robots::RobotsCache;
use super::scope::{host_key, normalize, parse_normalized, Scope};
use crate::error::StorageError;
use crate::ids;
use crate::jobs::input::ScrapeInput;
use crate::storage::frontier::{self, FrontierEntry, NewUrl, UrlState};
use crate::storage::jobs::{self as job_rows, Ending, JobRow};
use crate::storage::pages::{self, NewChunk, NewPage, SaveOutcome};
use crate::storage::Db;

/// What all jobs share: the database, the HTTP client, politeness and the tokenizer.
pub struct CrawlShared {
    pub db: Db,
    pub fetcher: Arc<Fetcher>,
    pub hosts: Arc<HostLimiter>,
    pub chunker: Arc<Chunker>,
    pub job_concurrency: usize,
    pub policy: Arc<NetPolicy>,
}

/// What one job's page tasks share.
struct JobContext {
    shared: Arc<CrawlShared>,
    job_id: String,
    robots: RobotsCache,
}

/// The outcome of one frontier entry.
enum PageOutcome {
    Saved {
        entry: FrontierEntry,
        page: Box<ProcessedPage>,
    },
    /// Fetched (an iteration) but not saved.
    Failed { entry: FrontierEntry, reason: String },
    /// Never fetched (robots.txt); does not use the page budget.
    Skipped { entry: FrontierEntry, reason: String },
}

struct ProcessedPage {
    final_url: String,
    fetched: FetchFacts,
    document: Document,
    chunks: Vec<NewChunk>,
}

struct FetchFacts {
    status: u16,
    mime: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
}

/// Crawls until the frontier is empty, the budget is spent or the job is cancelled.
pub async fn run(shared: Arc<CrawlShared>, job: &JobRow, input: &ScrapeInput, cancel: CancellationToken) -> Result<Ending, StorageError> {
    let db = shared.db.clone();
    seed_if_new(&db, &job.id, input).await?;
    let mut scope = load_scope(&db, &job.id, input).await?;
    let context = Arc::new(JobContext {
        shared: shared.clone(),
        job_id: job.id.clone(),
        robots: RobotsCache::default(),
    });
    let budget = i64::from(input.max_iterations);
    let mut completed = job.completed_iterations;
    let mut in_flight: JoinSet<PageOutcome> = JoinSet::new();
    loop {
        while in_flight.len() < shared.job_concurrency && completed + (in_flight.len() as i64) < budget {
            let id = job.id.clone();
            let claimed = db
                .write(move |tx| {
                    let entry = frontier::claim_next(tx, &id)?;
                    if let Some(entry) = &entry {
                        job_rows::set_message(tx, &id, &format!("Fetching {}", entry.url))?;
                    }
                    Ok(entry)
                })
                .await?;
            let Some(entry) = claimed else { break };
            in_flight.spawn(process(context.clone(), entry));
        }
        if in_flight.is_empty() {
            break;
        }
        let outcome = tokio::select! {
            _ = cancel.cancelled() => {
                in_flight.abort_all();
                log::info!("[job {}] stopped", job.id);
                return Ok(Ending::Finished { reason: "cancelled" });
            }
            joined = in_flight.join_next() => joined,
        };
        let outcome = match outcome {
            Some(Ok(outcome)) => outcome,
            Some(Err(err)) => {
                log::error!("[job {}] a page task failed: {err}", job.id);
                continue;
            }
            None => continue,
        };
        match record(&db, &job.id, &job.session_id, input, &mut scope, outcome).await? {
            Recorded::Counted => completed += 1,
            Recorded::NotCounted => {}
            Recorded::JobOver => {
                in_flight.abort_all();
                return Ok(Ending::Finished { reason: "cancelled" });
            }
        }
    }
    decide_ending(&db, &job.id, input).await
}

/// First start of a job: its starter links become the depth-0 frontier and their hosts
/// the job's scope. A resumed job already has both.
async fn seed_if_new(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<(), StorageError> {
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
        if frontier::is_empty(tx, &id)? {
            frontier::add(tx, &id, &starters)?;
            for host in &hosts {
                job_rows::add_host(tx, &id, host)?;
            }
        }
        Ok(())
    })
    .await
}

async fn load_scope(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<Scope, StorageError> {
    let id = job_id.to_string();
    let hosts = db.run(move |conn| job_rows::hosts(conn, &id)).await?;
    Scope::new(hosts, &input.include_patterns, &input.exclude_patterns)
        .map_err(|err| StorageError::Corrupt(format!("patterns of job {job_id}: {err}")))
}

/// Fetches and processes one URL; everything here is off the job's write path.
async fn process(context: Arc<JobContext>, entry: FrontierEntry) -> PageOutcome {
    let Some(url) = parse_normalized(&entry.url) else {
        return PageOutcome::Failed {
            reason: "not an http(s) URL".to_string(),
            entry,
        };
    };
    let fetcher = &context.shared.fetcher;
    let rules = context.robots.rules_for(fetcher, &url).await;
    if !rules.allows(&url) {
        return PageOutcome::Skipped {
            entry,
            reason: "disallowed by robots.txt".to_string(),
        };
    }
    let host = host_key(&url).unwrap_or_default();
    let delay = rules.crawl_delay.map(|delay| delay.min(fetcher.config().max_polite_delay));
    let permit = context.shared.hosts.acquire(&host, delay).await;
    let fetched_at = ids::now();
    let fetched = fetcher.fetch(&url, fetcher.config().max_body_bytes).await;
    drop(permit);
    let fetched = match fetched {
        Ok(fetched) => fetched,
        Err(err) => {
            log::info!("[job {}] {} failed: {err}", context.job_id, entry.url);
            return PageOutcome::Failed {
                reason: err.to_string(),
                entry,
            };
        }
    };
    if fetched.status >= 400 {
        return PageOutcome::Failed {
            reason: http_status_line(fetched.status),
            entry,
        };
    }
    let chunker = context.shared.chunker.clone();
    let processed = tokio::task::spawn_blocking(move || prepare_page(&chunker, fetched, fetched_at)).await;
    match processed {
        Ok(Ok(page)) => PageOutcome::Saved {
            entry,
            page: Box::new(page),
        },
        Ok(Err(reason)) => PageOutcome::Failed { entry, reason },
        Err(err) => PageOutcome::Failed {
            reason: format!("processing failed: {err}"),
            entry,
        },
    }
}

fn http_status_line(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// CPU work of a page: decode, extract, chunk and describe. Runs on the blocking pool.
fn prepare_page(chunker: &Chunker, fetched: Fetched, fetched_at: String) -> Result<ProcessedPage, String> {
    let document = match extract(&fetched) {
        Extracted::Document(document) => *document,
        Extracted::Unsupported(reason) => return Err(reason),
    };
    let final_url = normalize(&fetched.final_url).unwrap_or_else(|| fetched.final_url.clone());
    let title = document.title.clone().unwrap_or_default();
    let mut chunks = Vec::new();
    for source in &document.chunk_sources {
        let pieces = if source.is_markdown {
            chunker.split_markdown(&source.text)
        } else {
            chunker.split_text(&source.text)
        };
        for piece in pieces {
            let facts = describe_chunk(&title, &final_url, &piece.section, &piece.content, document.kind, document.is_api_spec);
            let mut extra = serde_json::Map::new();
            extra.insert("num_endpoints".into(), facts.num_endpoints.into());
            extra.insert("tags".into(), facts.tags.into());
            extra.insert("category".into(), facts.category.into());
            chunks.push(NewChunk {
                content: piece.content,
                token_count: piece.token_count,
                character_count: piece.character_count,
                section: piece.section,
                summary: Some(facts.summary).filter(|s| !s.is_empty()),
                extra,
            });
        }
    }
    if chunks.is_empty() {
        return Err("no text content".to_string());
    }
    Ok(ProcessedPage {
        final_url: final_url.to_string(),
        fetched: FetchFacts {
            status: fetched.status,
            mime: fetched.mime.clone(),
            etag: fetched.etag.clone(),
            last_modified: fetched.last_modified.clone(),
            fetched_at,
        },
        document,
        chunks,
    })
}

enum Recorded {
    Counted,
    NotCounted,
    /// The job was cancelled or deleted meanwhile; nothing was written.
    JobOver,
}

/// Writes one page's outcome in a single transaction.
async fn record(
    db: &Db,
    job_id: &str,
    session_id: &str,
    input: &ScrapeInput,
    scope: &mut Scope,
    outcome: PageOutcome,
) -> Result<Recorded, StorageError> {
    // A starter that redirects to another host brings that host into scope.
    if let PageOutcome::Saved { entry, page } = &outcome {
        if entry.depth == 0 {
            if let Some(host) = Url::parse(&page.final_url).ok().as_ref().and_then(host_key) {
                scope.add_host(host);
            }
        }
    }
    let links = match &outcome {
        PageOutcome::Saved { entry, page } => follow_links(scope, input, entry, page),
        _ => Vec::new(),
    };
    let (job, session) = (job_id.to_string(), session_id.to_string());
    let budget_message = "Scraping documentation pages";
    db.write(move |tx| {
        if !job_rows::is_running(tx, &job)? {
            return Ok(Recorded::JobOver);
        }
        match outcome {
            PageOutcome::Skipped { entry, reason } => {
                // A starter that cannot be fetched is worth reporting; a skipped link is not.
                let state = if entry.depth == 0 { UrlState::Failed } else { UrlState::Skipped };
                frontier::set_state(tx, &job, &entry.url, entry.depth, state, Some(&reason))?;
                job_rows::set_message(tx, &job, budget_message)?;
                Ok(Recorded::NotCounted)
            }
            PageOutcome::Failed { entry, reason } => {
                frontier::set_state(tx, &job, &entry.url, entry.depth, UrlState::Failed, Some(&reason))?;
                job_rows::count_iteration(tx, &job, budget_message)?;
                Ok(Recorded::Counted)
            }
            PageOutcome::Saved { entry, page } => {
                save_page(tx, &job, &session, &entry, *page, &links)?;
                job_rows::count_iteration(tx, &job, budget_message)?;
                Ok(Recorded::Counted)
            }
        }
    })
    .await
}

fn save_page(
    tx: &rusqlite::Transaction<'_>,
    job_id: &str,
    session_id: &str,
    entry: &FrontierEntry,
    page: ProcessedPage,
    links: &[NewUrl],
) -> Result<(), StorageError> {
    if page.final_url != entry.url {
        // Reached by a redirect: the target counts as seen so it is never fetched again.
        let seen = frontier::state_of(tx, job_id, &page.final_url)?;
        if seen != Some(UrlState::Done) {
            frontier::set_state(tx, job_id, &page.final_url, entry.depth, UrlState::Done, None)?;
        }
        if host_changed(&entry.url, &page.final_url) && entry.depth == 0 {
            if let Some(host) = Url::parse(&page.final_url).ok().as_ref().and_then(host_key) {
                job_rows::add_host(tx, job_id, &host)?;
            }
        }
    }
    let content_hash = content_hash(&page.document.content);
    let outcome = pages::save(
        tx,
        &NewPage {
            session_id: session_id.to_string(),
            job_id: job_id.to_string(),
            url: page.final_url.clone(),
            requested_url: entry.url.clone(),
            title: Some(page.document.title.clone().unwrap_or_else(|| page.final_url.clone())),
            content_type: page.fetched.mime.clone(),
            content: page.document.content,
            content_hash,
            http_status: page.fetched.status,
            etag: page.fetched.etag,
            last_modified: page.fetched.last_modified,
            fetched_at: page.fetched.fetched_at,
            chunks: page.chunks,
        },
    )?;
    let reason = match &outcome {
        SaveOutcome::Saved => None,
        SaveOutcome::Duplicate(of) => Some(format!("duplicate of {of}")),
    };
    frontier::set_state(tx, job_id, &entry.url, entry.depth, UrlState::Done, reason.as_deref())?;
    frontier::add(tx, job_id, links)?;
    Ok(())
}

fn host_changed(from: &str, to: &str) -> bool {
    let host = |text: &str| Url::parse(text).ok().as_ref().and_then(host_key);
    host(from) != host(to)
}

/// Links of a saved page that the job follows: in scope, within depth, not nofollow.
fn follow_links(scope: &Scope, input: &ScrapeInput, entry: &FrontierEntry, page: &ProcessedPage) -> Vec<NewUrl> {
    let depth = entry.depth + 1;
    if input.max_depth.is_some_and(|max| depth > max) || page.document.nofollow {
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    page.document
        .links
        .iter()
        .filter(|link| !link.nofollow)
        .filter_map(|link| normalize(&link.url))
        .filter(|url| scope.check(url).is_ok())
        .filter(|url| seen.insert(url.to_string()))
        .map(|url| NewUrl {
            url: url.to_string(),
            depth,
            priority: 0,
        })
        .collect()
}

/// Whitespace-insensitive content hash, so that the same page served twice is one page.
fn content_hash(content: &str) -> String {
    let mut hasher = Sha256::new();
    for word in content.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update(b" ");
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the crawl loop stopped, as the spec's finish reasons.
async fn decide_ending(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<Ending, StorageError> {
    let id = job_id.to_string();
    let link_following_off = input.max_depth == Some(0);
    db.run(move |conn| {
        let saved: i64 = conn.query_row("SELECT count(*) FROM job_pages WHERE job_id = ?1", [&id], |row| row.get(0))?;
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
fn failure_lines(conn: &rusqlite::Connection, job_id: &str) -> Result<Vec<String>, StorageError> {
    let mut stmt = conn.prepare(
        "SELECT url, coalesce(reason, 'failed') FROM frontier WHERE job_id = ?1 AND state IN ('failed', 'skipped', 'done')
         ORDER BY depth, rowid LIMIT 20",
    )?;
    let rows = stmt.query_map([job_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
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
