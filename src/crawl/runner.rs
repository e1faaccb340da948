//! One scrape job's crawl loop. The frontier lives in SQLite; up to `job_concurrency`
//! pages are fetched and processed at once, and each page's outcome (page, chunks, new
//! links, frontier state, iteration count) lands in one transaction, so a crash loses at
//! most the pages in flight and never duplicates one.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::chunk::Chunker;
use super::classify::describe_chunk;
use super::discovery;
use super::extract::{extract, Document, Extracted};
use super::fetch::{Fetched, Fetcher, Hop, RedirectChain, Validators};
use super::hosts::HostLimiter;
use super::netpolicy::NetPolicy;
use super::rank::Ranker;
use super::robots::RobotsCache;
use super::scope::{host_key, normalize, parse_normalized, Scope};
use super::versions::{simhash, versioned_path};
use crate::error::StorageError;
use crate::ids;
use crate::jobs::input::ScrapeInput;
use crate::storage::frontier::{self, FrontierEntry, NewUrl, UrlState};
use crate::storage::jobs::{self as job_rows, Ending, JobRow};
use crate::storage::pages::{self, CachedPage, NewChunk, NewPage, SaveOutcome};
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
    session_id: String,
    robots: RobotsCache,
    /// Grows when a starter link redirects to another host.
    scope: RwLock<Scope>,
    ranker: Ranker,
}

impl JobContext {
    fn scope(&self) -> std::sync::RwLockReadGuard<'_, Scope> {
        self.scope
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
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
    /// Fetched (an iteration) but not saved.
    Failed(String),
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
    simhash: u64,
}

struct FetchFacts {
    status: u16,
    mime: String,
    etag: Option<String>,
    last_modified: Option<String>,
    fetched_at: String,
}

/// Crawls until the frontier is empty, the budget is spent or the job is cancelled.
pub async fn run(
    shared: Arc<CrawlShared>,
    job: &JobRow,
    input: &ScrapeInput,
    cancel: CancellationToken,
) -> Result<Ending, StorageError> {
    let db = shared.db.clone();
    let is_new = seed_if_new(&db, &job.id, input).await?;
    let scope = load_scope(&db, &job.id, input).await?;
    let context = Arc::new(JobContext {
        shared: shared.clone(),
        job_id: job.id.clone(),
        session_id: job.session_id.clone(),
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
    });
    if is_new && input.max_depth != Some(0) {
        discover_pages(&context, input).await?;
    }
    let budget = i64::from(input.max_iterations);
    let mut completed = job.completed_iterations;
    let mut in_flight: JoinSet<PageOutcome> = JoinSet::new();
    loop {
        while in_flight.len() < shared.job_concurrency
            && completed + (in_flight.len() as i64) < budget
        {
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
        match record(&context, &job.session_id, input, outcome).await? {
            Recorded::Counted => completed += 1,
            Recorded::NotCounted => {}
            Recorded::JobOver => {
                in_flight.abort_all();
                return Ok(Ending::Finished {
                    reason: "cancelled",
                });
            }
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
/// children of the starters.
async fn discover_pages(context: &JobContext, input: &ScrapeInput) -> Result<(), StorageError> {
    let mut origins: Vec<Url> = input
        .starter_links
        .iter()
        .filter_map(|l| parse_normalized(l))
        .collect();
    origins.dedup_by_key(|url| url.origin().ascii_serialization());
    let id = context.job_id.clone();
    context
        .shared
        .db
        .run(move |conn| job_rows::set_message(conn, &id, "Reading sitemaps and llms.txt"))
        .await?;
    let mut found = Vec::new();
    for origin in &origins {
        let urls = discovery::discover(&context.shared.fetcher, &context.robots, origin).await;
        let scope = context.scope();
        found.extend(
            urls.iter()
                .filter_map(normalize)
                .filter(|url| scope.check(url).is_ok())
                .map(|url| ranked_url(context, &url, "", 1, false)),
        );
    }
    log::info!(
        "[job {}] sitemaps and llms.txt listed {} in-scope page(s)",
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

fn ranked_url(
    context: &JobContext,
    url: &Url,
    anchor: &str,
    depth: u32,
    other_language: bool,
) -> NewUrl {
    let ranked = context.ranker.rank(url, anchor, depth, other_language);
    log::debug!(
        "[job {}] rank {} {url}: {}",
        context.job_id,
        ranked.priority,
        ranked.reasons.join("; ")
    );
    NewUrl {
        url: url.to_string(),
        depth,
        priority: ranked.priority,
    }
}

async fn load_scope(db: &Db, job_id: &str, input: &ScrapeInput) -> Result<Scope, StorageError> {
    let id = job_id.to_string();
    let hosts = db.run(move |conn| job_rows::hosts(conn, &id)).await?;
    Scope::new(hosts, &input.include_patterns, &input.exclude_patterns)
        .map_err(|err| StorageError::Corrupt(format!("patterns of job {job_id}: {err}")))
}

/// Fetches and processes one URL, following redirects hop by hop; everything here is
/// off the job's write path.
async fn process(context: Arc<JobContext>, entry: FrontierEntry) -> PageOutcome {
    let mut hops = Vec::new();
    let result = fetch_and_prepare(&context, &entry, &mut hops).await;
    PageOutcome {
        entry,
        hops,
        result,
    }
}

async fn fetch_and_prepare(
    context: &JobContext,
    entry: &FrontierEntry,
    hops: &mut Vec<String>,
) -> PageResult {
    let Some(start) = parse_normalized(&entry.url) else {
        return PageResult::Failed("not an http(s) URL".to_string());
    };
    let fetcher = &context.shared.fetcher;
    let cached = match cached_copy(context, &entry.url).await {
        Ok(cached) => cached,
        Err(err) => return PageResult::Failed(format!("could not read the page cache: {err}")),
    };
    let mut validators = cached.as_ref().map(|cached| Validators {
        etag: cached.etag.clone(),
        last_modified: cached.last_modified.clone(),
    });
    let mut chain = RedirectChain::new(&start, fetcher.config().max_redirects);
    let mut current = start;
    let fetched_at = ids::now();
    let fetched = loop {
        let rules = context.robots.rules_for(fetcher, &current).await;
        if !rules.allows(&current) {
            return match hops.is_empty() {
                true => PageResult::Skipped("disallowed by robots.txt".to_string()),
                false => PageResult::Failed(format!(
                    "redirected to {current}, which robots.txt disallows"
                )),
            };
        }
        let host = host_key(&current).unwrap_or_default();
        let delay = rules
            .crawl_delay
            .map(|delay| delay.min(fetcher.config().max_polite_delay));
        let permit = context.shared.hosts.acquire(&host, delay).await;
        let hop = fetcher
            .fetch_hop(
                &current,
                fetcher.config().max_body_bytes,
                validators.take().as_ref(),
            )
            .await;
        drop(permit);
        let next = match hop {
            Ok(Hop::Response(fetched)) => break fetched,
            Ok(Hop::Redirect(next)) => next,
            Err(err) => return PageResult::Failed(err.to_string()),
        };
        if let Err(err) = chain.follow(&next) {
            return PageResult::Failed(err.to_string());
        }
        let Some(next) = normalize(&next) else {
            return PageResult::Failed(format!("redirected to a non-http URL {next}"));
        };
        if entry.depth > 0 && context.scope().check(&next).is_err() {
            return PageResult::Failed(format!("redirected out of scope to {next}"));
        }
        match claim_hop(context, &next, entry.depth).await {
            Ok(true) => hops.push(next.to_string()),
            Ok(false) => return PageResult::Redirected(next.to_string()),
            Err(err) => return PageResult::Failed(format!("could not record the redirect: {err}")),
        }
        current = next;
    };
    if fetched.status == 304 && hops.is_empty() {
        if let Some(cached) = cached {
            return PageResult::NotModified(Box::new(cached));
        }
    }
    if fetched.status >= 400 {
        log::info!(
            "[job {}] {} failed: HTTP {}",
            context.job_id,
            entry.url,
            fetched.status
        );
        return PageResult::Failed(http_status_line(fetched.status));
    }
    let chunker = context.shared.chunker.clone();
    match tokio::task::spawn_blocking(move || prepare_page(&chunker, fetched, fetched_at)).await {
        Ok(Ok(page)) => PageResult::Saved(Box::new(page)),
        Ok(Err(reason)) => PageResult::Failed(reason),
        Err(err) => PageResult::Failed(format!("processing failed: {err}")),
    }
}

/// The saved copy whose validators make the request for `url` conditional.
async fn cached_copy(context: &JobContext, url: &str) -> Result<Option<CachedPage>, StorageError> {
    let (session, url) = (context.session_id.clone(), url.to_string());
    context
        .shared
        .db
        .run(move |conn| pages::find_cached(conn, &session, &url))
        .await
}

/// Takes a redirect target for this entry, unless the job already has it in hand.
async fn claim_hop(context: &JobContext, url: &Url, depth: u32) -> Result<bool, StorageError> {
    let (job, url) = (context.job_id.clone(), url.to_string());
    context
        .shared
        .db
        .write(move |tx| frontier::claim_redirect_target(tx, &job, &url, depth))
        .await
}

fn http_status_line(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// CPU work of a page: decode, extract, chunk and describe. Runs on the blocking pool.
fn prepare_page(
    chunker: &Chunker,
    fetched: Fetched,
    fetched_at: String,
) -> Result<ProcessedPage, String> {
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
            let facts = describe_chunk(
                &title,
                &final_url,
                &piece.section,
                &piece.content,
                document.kind,
                document.is_api_spec,
            );
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
        simhash: simhash(&document.content),
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
    context: &JobContext,
    session_id: &str,
    input: &ScrapeInput,
    outcome: PageOutcome,
) -> Result<Recorded, StorageError> {
    let PageOutcome {
        entry,
        hops,
        mut result,
    } = outcome;
    if let PageResult::Saved(page) = &mut result {
        // A starter that redirects to another host brings that host into scope.
        if entry.depth == 0 {
            if let Some(host) = Url::parse(&page.final_url).ok().as_ref().and_then(host_key) {
                context
                    .scope
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .add_host(host);
            }
        }
        if let Some(canonical) = canonical_in_scope(context, page) {
            log::debug!(
                "[job {}] {} is saved as its canonical {canonical}",
                context.job_id,
                page.final_url
            );
            page.final_url = canonical;
        }
    }
    let links = match &result {
        PageResult::Saved(page) => follow_links(
            context,
            input,
            &entry,
            page_links(&page.document).into_iter(),
            &page.document.other_languages,
        ),
        PageResult::NotModified(cached) => {
            let links = cached
                .links
                .iter()
                .map(|(url, text)| (url.as_str(), text.as_str()));
            follow_links(context, input, &entry, links, &[])
        }
        _ => Vec::new(),
    };
    let (job, session) = (context.job_id.clone(), session_id.to_string());
    let version = input.application_version.clone();
    let message = "Scraping documentation pages";
    context
        .shared
        .db
        .write(move |tx| {
            if !job_rows::is_running(tx, &job)? {
                return Ok(Recorded::JobOver);
            }
            let via = format!("reached by redirect from {}", entry.url);
            for hop in &hops {
                frontier::set_state(tx, &job, hop, entry.depth, UrlState::Done, Some(&via))?;
            }
            let counted = match result {
                PageResult::Skipped(reason) => {
                    // A starter that cannot be fetched is worth reporting; a skipped link is not.
                    let state = if entry.depth == 0 {
                        UrlState::Failed
                    } else {
                        UrlState::Skipped
                    };
                    frontier::set_state(tx, &job, &entry.url, entry.depth, state, Some(&reason))?;
                    job_rows::set_message(tx, &job, message)?;
                    return Ok(Recorded::NotCounted);
                }
                PageResult::Failed(reason) => {
                    frontier::set_state(
                        tx,
                        &job,
                        &entry.url,
                        entry.depth,
                        UrlState::Failed,
                        Some(&reason),
                    )?;
                    Recorded::Counted
                }
                PageResult::Redirected(to) => {
                    let reason = format!("redirects to {to}");
                    frontier::set_state(
                        tx,
                        &job,
                        &entry.url,
                        entry.depth,
                        UrlState::Done,
                        Some(&reason),
                    )?;
                    Recorded::Counted
                }
                PageResult::Saved(page) => {
                    save_page(tx, &job, &session, &version, &entry, *page, &links)?;
                    Recorded::Counted
                }
                PageResult::NotModified(cached) => {
                    reuse_unchanged_page(tx, &job, &session, &version, &entry, &cached, &links)?;
                    Recorded::Counted
                }
            };
            job_rows::count_iteration(tx, &job, message)?;
            Ok(counted)
        })
        .await
}

fn save_page(
    tx: &rusqlite::Transaction<'_>,
    job_id: &str,
    session_id: &str,
    application_version: &str,
    entry: &FrontierEntry,
    page: ProcessedPage,
    links: &[NewUrl],
) -> Result<(), StorageError> {
    if entry.depth == 0 && host_changed(&entry.url, &page.final_url) {
        if let Some(host) = Url::parse(&page.final_url).ok().as_ref().and_then(host_key) {
            job_rows::add_host(tx, job_id, &host)?;
        }
    }
    if page.final_url != entry.url {
        // Reached by a redirect or named by its canonical link: never fetch it again.
        frontier::set_state(
            tx,
            job_id,
            &page.final_url,
            entry.depth,
            UrlState::Done,
            None,
        )?;
    }
    let content_hash = content_hash(&page.document.content);
    let version = Url::parse(&page.final_url)
        .ok()
        .and_then(|url| versioned_path(&url, application_version));
    let links_json =
        serde_json::to_string(&page_links(&page.document)).unwrap_or_else(|_| "[]".to_string());
    let outcome = pages::save(
        tx,
        &NewPage {
            session_id: session_id.to_string(),
            job_id: job_id.to_string(),
            url: page.final_url.clone(),
            requested_url: entry.url.clone(),
            title: Some(
                page.document
                    .title
                    .clone()
                    .unwrap_or_else(|| page.final_url.clone()),
            ),
            content_type: page.fetched.mime.clone(),
            content: page.document.content,
            content_hash,
            http_status: page.fetched.status,
            etag: page.fetched.etag,
            last_modified: page.fetched.last_modified,
            fetched_at: page.fetched.fetched_at,
            chunks: page.chunks,
            links: links_json,
            simhash: page.simhash,
            version,
        },
    )?;
    let reason = match &outcome {
        SaveOutcome::Saved { superseded } => {
            let note = format!(
                "near-duplicate of {}, a copy for a closer version",
                page.final_url
            );
            for url in superseded {
                frontier::set_state(tx, job_id, url, entry.depth, UrlState::Done, Some(&note))?;
            }
            None
        }
        SaveOutcome::Duplicate(of) => Some(format!("duplicate of {of}")),
        SaveOutcome::NearDuplicate(of) => Some(format!(
            "near-duplicate of {of}, a copy for a version at least as close"
        )),
    };
    complete_entry(tx, job_id, entry, reason.as_deref(), links)?;
    Ok(())
}

/// A 304 answer: the saved copy joins this job (subject to the same near-duplicate rule
/// as a fresh page) and its stored links are followed.
fn reuse_unchanged_page(
    tx: &rusqlite::Transaction<'_>,
    job_id: &str,
    session_id: &str,
    application_version: &str,
    entry: &FrontierEntry,
    cached: &CachedPage,
    links: &[NewUrl],
) -> Result<(), StorageError> {
    let version = Url::parse(&cached.url)
        .ok()
        .and_then(|url| versioned_path(&url, application_version));
    let simhash = cached.simhash.unwrap_or(0);
    let closer = match cached.simhash {
        Some(hash) => pages::closer_version_saved_by_job(tx, job_id, version.as_ref(), hash)?,
        None => None,
    };
    let reason = match closer {
        Some(of) => {
            format!("not modified; near-duplicate of {of}, a copy for a version at least as close")
        }
        None => {
            if let Some(page_id) =
                pages::reuse_page(tx, &cached.id, session_id, job_id, &ids::now())?
            {
                pages::set_version_facts(tx, &page_id, simhash, version.as_ref())?;
                let note = format!(
                    "near-duplicate of {}, a copy for a closer version",
                    cached.url
                );
                for url in
                    pages::drop_farther_versions(tx, job_id, &page_id, version.as_ref(), simhash)?
                {
                    frontier::set_state(
                        tx,
                        job_id,
                        &url,
                        entry.depth,
                        UrlState::Done,
                        Some(&note),
                    )?;
                }
            }
            "not modified".to_string()
        }
    };
    complete_entry(tx, job_id, entry, Some(&reason), links)?;
    Ok(())
}

/// A handled entry: done (with a note when nothing new was saved), its links queued.
fn complete_entry(
    tx: &rusqlite::Transaction<'_>,
    job_id: &str,
    entry: &FrontierEntry,
    note: Option<&str>,
    links: &[NewUrl],
) -> Result<(), StorageError> {
    frontier::set_state(tx, job_id, &entry.url, entry.depth, UrlState::Done, note)?;
    frontier::add(tx, job_id, links)?;
    Ok(())
}

/// The page's `<link rel="canonical">` when it is in the job's scope and names another
/// URL: the page is saved under it, so variants (tracking queries, index.html) are one page.
fn canonical_in_scope(context: &JobContext, page: &ProcessedPage) -> Option<String> {
    let canonical = normalize(page.document.canonical.as_ref()?)?;
    let scope = context.scope();
    (scope.check(&canonical).is_ok() && canonical.as_str() != page.final_url)
        .then(|| canonical.to_string())
}

fn host_changed(from: &str, to: &str) -> bool {
    let host = |text: &str| Url::parse(text).ok().as_ref().and_then(host_key);
    host(from) != host(to)
}

/// Links of a saved page that the job follows: in scope, within depth, not nofollow.
/// Links of a saved page that the job follows: in scope, within depth, not nofollow,
/// each with its rank.
fn follow_links<'a>(
    context: &JobContext,
    input: &ScrapeInput,
    entry: &FrontierEntry,
    links: impl Iterator<Item = (&'a str, &'a str)>,
    other_languages: &[Url],
) -> Vec<NewUrl> {
    let depth = entry.depth + 1;
    if input.max_depth.is_some_and(|max| depth > max) {
        return Vec::new();
    }
    let scope = context.scope();
    let other_languages: HashSet<String> = other_languages
        .iter()
        .filter_map(normalize)
        .map(String::from)
        .collect();
    let mut seen = HashSet::new();
    links
        .filter_map(|(url, anchor)| parse_normalized(url).map(|url| (url, anchor)))
        .filter(|(url, _)| scope.check(url).is_ok())
        .filter(|(url, _)| seen.insert(url.to_string()))
        .map(|(url, anchor)| {
            ranked_url(
                context,
                &url,
                anchor,
                depth,
                other_languages.contains(url.as_str()),
            )
        })
        .collect()
}

/// The links worth keeping with a page (for re-crawls that get 304): followable ones.
fn page_links(document: &Document) -> Vec<(&str, &str)> {
    if document.nofollow {
        return Vec::new();
    }
    document
        .links
        .iter()
        .filter(|link| !link.nofollow)
        .map(|link| (link.url.as_str(), link.text.as_str()))
        .collect()
}

/// Whitespace-insensitive content hash, so that the same page served twice is one page.
fn content_hash(content: &str) -> String {
    let mut hasher = Sha256::new();
    for word in content.split_whitespace() {
        hasher.update(word.as_bytes());
        hasher.update(b" ");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
fn failure_lines(conn: &rusqlite::Connection, job_id: &str) -> Result<Vec<String>, StorageError> {
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
