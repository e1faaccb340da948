//! Page work off the job's write path: fetch (redirects hop by hop, each claimed in the
//! frontier), conditional requests, and the CPU work of extraction and chunking.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::*;
use crate::crawl::document_chunks::chunk_document_until;
use crate::crawl::extract::html::PageLink;
use crate::crawl::text::words_each_spaced;
use record::content_hash_of_spaced;

/// The failure line of a page whose processing hit a bug rather than a site problem.
pub(super) const INTERNAL_PAGE_ERROR: &str = "internal error while processing the page";

/// Fetches and processes one URL, following redirects hop by hop; everything here is
/// off the job's write path.
pub(super) async fn process(context: Arc<JobContext>, claimed: Claimed) -> PageOutcome {
    let Claimed { entry, cached } = claimed;
    let mut hops = Vec::new();
    // A bug that panics on one page fails that page; its frontier row must not stay
    // `fetching` with the job waiting on it.
    let result = AssertUnwindSafe(fetch_and_prepare(&context, &entry, cached, &mut hops))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| {
            log::error!("[job {}] processing {} panicked", context.job_id, entry.url);
            PageResult::Failed(INTERNAL_PAGE_ERROR.to_string())
        });
    count(&result);
    PageOutcome {
        entry,
        hops,
        result,
    }
}

/// The page's outcome in the process metrics.
fn count(result: &PageResult) {
    match result {
        PageResult::Failed(reason) => crate::metrics::page_failed(reason),
        PageResult::Wordless(..) => crate::metrics::page_failed(super::record::NO_TEXT),
        PageResult::Skipped(_) => crate::metrics::page_skipped(),
        // The job ended; the page is not counted as fetched.
        PageResult::Cancelled => {}
        PageResult::Saved(_) | PageResult::Redirected(_) | PageResult::NotModified(_) => {
            crate::metrics::page_fetched()
        }
    }
}

async fn fetch_and_prepare(
    context: &JobContext,
    entry: &FrontierEntry,
    cached: Option<CachedPage>,
    hops: &mut Vec<String>,
) -> PageResult {
    let Some(start) = parse_normalized(&entry.url) else {
        return PageResult::Failed("not an http(s) URL".to_string());
    };
    let fetcher = &context.shared.fetcher;
    let mut validators = cached.as_ref().map(|cached| Validators {
        etag: cached.etag.clone(),
        last_modified: cached.last_modified.clone(),
    });
    let mut chain = RedirectChain::new(&start, fetcher.config().max_redirects);
    let mut current = start;
    let fetched_at = ids::now();
    let fetched = loop {
        let rules = context
            .robots
            .rules_for(fetcher, &context.shared.hosts, &current)
            .await;
        if !rules.allows(&current) {
            return match hops.is_empty() {
                true => PageResult::Skipped(rules.refusal()),
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
    if !(200..300).contains(&fetched.status) {
        log::info!(
            "[job {}] {} failed: HTTP {}",
            context.job_id,
            entry.url,
            fetched.status
        );
        let line = http_status_line(fetched.status);
        return PageResult::Failed(match fetched.status {
            300..=399 if fetched.status != 304 => format!("{line} without a usable Location"),
            304 => format!("{line} to a request that asked for the page"),
            _ => line,
        });
    }
    let chunker = context.shared.chunker.clone();
    // A cancelled job starts no parse, and waits for none.
    let admitted = tokio::select! {
        _ = context.cancel.cancelled() => return PageResult::Cancelled,
        admitted = context.shared.parse_budget.admit(fetched.body.len()) => admitted,
    };
    let Some(admitted) = admitted else {
        return PageResult::Failed(INTERNAL_PAGE_ERROR.to_string());
    };
    let cancel = context.cancel.clone();
    let prepared = context.shared.cpu.run(move || {
        // The admission lasts as long as the parse itself, even if this page's task is
        // aborted meanwhile (a cancel), so the budget never admits more work than it says.
        admitted.parse(|| prepare_page(&chunker, fetched, fetched_at, &cancel))
    });
    match prepared.await {
        Ok(Ok(mut page)) => {
            if let Ok(page_url) = Url::parse(&page.final_url) {
                add_script_links(context, &mut page.document, &page_url).await;
            }
            PageResult::Saved(Box::new(page))
        }
        Ok(Err(Unprepared::Cancelled)) => PageResult::Cancelled,
        Ok(Err(Unprepared::Failed(reason))) => PageResult::Failed(reason),
        Ok(Err(Unprepared::Wordless(mut document, page_url))) => {
            add_script_links(context, &mut document, &page_url).await;
            PageResult::Wordless(document, page_url)
        }
        Err(err) => {
            log::error!(
                "[job {}] processing {} failed: {err}",
                context.job_id,
                entry.url
            );
            PageResult::Failed(INTERNAL_PAGE_ERROR.to_string())
        }
    }
}

/// Adds the pages that the page's scripts name to its links (once per script and job).
async fn add_script_links(context: &JobContext, document: &mut Document, page_url: &Url) {
    if document.nofollow || document.scripts.is_empty() {
        return;
    }
    let found = script_links::page_links_in_scripts(
        &context.shared.fetcher,
        &context.shared.hosts,
        &context.robots,
        &context.scripts,
        page_url,
        document.base.as_ref().unwrap_or(page_url),
        &document.scripts,
    )
    .await;
    document.links.extend(found.into_iter().map(|url| PageLink {
        url,
        text: String::new(),
        nofollow: false,
    }));
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

/// Why a page was not prepared.
enum Unprepared {
    /// The job was cancelled between two steps.
    Cancelled,
    /// The page cannot be saved; the reason is its failure line.
    Failed(String),
    /// The page (at this final URL) has no text to save; its links are still followed.
    Wordless(Box<Document>, Url),
}

/// CPU work of a page: decode, extract, chunk and describe. Runs on the parsing threads
/// (`cpu_pool`), where work cannot be interrupted, so a cancel is looked at between the
/// steps (and between the windows of a long text while chunking): a cancelled job's page
/// stops there, and waits there while a cancel is being written (`jobs::stop`). That wait
/// holds a parsing thread for as long as the cancel's write takes (at most the bound in
/// `jobs::stop`).
fn prepare_page(
    chunker: &Chunker,
    mut fetched: Fetched,
    fetched_at: String,
    cancel: &JobStop,
) -> Result<ProcessedPage, Unprepared> {
    let cancelled = || cancel.is_cancelled_once_decided();
    if cancelled() {
        return Err(Unprepared::Cancelled);
    }
    let document = match extract(&mut fetched) {
        Extracted::Document(document) => *document,
        Extracted::Unsupported(reason) => return Err(Unprepared::Failed(reason)),
    };
    let final_url = normalize(&fetched.final_url).unwrap_or_else(|| fetched.final_url.clone());
    let Some(chunks) = chunk_document_until(chunker, &document, &final_url, &cancelled) else {
        return Err(Unprepared::Cancelled);
    };
    if chunks.is_empty() {
        return Err(Unprepared::Wordless(Box::new(document), final_url));
    }
    // Both hashes are of the text's words; the words are cut once, here on the parsing
    // thread where the text was made.
    let words = words_each_spaced(&document.content);
    Ok(ProcessedPage {
        content_hash: content_hash_of_spaced(&words),
        numberless_hash: numberless_hash_of_spaced(&words),
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
