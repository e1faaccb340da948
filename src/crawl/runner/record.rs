//! Recording a page's outcome: page, chunks, links, frontier state and the iteration
//! count in one transaction, with the duplicate, canonical and version rules.

use super::*;
use crate::crawl::template;
use crate::crawl::text::words_each_spaced;
use crate::crawl::versions::VersionedPath;
use crate::jobs::input::MAX_URL_CHARS;
use crate::storage::sql::Sql;

/// The failure line of a page without a word to save.
pub(super) const NO_TEXT: &str = "no text content";

pub(super) enum Recorded {
    Counted,
    NotCounted,
    /// The job was cancelled or deleted meanwhile; nothing was written.
    JobOver,
}

/// Writes one page's outcome in a single transaction. When the job's budget has room for
/// another page (`claim`), the same transaction claims the next URL: the job loop waited
/// for two commits a page, one to record and one to claim, and every commit rewrites the
/// job's row and the frontier's pages in the log.
pub(super) async fn record(
    context: &Arc<JobContext>,
    session_id: &str,
    input: &ScrapeInput,
    outcome: PageOutcome,
    claim: bool,
) -> Result<(Recorded, Option<Claimed>), StorageError> {
    if context.cancel.is_cancelled() || matches!(outcome.result, PageResult::Cancelled) {
        return Ok((Recorded::JobOver, None));
    }
    // Normalising, scoping and ranking every link of a page is CPU work that grows with
    // the page (thousands of links on an index page): it runs on the blocking pool.
    let (shared_context, owned_input) = (context.clone(), input.clone());
    let (entry, hops) = (outcome.entry.clone(), outcome.hops.clone());
    let planned =
        tokio::task::spawn_blocking(move || plan_links(&shared_context, &owned_input, outcome))
            .await;
    let Planned {
        outcome: PageOutcome {
            entry,
            hops,
            result,
        },
        links,
        queued,
        facts,
    } = match planned {
        Ok(planned) => planned,
        // A bug in planning one page's links fails that page, not the job.
        Err(err) if err.is_panic() => {
            log::error!(
                "[job {}] planning the links of {} panicked",
                context.job_id,
                entry.url
            );
            let result = PageResult::Failed(super::page::INTERNAL_PAGE_ERROR.to_string());
            Planned {
                outcome: PageOutcome {
                    entry,
                    hops,
                    result,
                },
                links: Vec::new(),
                queued: Vec::new(),
                facts: None,
            }
        }
        Err(err) => return Err(StorageError::Worker(err.to_string())),
    };
    let new_links = links.len();
    let (job, session) = (context.job_id.clone(), session_id.to_string());
    let version = input.application_version.clone();
    let message = "Scraping documentation pages";
    context
        .shared
        .db
        .write(move |tx| {
            if !job_rows::is_running(tx, &job)? {
                return Ok((Recorded::JobOver, None));
            }
            let via = format!("reached by redirect from {}", entry.url);
            for hop in &hops {
                frontier::set_state(tx, &job, hop, entry.depth, UrlState::Done, Some(&via))?;
            }
            let failed = |reason: &str| {
                frontier::set_state(
                    tx,
                    &job,
                    &entry.url,
                    entry.depth,
                    UrlState::Failed,
                    Some(reason),
                )
            };
            let counted = match result {
                PageResult::Cancelled => return Ok((Recorded::JobOver, None)),
                PageResult::Skipped(reason) => {
                    // A starter that cannot be fetched is worth reporting; a skipped link is not.
                    let state = if entry.depth == 0 {
                        UrlState::Failed
                    } else {
                        UrlState::Skipped
                    };
                    frontier::set_state(tx, &job, &entry.url, entry.depth, state, Some(&reason))?;
                    job_rows::set_message(tx, &job, message)?;
                    return Ok((Recorded::NotCounted, None));
                }
                PageResult::Failed(reason) => {
                    failed(&reason)?;
                    Recorded::Counted
                }
                PageResult::Wordless(..) => {
                    // Nothing to save, but its links may be the only way on.
                    failed(NO_TEXT)?;
                    frontier::add(tx, &job, &links)?;
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
                    let facts = facts.ok_or_else(|| {
                        StorageError::Worker("a saved page was not prepared for writing".into())
                    })?;
                    save_page(tx, &job, &session, &entry, *page, facts, &links)?;
                    Recorded::Counted
                }
                PageResult::NotModified(cached) => {
                    reuse_unchanged_page(tx, &job, &session, &version, &entry, &cached, &links)?;
                    Recorded::Counted
                }
            };
            job_rows::count_iteration(tx, &job, message)?;
            let next = if claim {
                claim_next(tx, &job, &session)?
            } else {
                None
            };
            Ok((counted, next))
        })
        .await
        .inspect(|(recorded, _)| {
            if let Recorded::JobOver = recorded {
                return;
            }
            // Committed: the page's links are in the frontier now. Counted for the trim
            // only now, so that the trim the job loop runs after this record finds them
            // written: records run side by side (on PostgreSQL their transactions too),
            // and a trim in between would have reset a count taken before the commit.
            context
                .links_since_trim
                .fetch_add(new_links, Ordering::Relaxed);
            if let Recorded::Counted = recorded {
                context.queued.remember(queued);
                context.live.count_iteration(message)
            } else {
                context.live.set_message(message)
            }
        })
}

/// A page outcome made ready for its write transaction, which then only writes.
struct Planned {
    outcome: PageOutcome,
    /// The links the job follows, ranked.
    links: Vec<NewUrl>,
    /// Their keys in the job's cache of queued URLs, remembered once the write commits.
    queued: Vec<QueuedKey>,
    /// For a page to save: what its rows hold besides the page itself.
    facts: Option<SaveFacts>,
}

struct SaveFacts {
    content_hash: String,
    /// The followable links as JSON, kept for 304 re-crawls.
    links_json: String,
    version: Option<VersionedPath>,
}

/// Settles where a page is saved (its final URL, or its in-scope canonical; a starter
/// that redirects to another host brings that host into scope, even with no text there)
/// and which of its links the job follows, with their ranks; hashes and serialises what
/// the write needs, so that the write transaction stays short.
fn plan_links(context: &JobContext, input: &ScrapeInput, mut outcome: PageOutcome) -> Planned {
    crate::faults::point(crate::faults::PLAN_LINKS);
    let entry = &outcome.entry;
    if entry.depth == 0 {
        // Where a starter landed is the site, whether or not the page there has text.
        let landed = match &outcome.result {
            PageResult::Saved(page) => Url::parse(&page.final_url).ok(),
            PageResult::Wordless(_, final_url) => Some(final_url.clone()),
            _ => None,
        };
        if let Some(host) = landed.as_ref().and_then(host_key) {
            context
                .scope
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .add_host(host);
        }
    }
    if let PageResult::Saved(page) = &mut outcome.result {
        if let Some(canonical) = canonical_in_scope(context, page) {
            log::debug!(
                "[job {}] {} is saved as its canonical {canonical}",
                context.job_id,
                page.final_url
            );
            page.final_url = canonical;
        }
    }
    let links = match &outcome.result {
        PageResult::Saved(page) => follow_links(
            context,
            input,
            entry,
            page_links(&page.document).into_iter(),
            &page.document.other_languages,
        ),
        PageResult::Wordless(document, _) => follow_links(
            context,
            input,
            entry,
            page_links(document).into_iter(),
            &document.other_languages,
        ),
        PageResult::NotModified(cached) => {
            let stored = cached.links();
            let links = stored
                .iter()
                .map(|(url, text)| (url.as_str(), text.as_str()));
            follow_links(context, input, entry, links, &[])
        }
        _ => Vec::new(),
    };
    let facts = match &outcome.result {
        PageResult::Saved(page) => Some(SaveFacts {
            content_hash: page.content_hash.clone(),
            links_json: serde_json::to_string(&page_links(&page.document))
                .unwrap_or_else(|_| "[]".to_string()),
            version: Url::parse(&page.final_url)
                .ok()
                .and_then(|url| versioned_path(&url, &input.application_version)),
        }),
        _ => None,
    };
    let queued = links.iter().map(|l| QueuedUrls::key(&l.url)).collect();
    Planned {
        outcome,
        links,
        queued,
        facts,
    }
}

fn save_page(
    tx: &Sql<'_>,
    job_id: &str,
    session_id: &str,
    entry: &FrontierEntry,
    mut page: ProcessedPage,
    facts: SaveFacts,
    links: &[NewUrl],
) -> Result<(), StorageError> {
    let blocks = std::mem::take(&mut page.document.blocks);
    let visible_words = page.document.visible_words;
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
            content_type: page
                .document
                .mime
                .map_or_else(|| page.fetched.mime.clone(), str::to_string),
            content: page.document.content,
            content_hash: facts.content_hash.clone(),
            http_status: page.fetched.status,
            etag: page.fetched.etag,
            last_modified: page.fetched.last_modified,
            fetched_at: page.fetched.fetched_at,
            chunks: page.chunks,
            links: facts.links_json,
            numberless_hash: page.numberless_hash,
            version: facts.version,
        },
    )?;
    if let SaveOutcome::Saved { .. } = &outcome {
        template::remember(
            tx,
            job_id,
            &page.final_url,
            &facts.content_hash,
            &blocks,
            visible_words,
        )?;
    }
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
    tx: &Sql<'_>,
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
    let closer = match cached.numberless_hash {
        Some(hash) => pages::closer_version_saved_by_job(
            tx,
            job_id,
            session_id,
            &cached.url,
            version.as_ref(),
            hash,
        )?,
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
                pages::set_version_facts(tx, &page_id, cached.numberless_hash, version.as_ref())?;
                let note = format!(
                    "near-duplicate of {}, a copy for a closer version",
                    cached.url
                );
                let farther = match cached.numberless_hash {
                    Some(hash) => pages::drop_farther_versions(
                        tx,
                        job_id,
                        session_id,
                        &page_id,
                        &cached.url,
                        version.as_ref(),
                        hash,
                    )?,
                    None => Vec::new(),
                };
                for url in farther {
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
    tx: &Sql<'_>,
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
    let queued = |url: &str| context.queued.contains(&QueuedUrls::key(url));
    links
        // Most links of a page are queued already (its menus): one written as its
        // normalised URL plus a fragment is known without parsing it.
        .filter(|(url, _)| !queued(url.split('#').next().unwrap_or(url)))
        .filter_map(|(url, anchor)| parse_normalized(url).map(|url| (url, anchor)))
        // The same length limit as starter links: longer URLs are traps or session junk.
        .filter(|(url, _)| url.as_str().len() <= MAX_URL_CHARS)
        .filter(|(url, _)| scope.check(url).is_ok())
        .filter(|(url, _)| seen.insert(url.to_string()))
        .filter(|(url, _)| !queued(url.as_str()))
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

/// Whitespace-insensitive content hash, so that the same page served twice is one page:
/// the SHA-256 of every word followed by a space, in hex.
pub(crate) fn content_hash(content: &str) -> String {
    content_hash_of_spaced(&words_each_spaced(content))
}

/// [`content_hash`] of a text given as its [`words_each_spaced`].
pub(super) fn content_hash_of_spaced(words: &[u8]) -> String {
    format!("{:x}", Sha256::digest(words))
}
