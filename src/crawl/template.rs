//! Learning a site's template from the pages of one job, and removing it.
//!
//! Documentation sites repeat a header, banners, navigation bars, footers and generated
//! blocks on every page, often without a landmark that names them as chrome. Every saved
//! HTML page remembers its blocks: the Markdown of each top-level element with a
//! fingerprint of the text a reader sees (link targets left out: a sidebar box often
//! links each page's own address) and its place in the DOM (tag, id and classes of it
//! and its ancestors). When the crawl ends, blocks found on a large share of the job's
//! pages are the template; they are cut out of every page that has them — also of the
//! pages saved before anyone could know — and those pages are chunked again.
//!
//! What only looks repetitive stays: a heading alone is never template (`## OPTIONS` on
//! every man page), nor are code blocks or the contents of lists, quotes (admonitions)
//! and tables, nor short blocks; and the same text elsewhere in the layout (inside a
//! section with its own id, say) has another fingerprint. A recurring heading (alone or
//! in a wrapper of its own) goes only when the template removed everything under it.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::Arc;

use url::Url;

use super::chunk::Chunker;
use super::classify::ContentKind;
use super::document_chunks::chunk_sources;
use super::extract::html::{for_each_word, Block};
use super::extract::ChunkSource;
use super::runner::{content_hash, CrawlShared};
use super::text::without_link_targets;
use super::tokens::Fnv;
use crate::error::StorageError;
use crate::storage::sql::Sql;
use crate::storage::templates::{self, CleanedPage, PendingPage, TemplateBlock};
use crate::storage::{jobs as job_rows, Db};

/// A block is template when it is on at least this share of the job's pages …
const MIN_SHARE: f64 = 0.15;
/// … and on at least this many pages.
const MIN_PAGES: usize = 3;
/// Blocks shorter than this (an admonition's label, a lone word) are never template.
const MIN_BLOCK_CHARS: usize = 12;
/// Above this many pages, candidates are found on an even sample of this many first.
const SAMPLE_PAGES: usize = 1000;
/// Pages cleaned per transaction …
const CLEAN_BATCH: usize = 32;
/// … found among this many remembered pages at most (most have nothing to clean).
const CLEAN_BATCH_READ: u32 = 512;
/// Longest sample text kept per template block (for logs and the stored template).
const SAMPLE_CHARS: usize = 160;

/// A remembered page is its blocks, `ENTRY_BYTES` each, then the number of distinct words
/// a reader sees on it (`COUNT_BYTES`, little-endian). Rows remembered before the count was
/// kept are whole entries only: their remainder is 0, never `COUNT_BYTES`.
const ENTRY_BYTES: usize = 17;
const COUNT_BYTES: usize = 4;

/// Stores a saved page's blocks, and how many distinct words a reader sees on it, for the
/// end of its job.
pub fn remember(
    tx: &Sql<'_>,
    job_id: &str,
    url: &str,
    content_hash: &str,
    blocks: &[Block],
    visible_words: usize,
) -> Result<(), StorageError> {
    if blocks.is_empty() {
        return Ok(());
    }
    let blob = encode(blocks, visible_words);
    templates::remember_blocks(tx, job_id, url, content_hash, &blob)
}

/// Learns the job's template (unless a run before a restart already did) and removes it
/// from the job's pages. Idempotent: each cleaned page forgets its blocks in the same
/// transaction that rewrites it.
pub async fn clean_job(crawl: &CrawlShared, job_id: &str) -> Result<(), StorageError> {
    let db = &crawl.db;
    let id = job_id.to_string();
    let running = db
        .write(move |tx| {
            let running = job_rows::is_running(tx, &id)?;
            if !running {
                templates::forget(tx, &id)?;
            }
            Ok(running)
        })
        .await?;
    if !running {
        // Cancelled or deleted meanwhile: its status is a snapshot that must not change
        // under a client, so its pages stay as they were saved.
        log::debug!("[job {job_id}] ended before its template was removed; pages kept as saved");
        return Ok(());
    }
    let id = job_id.to_string();
    if db
        .run(move |conn| templates::learned_from(conn, &id))
        .await?
        .is_none()
    {
        let id = job_id.to_string();
        let (pages, template) = db.run(move |conn| learn(conn, &id)).await?;
        for block in &template {
            log::debug!(
                "[job {job_id}] template block on {} of {pages} pages: {:?}",
                block.pages,
                block.sample
            );
        }
        log::info!(
            "[job {job_id}] site template: {} block(s) recur on at least {} of {pages} pages",
            template.len(),
            threshold(pages)
        );
        let id = job_id.to_string();
        db.write(move |tx| templates::save_template(tx, &id, pages as i64, &template))
            .await?;
    }
    let id = job_id.to_string();
    let template: Arc<HashSet<u64>> = Arc::new(
        db.run(move |conn| templates::template(conn, &id))
            .await?
            .into_iter()
            .map(|block| block.fingerprint)
            .collect(),
    );
    if template.is_empty() {
        // Nothing to remove from any page: what was remembered for learning goes at once.
        let id = job_id.to_string();
        return db.write(move |tx| templates::forget(tx, &id)).await;
    }
    // Batch by batch in the order of the URLs; while one batch is written, the next is
    // read and cleaned (reading after the last URL read does not wait for that write), and
    // a batch is cleaned in two halves side by side on the parsing threads, which this
    // job's crawl no longer uses (other jobs may).
    let mut after = String::new();
    let mut cleaned_pages = 0;
    let mut ready: Option<CleanedBatch> = None;
    loop {
        let next = clean_batch_after(crawl, &template, job_id, &after);
        let write = async {
            match ready.take() {
                Some(batch) => write_batch(db, job_id, batch).await.map(Some),
                None => Ok(None),
            }
        };
        let (written, next) = tokio::join!(write, next);
        match written? {
            Some(Some(changed)) => cleaned_pages += changed,
            Some(None) => {
                log::debug!("[job {job_id}] ended while its template was being removed");
                break;
            }
            None => {}
        }
        let Some(batch) = next? else {
            break;
        };
        after = batch.through.clone();
        ready = Some(batch);
    }
    if cleaned_pages > 0 {
        log::info!("[job {job_id}] removed the site template from {cleaned_pages} page(s)");
    }
    Ok(())
}

/// A batch of remembered pages with the template cut out, through the batch's last URL.
struct CleanedBatch {
    through: String,
    pages: Vec<CleanedPage>,
}

/// Reads the next batch of the job's remembered pages after `after` (in URL order) and
/// cleans it; `None` when no page is left.
async fn clean_batch_after(
    crawl: &CrawlShared,
    template: &Arc<HashSet<u64>>,
    job_id: &str,
    after: &str,
) -> Result<Option<CleanedBatch>, StorageError> {
    let (id, cursor) = (job_id.to_string(), after.to_string());
    let in_template = template.clone();
    let batch = crawl
        .db
        .run(move |conn| {
            templates::pending_pages(
                conn,
                &id,
                &cursor,
                CLEAN_BATCH_READ,
                CLEAN_BATCH,
                |blocks| {
                    decode(blocks)
                        .iter()
                        .any(|block| may_cut(block, &in_template) || may_close(block, &in_template))
                },
            )
        })
        .await?;
    let Some(through) = batch.through else {
        return Ok(None);
    };
    let mut batch = batch.pages;
    // Half a batch a thread.
    let second_half = batch.split_off(batch.len() / 2);
    let cleaning = [batch, second_half].map(|part| {
        let (chunker, template) = (crawl.chunker.clone(), template.clone());
        crawl.cpu.run(move || {
            part.into_iter()
                .filter_map(|pending| clean_page(&chunker, &template, pending))
                .collect::<Vec<_>>()
        })
    });
    let mut pages = Vec::new();
    for cleaned in futures_util::future::join_all(cleaning).await {
        pages.extend(cleaned.map_err(|err| StorageError::Worker(err.to_string()))?);
    }
    Ok(Some(CleanedBatch { through, pages }))
}

/// Writes a cleaned batch: the number of pages it changed, or `None` when the job is no
/// longer running (its pages then stay as they are).
async fn write_batch(
    db: &Db,
    job_id: &str,
    batch: CleanedBatch,
) -> Result<Option<i64>, StorageError> {
    let id = job_id.to_string();
    let message = "Removing the site's template from saved pages";
    db.write(move |tx| templates::apply_cleaned(tx, &id, &batch.through, &batch.pages, message))
        .await
}

/// The fewest pages a block must be on to be template, for a job of `pages` pages.
fn threshold(pages: usize) -> usize {
    ((pages as f64 * MIN_SHARE).ceil() as usize).max(MIN_PAGES)
}

/// Counts on how many of the job's pages each block is and keeps those over the
/// threshold, with a sample of their text. Memory stays bounded on large jobs: the
/// candidates come from an even sample of pages, then only they are counted exactly.
fn learn(conn: &Sql<'_>, job_id: &str) -> Result<(usize, Vec<TemplateBlock>), StorageError> {
    let total = templates::count_saved_page_blocks(conn, job_id)?;
    if total < MIN_PAGES {
        return Ok((total, Vec::new()));
    }
    let step = total.div_ceil(SAMPLE_PAGES).max(1);
    let mut counts: HashMap<u64, usize> = HashMap::new();
    templates::for_each_saved_page_blocks(conn, job_id, |index, _, blob| {
        if index % step == 0 {
            for fingerprint in distinct_fingerprints(blob) {
                *counts.entry(fingerprint).or_default() += 1;
            }
        }
        true
    })?;
    if step > 1 {
        let sampled = total.div_ceil(step);
        let floor = ((sampled as f64 * MIN_SHARE * 0.5).ceil() as usize).max(2);
        counts.retain(|_, count| *count >= floor);
        counts.values_mut().for_each(|count| *count = 0);
        templates::for_each_saved_page_blocks(conn, job_id, |_, _, blob| {
            for fingerprint in distinct_fingerprints(blob) {
                if let Some(count) = counts.get_mut(&fingerprint) {
                    *count += 1;
                }
            }
            true
        })?;
    }
    let needed = threshold(total);
    counts.retain(|_, count| *count >= needed);
    let mut samples = sample_texts(conn, job_id, &counts)?;
    let mut template: Vec<TemplateBlock> = counts
        .into_iter()
        .filter_map(|(fingerprint, pages)| {
            let sample = samples.remove(&fingerprint)?;
            Some(TemplateBlock {
                fingerprint,
                pages: pages as i64,
                sample,
            })
        })
        .collect();
    template.sort_by(|a, b| b.pages.cmp(&a.pages).then(a.sample.cmp(&b.sample)));
    Ok((total, template))
}

/// A sample of the text of each of `counts`' blocks that some page keeps, from the first
/// page in saving order that keeps it. Those pages are found from the remembered blocks
/// alone, so that only their texts are read: a block every page drops (a footer, a
/// navigation bar) has no text to sample, and looking for one read every page's text.
fn sample_texts(
    conn: &Sql<'_>,
    job_id: &str,
    counts: &HashMap<u64, usize>,
) -> Result<HashMap<u64, String>, StorageError> {
    let mut samples: HashMap<u64, String> = HashMap::new();
    if counts.is_empty() {
        return Ok(samples);
    }
    // Each page that first keeps some candidate, with those candidates.
    let mut first_keeping: Vec<(String, Vec<u8>, HashSet<u64>)> = Vec::new();
    let mut found: HashSet<u64> = HashSet::new();
    templates::for_each_saved_page_blocks(conn, job_id, |_, url, blob| {
        let first: HashSet<u64> = kept_fingerprints(blob)
            .filter(|f| counts.contains_key(f) && !found.contains(f))
            .collect();
        if !first.is_empty() {
            found.extend(&first);
            first_keeping.push((url.to_string(), blob.to_vec(), first));
        }
        found.len() < counts.len()
    })?;
    for (url, blob, first) in &first_keeping {
        if let Some(content) = templates::saved_page_content(conn, job_id, url)? {
            take_samples(&mut samples, |f| first.contains(f), &content, blob);
        }
    }
    if samples.len() < found.len() {
        // A block whose first keeping page gave no text (a page changed meanwhile): every
        // page is read for the rest, as before this shortcut.
        templates::for_each_saved_page_content(conn, job_id, |content, blob| {
            take_samples(&mut samples, |f| found.contains(f), content, blob);
            samples.len() < found.len()
        })?;
    }
    Ok(samples)
}

/// Samples the text of the page's kept blocks that are `wanted` and have none yet.
fn take_samples(
    samples: &mut HashMap<u64, String>,
    wanted: impl Fn(&u64) -> bool,
    content: &str,
    blob: &[u8],
) {
    for block in decode(blob) {
        if !block.dropped && wanted(&block.fingerprint) && !samples.contains_key(&block.fingerprint)
        {
            if let Some(text) = block_text(content, &block) {
                samples.insert(block.fingerprint, text.chars().take(SAMPLE_CHARS).collect());
            }
        }
    }
}

/// The fingerprints of the blocks a page keeps (not dropped as chrome), short ones too.
fn kept_fingerprints(blob: &[u8]) -> impl Iterator<Item = u64> {
    decode(blob)
        .into_iter()
        .filter(|block| !block.dropped)
        .map(|block| block.fingerprint)
}

/// The fingerprints of a page's blocks that could be template, each once.
fn distinct_fingerprints(blob: &[u8]) -> HashSet<u64> {
    decode(blob)
        .into_iter()
        .filter(|block| {
            block.heading || block.dropped || block.end - block.start >= MIN_BLOCK_CHARS as u32
        })
        .map(|block| block.fingerprint)
        .collect()
}

fn block_text<'a>(content: &'a str, block: &Block) -> Option<&'a str> {
    content
        .get(block.start as usize..block.end as usize)
        .map(str::trim)
}

/// One remembered page with the template cut out and chunked again; `None` when nothing
/// of the template is on it.
fn clean_page(
    chunker: &Chunker,
    template: &HashSet<u64>,
    pending: PendingPage,
) -> Option<CleanedPage> {
    let page = pending.page;
    let blocks = decode(&pending.blocks);
    let visible_words = decode_visible_words(&pending.blocks);
    let content = strip(&page.content, &blocks, visible_words, template)?;
    let url = Url::parse(&page.url).ok()?;
    // A page without a title is saved under its URL; its chunks were described without one.
    let title = if page.title == page.url {
        ""
    } else {
        page.title.as_str()
    };
    let sources = [ChunkSource {
        text: content.clone(),
        is_markdown: true,
    }];
    let chunks = chunk_sources(chunker, title, &url, &sources, ContentKind::Html, false);
    if chunks.is_empty() {
        return None;
    }
    Some(CleanedPage {
        page_id: page.id,
        old_hash: page.content_hash,
        content_hash: content_hash(&content),
        content,
        chunks,
    })
}

/// `content` without its template blocks; `None` when none is on the page or nothing
/// would be left. `visible_words`: the distinct words a reader sees on the page, when
/// known.
pub fn strip(
    content: &str,
    blocks: &[Block],
    visible_words: Option<usize>,
    template: &HashSet<u64>,
) -> Option<String> {
    // Worked out for a lone heading only: most pages have none of the template.
    let title_start = std::cell::OnceCell::new();
    let below_title = |start: usize| start > *title_start.get_or_init(|| section_starts(content).0);
    let in_range = |b: &Block| {
        let (start, end) = (b.start as usize, b.end as usize);
        start < end
            && content.is_char_boundary(start)
            && content.is_char_boundary(end)
            && content[start..end].trim().len() >= MIN_BLOCK_CHARS
            && !is_property_line(&content[start..end])
            // The page's first heading is its title, or a site's masthead above it.
            && !(is_lone_heading(&content[start..end]) && below_title(start))
    };
    let candidates: Vec<Cut> = blocks
        .iter()
        .filter(|b| may_cut(b, template) && in_range(b))
        .map(|b| (b.start as usize, b.end as usize))
        .collect();
    let closing: Vec<Cut> = blocks
        .iter()
        .filter(|b| may_close(b, template) && in_range(b))
        .map(|b| (b.start as usize, b.end as usize))
        .collect();
    let sections = section_starts(content);
    let candidates = with_closing_text(content, sections.0, candidates, closing);
    if candidates.is_empty() {
        // Most pages of a site: nothing of the template on them.
        return None;
    }
    // A caption goes with what it captions (the text right after it), and stays with it.
    let cuts = candidates
        .iter()
        .copied()
        .filter(|&(start, end)| {
            if !is_caption(content[start..end].trim()) {
                return true;
            }
            let rest = &content[end..];
            let next = end + (rest.len() - rest.trim_start().len());
            next >= content.len() || candidates.iter().any(|&(s, e)| s <= next && next < e)
        })
        .collect::<Vec<_>>();
    let cuts = outside_the_article_text(content, sections.0, cuts);
    let recurring_headings: HashSet<&str> = blocks
        .iter()
        .filter(|b| b.heading && template.contains(&b.fingerprint))
        .filter_map(|b| block_text(content, b))
        .collect();
    // Only a heading the cuts can empty may go for being empty: one below the page's
    // first heading that had nothing under it before (Doxygen's `## Member Function
    // Documentation`, straight above each member's own `##` heading) names a group of
    // sections and stays. A recurring first heading with nothing under it is a site's
    // masthead above the page's title (mdBook's `# The Cargo Book`).
    let group_headings = group_headings(content, &recurring_headings);
    let recurring_headings: HashSet<&str> = recurring_headings
        .difference(&group_headings)
        .copied()
        .collect();
    let render = |cuts: &[(usize, usize)], spared: &Spared| {
        let joined = outside(content, cuts)
            .iter()
            .map(|piece| piece.trim_matches('\n'))
            .filter(|piece| !piece.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        let recurring: HashSet<&str> = recurring_headings.difference(spared).copied().collect();
        drop_stray_rules(&drop_emptied_headings(&joined, &recurring))
    };
    let (cuts, spared) = keeping_half_the_words(content, &sections, cuts, visible_words, &render);
    if cuts.is_empty() {
        return None;
    }
    let cleaned = render(&cuts, &spared);
    if cleaned.trim().is_empty() {
        return None;
    }
    Some(format!("{}\n", cleaned.trim_end()))
}

/// `candidates` with those of `closing` (template by their place outside the page's
/// titled sections) that close the page after its own text below the title `title`,
/// with only template after them. A site that adds the same text at the end of every
/// page (an included "See also" box, a licence paragraph) puts it into each page's last
/// section, whose id and depth are the page's own; elsewhere on the page the same place
/// outside the sections is shared by much that is not template (a sentence under each
/// operand's title), which stays.
fn with_closing_text(
    content: &str,
    title: usize,
    mut candidates: Vec<Cut>,
    closing: Vec<Cut>,
) -> Vec<Cut> {
    if closing.is_empty() {
        return candidates;
    }
    let mut all: Vec<Cut> = candidates.iter().chain(&closing).copied().collect();
    all.sort_unstable();
    all.dedup();
    let own_text_ends = trailing_cuts_start(content, &all);
    let Some(own) = content.get(title..own_text_ends) else {
        return candidates;
    };
    let has_own_text = own
        .lines()
        .any(|line| !line.trim().is_empty() && heading_level(line).is_none());
    // A description closing the page belongs to the term above it (the `-h` option every
    // command page ends with): cut, the term would be left without it.
    let last_line = own.trim_end().rsplit('\n').next().unwrap_or("");
    if !has_own_text || is_bold_line(last_line) {
        return candidates;
    }
    candidates.extend(
        closing
            .into_iter()
            .filter(|&(start, _)| start >= own_text_ends)
            .filter(|cut| !candidates.contains(cut))
            .collect::<Vec<_>>(),
    );
    candidates
}

/// Whether `block` is one of the template's that [`strip`] may cut: a block of the saved
/// text (not a heading, not chrome the extraction dropped) whose fingerprint is the
/// template's. A page none of whose blocks is one is left as it is.
fn may_cut(block: &Block, template: &HashSet<u64>) -> bool {
    !block.heading
        && !block.dropped
        && !block.outside_sections
        && template.contains(&block.fingerprint)
}

/// Whether `block` is the template's by its place outside the page's titled sections:
/// [`strip`] cuts it only where it closes the page.
fn may_close(block: &Block, template: &HashSet<u64>) -> bool {
    block.outside_sections && template.contains(&block.fingerprint)
}

/// `cuts` but for the runs of them that are prose the page's own text encloses below its
/// title (which starts at `title`, see [`section_starts`]): a paragraph (or listing) of the page right before and right after. Template
/// sits at a page's edges, under a heading (a `source` link, a badge) or between template
/// headings (the docs of every blanket implementation); a sentence many pages share
/// between two of a page's own paragraphs (`This extension does not accept any special
/// configuration options.`) is that page's text, read in its place.
fn outside_the_article_text(content: &str, title: usize, mut cuts: Vec<Cut>) -> Vec<Cut> {
    cuts.sort_unstable();
    let mut kept = Vec::with_capacity(cuts.len());
    let mut first = 0;
    while first < cuts.len() {
        let (start, mut end) = cuts[first];
        let mut next = first + 1;
        while next < cuts.len()
            && content[end.min(cuts[next].0)..cuts[next].0]
                .trim()
                .is_empty()
        {
            end = end.max(cuts[next].1);
            next += 1;
        }
        let before = content[..start]
            .trim_end()
            .rsplit('\n')
            .next()
            .unwrap_or("");
        let after = content[end..].trim_start().split('\n').next().unwrap_or("");
        let enclosed = start > title
            && is_prose(&content[start..end])
            && [before, after]
                .iter()
                .all(|line| line.trim_start().starts_with("```") || is_prose(line));
        if !enclosed {
            kept.extend_from_slice(&cuts[first..next]);
        }
        first = next;
    }
    kept
}

/// Fewest words (of letters alone, outside links) that make text prose.
const MIN_PROSE_WORDS: usize = 3;

/// Text that reads as prose: not a heading or what holds one, a table row, a bold term or
/// label (`**Expand description**`, `**activate: void (*activate)**`), a listing, a line
/// of links (a breadcrumb, a section's menu) or of symbols, which template sits beside
/// as well.
fn is_prose(text: &str) -> bool {
    let text = text.trim();
    if holds_a_heading(text)
        || text.starts_with('|')
        || text.starts_with("```")
        || is_bold_line(text)
    {
        return false;
    }
    let (_, outside) = split_links(text);
    outside
        .split_whitespace()
        .map(|word| word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']))
        .filter(|word| !word.is_empty() && word.chars().all(char::is_alphabetic))
        .nth(MIN_PROSE_WORDS - 1)
        .is_some()
}

/// A line that is a bold term or label alone (`**-h or --help**`, `**Expand description**`).
fn is_bold_line(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("**") && line.ends_with("**")
}

/// Longest caption kept with what it captions.
const MAX_CAPTION_CHARS: usize = 60;

/// A block that is only a short bold label ending in a colon (`**Example:**`, `**See
/// also:**`): the caption of the block after it. Many pages caption their listings alike,
/// but the caption reads as template only where what it captions is. A bold label without
/// the colon need not announce what follows (rustdoc's `**Expand description**` toggle).
fn is_caption(block: &str) -> bool {
    let Some((label, "")) = bold_label(block) else {
        return false;
    };
    block.len() <= MAX_CAPTION_CHARS
        && !label.trim().is_empty()
        && !label.contains(['*', '\n', '[', '`'])
}

/// A line opening with a bold label that ends in a colon (`**Language:** PLPGSQL`): the
/// label and what follows it.
fn bold_label(line: &str) -> Option<(&str, &str)> {
    line.strip_prefix("**")?.split_once(":**")
}

/// Longest property line (`**Return Type:** integer`) kept whatever it shares.
const MAX_PROPERTY_CHARS: usize = 60;
/// Most words of a property's label.
const MAX_PROPERTY_LABEL_WORDS: usize = 4;

/// A short line that states one property of the page's item: a label of a few words
/// ending in a colon, then its value (`**Language:** PLPGSQL`, `Since: 2.4`). Many items
/// share a value, so the line recurs on many pages, but it is the item's own fact, not
/// the site's template: cut, a function's page no longer said what it returns. A dated
/// value is not an item's: a build stamps every page with the same time, so a dated line
/// that recurs (`updated: 2022-09-23 07:24`) is the build's byline.
fn is_property_line(block: &str) -> bool {
    let line = block.trim();
    if line.len() > MAX_PROPERTY_CHARS || line.contains('\n') {
        return false;
    }
    let (label, value) = match bold_label(line) {
        Some((label, value)) => (label, value),
        None => match line.split_once(": ") {
            Some((label, value)) if !label.contains(['*', '[', '`']) => (label, value),
            _ => return false,
        },
    };
    let words = label.split_whitespace().count();
    (1..=MAX_PROPERTY_LABEL_WORDS).contains(&words)
        && label.chars().next().is_some_and(char::is_alphabetic)
        && !value.trim().is_empty()
        && !carries_a_date(value)
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether `text` names a calendar day: numbers joined by `-`, `/` or `.` of which one is
/// a year and the others a month and a day (`2022-09-23`, `23.09.2022`, `09/23/2022`), or
/// a month's name (`Sep`, `September`) beside a year (`Sep 23, 2022`).
fn carries_a_date(text: &str) -> bool {
    let is_year =
        |n: &str| n.len() == 4 && n.parse::<u16>().is_ok_and(|y| (1970..2100).contains(&y));
    let is_day_or_month = |n: &str| {
        (1..=2).contains(&n.len()) && n.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
    };
    let is_separator = |c: char| matches!(c, '-' | '/' | '.');
    let numbered = text
        .split(|c: char| !(c.is_ascii_digit() || is_separator(c)))
        // A sentence's full stop after the date is not part of it.
        .map(|run| run.trim_matches(is_separator))
        .any(|run| {
            ['-', '/', '.'].into_iter().any(|separator| {
                let parts: Vec<&str> = run.split(separator).collect();
                parts.len() == 3
                    && parts.iter().filter(|part| is_year(part)).count() == 1
                    && parts.iter().filter(|part| is_day_or_month(part)).count() == 2
            })
        });
    let has_year = || text.split(|c: char| !c.is_ascii_digit()).any(is_year);
    let is_month = |word: &str| {
        word.eq_ignore_ascii_case("sept")
            || MONTHS.iter().any(|month| {
                word.eq_ignore_ascii_case(month) || word.eq_ignore_ascii_case(&month[..3])
            })
    };
    let has_month = || text.split(|c: char| !c.is_alphabetic()).any(is_month);
    numbered || (has_year() && has_month())
}

/// A byte range of a page's Markdown to cut.
type Cut = (usize, usize);
/// Heading lines that stay even when the cuts leave nothing under them.
type Spared<'a> = HashSet<&'a str>;
/// The page with some cuts made; recurring headings left empty by them go too (and their
/// words with them), but for the spared ones.
type Render<'r> = dyn Fn(&[Cut], &Spared) -> String + 'r;

/// The cuts that leave the page at least half of its distinct words. `sections`: where
/// its title and its top-level sections start ([`section_starts`]).
///
/// Chrome is a small part of a page; a page that is mostly blocks it shares with many
/// others (a small widget class whose inherited methods, signals and properties are those
/// of every widget, a struct whose trait implementations are those of every struct) is
/// mostly that shared content, and cutting it all would leave a title and a line. There
/// what takes fewest words from the page goes first and a cut that would take the page
/// under half of its words is not made: above the title block by block (a logo, a banner,
/// a line of links), below it a top-level section at a time (all of its template, else
/// all of it that holds no heading, else none), so that no section keeps a few of its
/// shared lines. A menu at the page's edges (a list of links alone, above the title or
/// after the page's own text) is never the page's own text and goes whatever its share of
/// the words, when the page has a title to keep.
///
/// Half of what? Of the words a reader sees on the page (`visible_words`) when its
/// Markdown holds at least half of those: the extraction already left out the chrome it
/// recognised (a skip link, a search box, a sidebar), and half of the Markdown's words
/// would then be well under half of the page. When the Markdown holds less than half of
/// what a reader sees (or that is not known), half of the Markdown's own words.
///
/// A section that keeps its shared headings keeps them even where nothing is left under
/// them (they are its outline); those are the spared headings answered with the cuts.
fn keeping_half_the_words<'a>(
    content: &'a str,
    sections: &(usize, Vec<usize>),
    cuts: Vec<(usize, usize)>,
    visible_words: Option<usize>,
    render: &Render<'_>,
) -> (Vec<Cut>, Spared<'a>) {
    let mut spared = Spared::new();
    // A menu at a titled page's edges goes whatever share of the page it is: a site's
    // index of all its types or chapters shown beside every page, above the title or after
    // the page's own text (a manual's whole table of contents closing every page), can
    // hold more words than the page itself, and keeping it kept the whole index on
    // hundreds of pages. A list of links between two pieces of the page's text is the
    // page's and keeps the guard.
    let title = sections.0;
    let own_text_ends = trailing_cuts_start(content, &cuts);
    let (menus, cuts): (Vec<Cut>, Vec<Cut>) = cuts.into_iter().partition(|&(start, end)| {
        let at_an_edge = start < title || (title < own_text_ends && start >= own_text_ends);
        title < content.len() && at_an_edge && is_link_list(&content[start..end])
    });
    // From here on every rendering of the page is without its menus.
    let render = |cuts: &[Cut], spared: &Spared| {
        let mut all = menus.clone();
        all.extend_from_slice(cuts);
        render(&all, spared)
    };
    let with_menus = |mut cuts: Vec<Cut>| {
        cuts.extend_from_slice(&menus);
        cuts
    };
    if cuts.is_empty() {
        return (with_menus(cuts), spared);
    }
    let mut lower = String::new();
    let mut words_left = |cuts: &[(usize, usize)], spared: &Spared| {
        let page = if cuts.is_empty() && menus.is_empty() {
            content.to_string()
        } else {
            render(cuts, spared)
        };
        reader_words(&page, &mut lower).len()
    };
    let own = words_left(&[], &spared);
    let total = match visible_words {
        Some(seen) if seen > own && own * 2 >= seen => seen,
        _ => own,
    };
    if total < MIN_JUDGED_WORDS || words_left(&cuts, &spared) * 2 >= total {
        return (with_menus(cuts), spared);
    }
    // The page cannot lose all of its template. Above its title (a logo, a banner, a menu)
    // it loses it block by block; below, section by section: each top-level section loses
    // all of its template or none, so a section is never left with a few of the sentences
    // it shares with other pages (the docs every implementing type repeats, the members
    // every widget inherits) and a reader can still place what is kept. What takes fewest
    // of the page's words goes first: a logo or a "source" link takes none or one whatever
    // its link targets' length, a shared paragraph many. Each is judged by what the page
    // keeps with it and those already chosen.
    let starts = &sections.1;
    let mut groups: Vec<Vec<Cut>> = vec![Vec::new(); starts.len() + 1];
    for cut in cuts {
        if cut.0 < title {
            groups.push(vec![cut]);
        } else {
            groups[starts.partition_point(|&start| start <= cut.0)].push(cut);
        }
    }
    let mut order: Vec<(usize, usize, Vec<Cut>)> = groups
        .into_iter()
        .filter(|group| !group.is_empty())
        .map(|group| {
            let taken = own.saturating_sub(words_left(&group, &Spared::new()));
            let bytes = group.iter().map(|(start, end)| end - start).sum();
            (taken, bytes, group)
        })
        .collect();
    order.sort_by_key(|(taken, bytes, group)| (*taken, *bytes, group.first().map(|cut| cut.0)));
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (_, _, group) in order {
        // A section that cannot lose all of its template may still lose the text under its
        // recurring headings (each trait's one-line docs) and keep the headings (which
        // traits it implements): every description or none.
        let descriptions: Vec<Cut> = group
            .iter()
            .copied()
            .filter(|&(start, end)| !holds_a_heading(&content[start..end]))
            .collect();
        let below_headings: Vec<Cut> = group
            .iter()
            .flat_map(|&cut| outside_headings(content, cut))
            .collect();
        let headings = heading_lines(content, &group);
        let mut choices = vec![group];
        if descriptions.len() < choices[0].len() {
            // Better with the short lines beside the headings (a `source` link, a `const:
            // unstable` badge) than without.
            choices.push(below_headings.clone());
            choices.push(descriptions);
        }
        let mut whole = false;
        for (i, cuts) in choices.into_iter().enumerate() {
            if i == 1 {
                // From here on the section keeps its headings.
                spared.extend(headings.iter().copied());
            }
            let before = chosen.len();
            chosen.extend(cuts);
            if chosen.len() > before && words_left(&chosen, &spared) * 2 >= total {
                whole = i == 0;
                break;
            }
            chosen.truncate(before);
        }
        if whole {
            continue;
        }
        spared.extend(headings.iter().copied());
        // What the section keeps of its template still loses the short lines that say
        // nothing the page does not say anyway (the `source` link and `const: unstable`
        // badge beside each signature): they take no word from it.
        let free = wordless_lines(content, &below_headings, &chosen, &spared, &render);
        if !free.is_empty() {
            let before = words_left(&chosen, &spared);
            let mut with = chosen.clone();
            with.extend(free.iter().copied());
            if words_left(&with, &spared) >= before {
                chosen = with;
            } else {
                for line in free.into_iter().take(MAX_LINES_TRIED_ALONE) {
                    chosen.push(line);
                    if words_left(&chosen, &spared) < before {
                        chosen.pop();
                    }
                }
            }
        }
    }
    (with_menus(chosen), spared)
}

/// Where the run of `cuts` that closes `content` starts (only blank text between them and
/// after the last): the end of the page's own text. The content's trimmed length when no
/// cut closes it. `cuts` in order of their start, as [`outside_the_article_text`] leaves
/// them.
fn trailing_cuts_start(content: &str, cuts: &[Cut]) -> usize {
    debug_assert!(cuts.is_sorted(), "cuts out of order: {cuts:?}");
    let mut own_end = content.trim_end().len();
    for &(start, end) in cuts.iter().rev() {
        if start < own_end && content[end.min(own_end)..own_end].trim().is_empty() {
            own_end = start;
        }
    }
    own_end
}

/// Most words of an item without a link in a menu (the entry of the page it is on).
const MAX_BARE_ENTRY_WORDS: usize = 8;

/// A Markdown list whose every item is a link and nothing else (nested lists included,
/// emphasis around the link allowed): a menu, never a page's own text. A few items may be
/// bare labels, as menus show the entries of the page they are on (its own sections'
/// links are written as their labels), at most one for every three links.
fn is_link_list(block: &str) -> bool {
    let (mut linked, mut bare) = (0usize, 0usize);
    let all_entries = block
        .lines()
        .filter(|line| !line.trim().is_empty())
        .all(|line| {
            let item = line.trim_start();
            let Some(rest) = item
                .strip_prefix("- ")
                .or_else(|| item.strip_prefix("* "))
                .or_else(|| item.strip_prefix("+ "))
                .or_else(|| {
                    let digits = item.bytes().take_while(u8::is_ascii_digit).count();
                    item.get(digits..)
                        .filter(|_| digits > 0)
                        .and_then(|rest| rest.strip_prefix(". "))
                })
            else {
                return false;
            };
            let (links, outside) = split_links(rest);
            if links == 0 {
                bare += 1;
                return !rest.contains(['[', ']'])
                    && rest.split_whitespace().count() <= MAX_BARE_ENTRY_WORDS;
            }
            linked += 1;
            outside
                .chars()
                .all(|c| c.is_whitespace() || c == '*' || c == '_')
        });
    all_entries && linked > 0 && bare * 3 <= linked
}

/// The heading lines inside `cuts` (trimmed).
fn heading_lines<'a>(content: &'a str, cuts: &[Cut]) -> Vec<&'a str> {
    cuts.iter()
        .flat_map(|&(start, end)| {
            let lines: Vec<&str> = content[start..end].lines().collect();
            let levels = heading_levels(lines.iter().copied());
            lines
                .into_iter()
                .zip(levels)
                .filter_map(|(line, level)| level.map(|_| line.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn holds_a_heading(markdown: &str) -> bool {
    heading_levels(markdown.lines()).iter().any(Option::is_some)
}

/// The parts of `cut` outside its heading lines: each run of other lines.
fn outside_headings(content: &str, (start, end): Cut) -> Vec<Cut> {
    let text = &content[start..end];
    let levels = heading_levels(text.split_inclusive('\n'));
    let mut runs = Vec::new();
    let mut run: Option<usize> = None;
    let mut offset = start;
    for (line, level) in text.split_inclusive('\n').zip(levels) {
        match (level, run) {
            (Some(_), Some(from)) => {
                runs.push((from, offset));
                run = None;
            }
            (None, None) => run = Some(offset),
            _ => {}
        }
        offset += line.len();
    }
    if let Some(from) = run {
        runs.push((from, end));
    }
    runs.retain(|&(from, to)| !content[from..to].trim().is_empty());
    runs
}

/// Of a section's short shared lines that cannot all go at once, at most this many are
/// tried one by one (each try renders the page).
const MAX_LINES_TRIED_ALONE: usize = 64;
/// Most distinct words a line may have to be cut for taking none from the page.
const MAX_WORDLESS_LINE_WORDS: usize = 4;

/// The one-line paragraphs within `cuts` (outside code) made of links and at most a word
/// of text (`const: [unstable](…) · [source](…)`) whose few words the page keeps
/// elsewhere, once `chosen` and all of those lines are cut. A term (`**--verbose**`) or a
/// sentence is not one of them, whatever its words.
fn wordless_lines(
    content: &str,
    cuts: &[Cut],
    chosen: &[Cut],
    spared: &Spared,
    render: &Render<'_>,
) -> Vec<Cut> {
    let mut lower = String::new();
    let mut candidates: Vec<(Cut, HashSet<u64>)> = Vec::new();
    for &(start, end) in cuts {
        let text = &content[start..end];
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let levels = heading_levels(lines.iter().copied());
        let code = code_lines(&lines);
        let mut offset = start;
        for (i, line) in lines.iter().enumerate() {
            let blank = |j: Option<usize>| {
                j.and_then(|j| lines.get(j))
                    .is_none_or(|l| l.trim().is_empty())
            };
            let alone = blank(i.checked_sub(1)) && blank(Some(i + 1));
            let plain = levels[i].is_none() && !code[i] && !line.trim().is_empty();
            if alone && plain && !line.trim_start().starts_with('|') {
                let words = reader_words(line, &mut lower);
                let (links, outside) = split_links(line);
                if links > 0
                    && reader_words(&outside, &mut lower).len() <= 1
                    && words.len() <= MAX_WORDLESS_LINE_WORDS
                {
                    candidates.push(((offset, offset + line.len()), words));
                }
            }
            offset += line.len();
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut all = chosen.to_vec();
    all.extend(candidates.iter().map(|(cut, _)| *cut));
    let kept = reader_words(&render(&all, spared), &mut lower);
    candidates
        .into_iter()
        .filter(|(_, words)| words.is_subset(&kept))
        .map(|(cut, _)| cut)
        .collect()
}

/// How many Markdown links (`[label](target)`, images inside labels included) `line`
/// holds, and its text outside them.
fn split_links(line: &str) -> (usize, String) {
    let bytes = line.as_bytes();
    let (mut links, mut outside, mut i) = (0, String::new(), 0);
    let closing = |from: usize, open: u8, close: u8| {
        let mut depth = 0usize;
        for (j, &b) in bytes.iter().enumerate().skip(from) {
            if b == open {
                depth += 1;
            } else if b == close {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(j);
                }
            }
        }
        None
    };
    while i < bytes.len() {
        if bytes[i] == b'[' {
            if let Some(label_end) = closing(i, b'[', b']') {
                if bytes.get(label_end + 1) == Some(&b'(') {
                    if let Some(target_end) = closing(label_end + 1, b'(', b')') {
                        links += 1;
                        outside.push(' ');
                        i = target_end + 1;
                        continue;
                    }
                }
            }
        }
        // Whole characters: the brackets looked for are ASCII.
        let width = line[i..].chars().next().map_or(1, char::len_utf8);
        outside.push_str(&line[i..i + width]);
        i += width;
    }
    (links, outside)
}

/// Whether each line is part of a fenced code block (its fences included).
fn code_lines(lines: &[&str]) -> Vec<bool> {
    let mut fence: Option<String> = None;
    lines
        .iter()
        .map(|line| {
            let trimmed = line.trim_start();
            if let Some(open) = &fence {
                if trimmed.starts_with(open.as_str()) {
                    fence = None;
                }
                return true;
            }
            let ticks = trimmed.chars().take_while(|&c| c == '`').count();
            if ticks >= 3 {
                fence = Some("`".repeat(ticks));
                return true;
            }
            false
        })
        .collect()
}

/// Where `markdown`'s first heading (its title) starts, the length when it has none, and
/// where its top-level sections start: the headings of the highest level (fewest `#`)
/// after the title.
fn section_starts(markdown: &str) -> (usize, Vec<usize>) {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let levels = heading_levels(lines.iter().map(|&(_, line)| line));
    let mut headings = lines
        .iter()
        .zip(&levels)
        .filter_map(|(&(offset, _), level)| level.map(|level| (offset, level)));
    let Some((title, _)) = headings.next() else {
        return (markdown.len(), Vec::new());
    };
    let headings: Vec<(usize, usize)> = headings.collect();
    let top = headings.iter().map(|&(_, level)| level).min();
    let starts = headings
        .into_iter()
        .filter(|&(_, level)| Some(level) == top)
        .map(|(offset, _)| offset)
        .collect();
    (title, starts)
}

/// The pieces of `content` outside the (possibly nested or overlapping) `cuts`.
fn outside<'a>(content: &'a str, cuts: &[(usize, usize)]) -> Vec<&'a str> {
    let mut sorted = cuts.to_vec();
    sorted.sort_unstable();
    let mut pieces = Vec::with_capacity(sorted.len() + 1);
    let mut kept_from = 0;
    for (start, end) in sorted {
        if start >= kept_from {
            pieces.push(&content[kept_from..start]);
        }
        kept_from = kept_from.max(end);
    }
    pieces.push(&content[kept_from.min(content.len())..]);
    pieces
}

/// Below this many distinct words a page is too small to judge what a cut takes.
const MIN_JUDGED_WORDS: usize = 30;

/// The distinct words (hashed) a reader sees in `markdown`: link targets left out.
/// `lower` is scratch space for lower-casing.
fn reader_words(markdown: &str, lower: &mut String) -> HashSet<u64> {
    let mut words = HashSet::new();
    for text in without_link_targets(markdown) {
        for_each_word(text, lower, |word| {
            words.insert(word_hash(word));
        });
    }
    words
}

fn word_hash(word: &str) -> u64 {
    let mut hasher = Fnv::default();
    hasher.write(word.as_bytes());
    hasher.finish()
}

/// Removes recurring headings that nothing follows any more before the next heading of
/// the same or a higher level, but recurring headings removed themselves: a template
/// section with sub-sections (`## Manual Pages` over `### Manual Pages` and its list)
/// goes whole. Read from the bottom, so that a sub-section is decided before its section.
fn drop_emptied_headings(markdown: &str, recurring: &HashSet<&str>) -> String {
    if recurring.is_empty() {
        return markdown.to_string();
    }
    let lines: Vec<&str> = markdown.lines().collect();
    let level_of = heading_levels(lines.iter().copied());
    let mut keep = vec![true; lines.len()];
    for i in (0..lines.len()).rev() {
        let Some(level) = level_of[i] else { continue };
        if !recurring.contains(lines[i].trim()) {
            continue;
        }
        let empty = section_body(&level_of, i, level)
            .all(|j| !keep[j] || (level_of[j].is_none() && lines[j].trim().is_empty()));
        if empty {
            keep[i] = false;
        }
    }
    let kept: Vec<&str> = lines
        .iter()
        .zip(keep)
        .filter_map(|(line, keep)| keep.then_some(*line))
        .collect();
    collapse_blank_runs(&kept.join("\n"))
}

/// A block whose Markdown is one heading line: a heading in a wrapper of its own (Doxygen
/// sets each member group's `<h2>` in a table row), which, like the heading itself, goes
/// only with what is under it.
fn is_lone_heading(markdown: &str) -> bool {
    let text = markdown.trim();
    !text.contains('\n') && heading_level(text).is_some()
}

/// Those of `recurring` below `markdown`'s first heading that have no text under them
/// (before the next heading of the same or a higher level; a sub-section's text counts).
fn group_headings<'a>(markdown: &str, recurring: &HashSet<&'a str>) -> HashSet<&'a str> {
    if recurring.is_empty() {
        return HashSet::new();
    }
    let lines: Vec<&str> = markdown.lines().collect();
    let level_of = heading_levels(lines.iter().copied());
    let first_heading = level_of.iter().position(Option::is_some);
    let mut groups = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(level) = level_of[i] else { continue };
        if Some(i) == first_heading {
            continue;
        }
        let Some(&heading) = recurring.get(line.trim()) else {
            continue;
        };
        let has_text = section_body(&level_of, i, level)
            .any(|j| level_of[j].is_none() && !lines[j].trim().is_empty());
        if !has_text {
            groups.insert(heading);
        }
    }
    groups
}

/// The lines under the heading at line `i` of `level`: up to the next heading of the
/// same or a higher level (a sub-section's lines included).
fn section_body(
    level_of: &[Option<usize>],
    i: usize,
    level: usize,
) -> impl Iterator<Item = usize> + '_ {
    (i + 1..level_of.len()).take_while(move |&j| level_of[j].is_none_or(|next| next > level))
}

/// Thematic breaks that separated the template from the article: at the start or the end,
/// or right after another one.
fn drop_stray_rules(markdown: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let last_text = kept.iter().rev().find(|l| !l.trim().is_empty());
        if !in_fence && line == "---" && last_text.is_none_or(|l| *l == "---") {
            continue;
        }
        kept.push(line);
    }
    while let Some(last) = kept.iter().rposition(|l| !l.trim().is_empty()) {
        if kept[last] != "---" {
            break;
        }
        kept.truncate(last);
    }
    collapse_blank_runs(&kept.join("\n"))
}

/// The heading level of each line, `None` for text and for lines of code blocks.
fn heading_levels<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Option<usize>> {
    let lines: Vec<&str> = lines.collect();
    code_lines(&lines)
        .into_iter()
        .zip(&lines)
        .map(|(code, line)| if code { None } else { heading_level(line) })
        .collect()
}

fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes)
}

/// Outside code fences, no more than one blank line in a row.
fn collapse_blank_runs(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank_run = 0;
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if line.trim().is_empty() && !in_fence {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_string()
}

fn encode(blocks: &[Block], visible_words: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(blocks.len() * ENTRY_BYTES + COUNT_BYTES);
    for block in blocks {
        bytes.extend_from_slice(&block.fingerprint.to_le_bytes());
        bytes.extend_from_slice(&block.start.to_le_bytes());
        bytes.extend_from_slice(&block.end.to_le_bytes());
        bytes.push(
            u8::from(block.heading)
                | (u8::from(block.dropped) << 1)
                | (u8::from(block.outside_sections) << 2),
        );
    }
    let count = u32::try_from(visible_words).unwrap_or(u32::MAX);
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes
}

/// The count of words a reader sees that [`encode`] put after the blocks; `None` for a
/// page remembered without it.
fn decode_visible_words(bytes: &[u8]) -> Option<usize> {
    if bytes.len() % ENTRY_BYTES != COUNT_BYTES {
        return None;
    }
    let mut raw = [0u8; COUNT_BYTES];
    raw.copy_from_slice(&bytes[bytes.len() - COUNT_BYTES..]);
    usize::try_from(u32::from_le_bytes(raw)).ok()
}

fn decode(bytes: &[u8]) -> Vec<Block> {
    bytes
        .chunks_exact(ENTRY_BYTES)
        .map(|entry| {
            let u64_at = |at: usize| {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(&entry[at..at + 8]);
                u64::from_le_bytes(raw)
            };
            let u32_at = |at: usize| {
                let mut raw = [0u8; 4];
                raw.copy_from_slice(&entry[at..at + 4]);
                u32::from_le_bytes(raw)
            };
            Block {
                fingerprint: u64_at(0),
                start: u32_at(8),
                end: u32_at(12),
                heading: entry[16] & 1 != 0,
                dropped: entry[16] & 2 != 0,
                outside_sections: entry[16] & 4 != 0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::extract::html::extract_html;

    fn page(url: &str, body: &str) -> (String, Vec<Block>) {
        let page = extract_html(
            format!("<html><body>{body}</body></html>"),
            &Url::parse(url).expect("url"),
        );
        (page.markdown, page.blocks)
    }

    /// The fingerprints of the page's blocks that read as one of `texts`: a template.
    fn fingerprints_of(content: &str, blocks: &[Block], texts: &[&str]) -> HashSet<u64> {
        blocks
            .iter()
            .filter(|b| block_text(content, b).is_some_and(|text| texts.contains(&text)))
            .map(|b| b.fingerprint)
            .collect()
    }

    const BANNER: &str = "<div class=\"top\"><p>Acme Widgets — tools for every workshop</p>\
        <p><a href=\"/\">Home</a> | <a href=\"/toc.html\">Table of contents</a> | \
        <a href=\"/genindex.html\">Index</a></p></div>";

    fn article(n: usize) -> String {
        format!(
            "<div class=\"doc\" id=\"topic-{n}\"><h1>Topic {n}</h1><p>Topic {n} explains the widget number {n} in depth.</p>\
             <div class=\"note\"><p>Acme Widgets — tools for every workshop</p></div>\
             <h2>Options</h2><p>Option text for topic {n}, which differs on every page.</p></div>"
        )
    }

    #[test]
    fn a_property_of_the_item_is_never_cut_however_many_items_share_it() {
        for property in [
            "**Language:** PLPGSQL",
            "**Return Type:** integer",
            "Since: 2.4",
            "Default value: `true`",
            "Version: 2.4.10",
        ] {
            assert!(is_property_line(property), "{property}");
        }
        for not_property in [
            "updated: 2022-09-23 07:24",
            "Last updated: Sep 23, 2022",
            "**Generated:** 23.09.2022",
            "Last modified: 12/31/2021",
            "Changed: 2021-12-31.",
            "Built on: 3 September 2026",
            "**All Implemented Interfaces:**",
            "Acme Widgets — tools for every workshop",
            "Note: this page is generated from the sources; edit those instead of it.",
            "See also: [install](https://x.test/install.html)\nand more",
            "[Home](https://x.test/): the start page",
        ] {
            assert!(!is_property_line(not_property), "{not_property}");
        }
        let (content, blocks) = page(
            "https://x.test/f.html",
            "<main><h1>updaterelname()</h1><p>Fixes the names of replicated tables.</p>\
             <p><b>Language:</b> PLPGSQL</p></main>",
        );
        let template = fingerprints_of(&content, &blocks, &["**Language:** PLPGSQL"]);
        assert!(!template.is_empty(), "{content}");
        assert_eq!(strip(&content, &blocks, None, &template), None, "{content}");
    }

    #[test]
    fn a_caption_goes_with_what_it_captions_and_stays_with_it() {
        for caption in ["**Example:**", "**See also:**"] {
            assert!(is_caption(caption), "{caption}");
        }
        for not_caption in [
            "**Expand description**",
            "**Language:** PLPGSQL",
            "**See [the guide](https://x.test/g.html)**",
            "Example:",
            "**A bold sentence that runs on for far too long to be the label of anything.**",
        ] {
            assert!(!is_caption(not_caption), "{not_caption}");
        }
        let (content, blocks) = page(
            "https://x.test/f.html",
            "<main><h1>encode()</h1><p>Turns bytes into text a mail can carry.</p>\
             <p><strong>Example:</strong></p><pre>encode(\"abc\")</pre>\
             <p><b>Shared by all pages:</b></p><p>Every page of the reference ends with this line.</p></main>",
        );
        let template = fingerprints_of(
            &content,
            &blocks,
            &[
                "**Example:**",
                "**Shared by all pages:**",
                "Every page of the reference ends with this line.",
            ],
        );
        assert_eq!(template.len(), 3, "{content}");
        let stripped = strip(&content, &blocks, None, &template).expect("cuts");
        // The listing it captions stays (code is never template): so does the caption.
        assert!(stripped.contains("**Example:**\n\n```"), "{stripped}");
        // The line it captions is template: the caption goes with it.
        assert!(!stripped.contains("Shared by all pages"), "{stripped}");
        assert!(
            !stripped.contains("Every page of the reference"),
            "{stripped}"
        );
    }

    #[test]
    fn a_sentence_shared_between_a_pages_own_paragraphs_is_the_pages() {
        let shared = "This extension does not accept any special configuration options.";
        let (content, blocks) = page(
            "https://x.test/extensions/nl2br.html",
            &format!(
                "<main><h1>New-Line-to-Break</h1>\
                 <p><a href=\"/extensions/\">extensions</a> | <a href=\"nl2br.html\">nl2br</a></p>\
                 <p><a href=\"/syntax.html\">Syntax</a> · <a href=\"/cli.html\">Command line</a></p>\
                 <p>Treats newlines as hard breaks, as GitHub does.</p>\
                 <p><b>Expand description</b></p><p>Each newline of a paragraph becomes a break.</p>\
                 <h2>Usage</h2><p><a href=\"/src/nl2br.py\">Read the source of this extension</a></p>\
                 <p>Use nl2br as the name of the extension.</p><p>{shared}</p>\
                 <pre>markdown(text, extensions=['nl2br'])</pre><p>{shared}</p>\
                 <p>Edit this page on the project's repository.</p></main>"
            ),
        );
        let template = fingerprints_of(
            &content,
            &blocks,
            &[
                shared,
                "[Read the source of this extension](https://x.test/src/nl2br.py)",
                "Edit this page on the project's repository.",
                "[Syntax](https://x.test/syntax.html) · [Command line](https://x.test/cli.html)",
                "**Expand description**",
            ],
        );
        assert_eq!(template.len(), 5, "{content}");
        let stripped = strip(&content, &blocks, None, &template).expect("cuts");
        // Between two of the page's own paragraphs (or a listing), it is read in place.
        assert!(
            stripped.contains(&format!("the extension.\n\n{shared}\n\n```")),
            "{stripped}"
        );
        // Under a heading, beside a line of links (a breadcrumb) or at the page's end,
        // shared text is the site's; so is a label, wherever it is.
        assert!(!stripped.contains("Read the source"), "{stripped}");
        assert!(!stripped.contains("Expand description"), "{stripped}");
        assert!(!stripped.contains("Command line"), "{stripped}");
        assert!(!stripped.contains("Edit this page"), "{stripped}");
        assert_eq!(stripped.matches(shared).count(), 1, "{stripped}");
    }

    #[test]
    fn link_targets_do_not_count_as_words() {
        assert_eq!(
            without_link_targets(
                "see [the show method](http://h/method.show.html) and ![i](a.png) end"
            )
            .collect::<Vec<_>>(),
            ["see [the show method", " and ![i", " end"]
        );
        assert_eq!(
            without_link_targets("a ](b").collect::<Vec<_>>(),
            ["a ", "b"]
        );
    }

    /// A small page (a banner, a sentence of its own) that is mostly six blocks shared
    /// with other pages, and the cuts of the banner and of each shared block.
    fn small_page_of_shared_blocks() -> (String, Vec<Cut>) {
        let own = "Spinner shows a turning wheel while work happens elsewhere.";
        let shared: Vec<String> = (0..6)
            .map(|i| format!("Inherited method number{i} alpha{i} bravo{i} charlie{i} delta{i} echo{i} foxtrot{i}."))
            .collect();
        let content = format!(
            "Banner of the site words here\n\n{own}\n\n{}\n",
            shared.join("\n\n")
        );
        let mut cuts = vec![(0, "Banner of the site words here".len())];
        let mut from = 0;
        for block in &shared {
            let start = content[from..].find(block.as_str()).expect("block") + from;
            cuts.push((start, start + block.len()));
            from = start + block.len();
        }
        (content, cuts)
    }

    fn distinct_words(text: &str) -> usize {
        let mut words = HashSet::new();
        for_each_word(text, &mut String::new(), |word| {
            words.insert(word.to_string());
        });
        words.len()
    }

    #[test]
    fn half_is_of_what_a_reader_sees_when_the_markdown_holds_that_much() {
        let (content, cuts) = small_page_of_shared_blocks();
        let render = |cuts: &[Cut], _: &Spared| outside(&content, cuts).concat();
        let own = distinct_words(&content);
        let by_markdown = cuts_kept(&content, cuts.clone(), None);
        // The reader saw a third more words (chrome the extraction left out): half of
        // those needs more of the shared blocks kept than half of the Markdown's words.
        let seen = own * 4 / 3;
        assert!(distinct_words(&render(&by_markdown, &Spared::new())) * 2 < seen);
        let by_reader = cuts_kept(&content, cuts.clone(), Some(seen));
        assert!(by_reader.len() < by_markdown.len(), "{by_reader:?}");
        assert!(distinct_words(&render(&by_reader, &Spared::new())) * 2 >= seen);
        assert!(by_reader.contains(&cuts[0]), "the short banner still goes");
        // A Markdown holding under half of what a reader sees cannot reach half: its own
        // words are the measure, as when the count is not known.
        assert_eq!(
            cuts_kept(&content, cuts.clone(), Some(own * 2 + 1)),
            by_markdown
        );
    }

    #[test]
    fn a_cut_that_would_leave_under_half_of_the_words_is_not_made() {
        let (content, cuts) = small_page_of_shared_blocks();
        let kept = cuts_kept(&content, cuts.clone(), None);
        assert!(kept.contains(&cuts[0]), "the short banner still goes");
        assert!(kept.len() < cuts.len() && kept.len() > 1, "{kept:?}");
        // On a page where the shared blocks are a small part, every cut is made.
        let long_own: String = (0..80).map(|i| format!("own{i}word ")).collect();
        let page = format!("{long_own}\n\n{content}");
        let shifted: Vec<(usize, usize)> = cuts
            .iter()
            .map(|&(a, b)| (a + long_own.len() + 2, b + long_own.len() + 2))
            .collect();
        assert_eq!(cuts_kept(&page, shifted.clone(), None), shifted);
    }

    /// A Markdown list of `n` items, the `i`th `item(i)`.
    fn list_of(n: usize, item: impl Fn(usize) -> String) -> String {
        (0..n).map(|i| format!("- {}\n", item(i))).collect()
    }

    #[test]
    fn a_menu_at_the_pages_edges_goes_whatever_share_of_the_page_it_is() {
        // A site's index of all its types beside every page: 40 links above a title and
        // a few sentences of the page's own.
        let menu = list_of(40, |i| {
            format!("[Type{i}Name](http://h.example/Type{i}.html)")
        });
        let own = "# module Topic\n\nTopic explains alpha bravo charlie delta echo.\n";
        let content = format!("{menu}\n{own}");
        let cut = (0, menu.trim_end().len());
        assert_eq!(cuts_kept(&content, vec![cut], None), vec![cut]);
        // Nested items are menus too.
        let nested = "- [Atomic](http://h.example/Atomic.html)\n  - [Flag](http://h.example/Atomic/Flag.html)\n";
        assert!(is_link_list(nested));

        // After the page's own text (a manual's contents closing every page), with only
        // other template after it, it goes too.
        let below = format!("{own}\n{menu}");
        let start = below.find("- [Type0").expect("list");
        let cut = (start, below.trim_end().len());
        assert_eq!(cuts_kept(&below, vec![cut], None), vec![cut]);
        let footer = "Copyright Example Corp, all rights reserved.\n";
        let closing = format!("{below}\n{footer}");
        let cuts = cuts_of(&closing, &[menu.trim_end(), footer.trim_end()]);
        assert!(cuts_kept(&closing, cuts.clone(), None).contains(&cuts[0]));

        // The same list between pieces of the page's text, items that say something, or a
        // page without a title: the guard still keeps half of the page's words.
        let between = format!("{below}\nMore of the topic: foxtrot golf hotel india.\n");
        assert!(cuts_kept(&between, vec![cut], None).is_empty());
        let prose = list_of(40, |i| format!("Widget{i} tools for workshop{i} benches"));
        assert!(!is_link_list(&prose));
        let content = format!("{prose}\n{own}");
        assert!(cuts_kept(&content, vec![(0, prose.trim_end().len())], None).is_empty());
        let untitled = format!("{menu}\nTopic explains alpha bravo charlie delta echo.\n");
        assert!(cuts_kept(&untitled, vec![(0, menu.trim_end().len())], None).is_empty());
    }

    #[test]
    fn a_menu_is_a_list_of_links_and_nothing_else() {
        assert!(is_link_list("- [Home](/)\n- [Guide](/guide.html)"));
        assert!(is_link_list("1. [One](/1.html)\n2. [Two](/2.html)"));
        assert!(is_link_list("* [![logo](/logo.png)](/)"));
        assert!(is_link_list(
            "- **[Home](/)**\n  - *[Install](/install.html)*"
        ));
        // The entry of the page it is on, its sections written as their labels.
        assert!(is_link_list(
            "- [Pitches](/p.html)\n  - Note heads\n  - [Rhythms](/r.html)\n- [Ties](/t.html)"
        ));
        for not_a_menu in [
            "- Linux\n- macOS",
            "- [Pitches](/p.html)\n- Note heads\n- Shape note heads",
            "- [Pitches](/p.html)\n- [Ties](/t.html)\n- [Rests](/r.html)\n- A label that goes on for many more words than an entry",
            "",
            "[Home](/) | [Guide](/guide.html)",
            "- [Home](/) and more\n- [Guide](/guide.html)",
            "- [Home](/)\nA sentence under the list.",
            "- **Bold** term",
        ] {
            assert!(!is_link_list(not_a_menu), "{not_a_menu:?}");
        }
    }

    #[test]
    fn blocks_taking_fewest_words_go_first_whatever_their_length() {
        // A logo link: one word for a reader, a long line of link targets.
        let logo = "[![logo](http://h.example/static/themes/1.63.0/rust-logo.svg)]\
                    (http://h.example/a_crate_with_a_long_name/index.html)";
        let own = "Owned alpha bravo charlie delta echo foxtrot golf.";
        let shared: Vec<String> = (0..6)
            .map(|i| format!("Kilo{i} lima{i} mike{i} november{i}."))
            .collect();
        let content = format!("{logo}\n\n{own}\n\n{}\n", shared.join("\n\n"));
        let mut cuts = vec![(0, logo.len())];
        let mut from = 0;
        for block in &shared {
            let start = content[from..].find(block.as_str()).expect("block") + from;
            cuts.push((start, start + block.len()));
            from = start + block.len();
        }
        let kept = cuts_kept(&content, cuts.clone(), None);
        // 33 words: the logo takes one, each shared block four; at most 16 may go.
        assert!(kept.contains(&cuts[0]), "the logo goes: {kept:?}");
        assert_eq!(kept.len(), 4, "{kept:?}");
    }

    /// The cuts the guard makes on `content`, read as it reads a page: without the cut
    /// ranges, section by section.
    fn cuts_kept(content: &str, cuts: Vec<Cut>, visible_words: Option<usize>) -> Vec<Cut> {
        let render = |cuts: &[Cut], _: &Spared| outside(content, cuts).concat();
        keeping_half_the_words(
            content,
            &section_starts(content),
            cuts,
            visible_words,
            &render,
        )
        .0
    }

    /// The cuts of `blocks` in `content`, found in order.
    fn cuts_of(content: &str, blocks: &[&str]) -> Vec<Cut> {
        let mut from = 0;
        blocks
            .iter()
            .map(|block| {
                let start = content[from..].find(block).expect("block") + from;
                from = start + block.len();
                (start, from)
            })
            .collect()
    }

    #[test]
    fn below_the_title_a_section_loses_all_of_its_template_or_none() {
        let logo = "[![logo](http://h.example/logo.svg)](http://h.example/index.html)";
        let small: Vec<String> = (0..2)
            .map(|i| format!("Small{i} shared sentence words{i}."))
            .collect();
        let large: Vec<String> = (0..6)
            .map(|i| format!("Kilo{i} lima{i} mike{i} november{i} oscar{i}."))
            .collect();
        let content = format!(
            "{logo}\n\n# Struct Thing\n\nThing owns alpha bravo charlie delta echo foxtrot.\n\n\
             ## Implementations\n\n### impl Clone for Thing\n\n{}\n\n\
             ## Blanket Implementations\n\n### impl Any for T\n\n{}\n",
            small.join("\n\n"),
            large.join("\n\n")
        );
        let mut blocks = vec![logo];
        blocks.extend(small.iter().map(String::as_str));
        blocks.extend(large.iter().map(String::as_str));
        let cuts = cuts_of(&content, &blocks);
        let kept = cuts_kept(&content, cuts.clone(), None);
        // Cutting all would leave under half; a block at a time would also cut three of
        // the large section's six. Instead the logo and the small section go whole and
        // the large section stays whole.
        assert!(kept.contains(&cuts[0]), "the logo goes: {kept:?}");
        assert!(
            kept.contains(&cuts[1]) && kept.contains(&cuts[2]),
            "{kept:?}"
        );
        assert_eq!(kept.len(), 3, "{kept:?}");
        assert_eq!(section_starts(&content).1.len(), 2);
        // A heading inside a code block is not a section.
        let (title, starts) = section_starts("# T\n\n```sh\n## not a heading\n```\n\n## S\n");
        assert_eq!((title, starts.len()), (0, 1));
        assert_eq!(section_starts("no heading\n").0, "no heading\n".len());
    }

    #[test]
    fn a_section_that_cannot_lose_its_template_may_lose_every_description_under_it() {
        let own = "Thing owns alpha bravo charlie delta echo foxtrot golf hotel.";
        let docs: Vec<String> = (0..4)
            .map(|i| format!("Doc{i} kilo{i} lima{i} mike{i}."))
            .collect();
        let list: String = docs
            .iter()
            .enumerate()
            .map(|(i, doc)| format!("### impl Head{i}word for T\n\n{doc}\n\n"))
            .collect();
        let content = format!("# Struct Thing\n\n{own}\n\n## Blanket\n\n{list}");
        // The list is one template block (its headings with it), each description another.
        let start = content.find("### impl Head0word").expect("list");
        let mut cuts = vec![(start, start + list.trim_end().len())];
        cuts.extend(cuts_of(
            &content,
            &docs.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
        let render = |cuts: &[Cut], _: &Spared| outside(&content, cuts).concat();
        let kept = cuts_kept(&content, cuts.clone(), None);
        // Without the list's headings the page would be under half; without every
        // description it is not: the descriptions go, the headings stay.
        assert!(!kept.contains(&cuts[0]), "{kept:?}");
        let page = render(&kept, &Spared::new());
        for (i, doc) in docs.iter().enumerate() {
            assert!(
                page.contains(&format!("### impl Head{i}word for T")),
                "{page}"
            );
            assert!(!page.contains(doc.as_str()), "{page}");
        }
    }

    /// A small struct's page as rustdoc 1.63 writes it: each implementation a block of a
    /// `source` link and the implementation's heading, then its one-line docs; all of them
    /// on every struct's page, so template. `doc_words` words in each doc.
    fn struct_page(doc_words: usize) -> (String, Vec<Block>) {
        let own = "# Struct Thing\n\n[source](http://h/src/thing.rs)\n\nThing owns alpha bravo \
                   charlie delta echo foxtrot golf hotel india juliet kilo lima mike.\n\n## Blanket\n";
        let mut content = own.to_string();
        let mut blocks = Vec::new();
        let block = |content: &str, start: usize, heading: bool, fingerprint: u64| Block {
            fingerprint,
            start: start as u32,
            end: content.len() as u32,
            heading,
            dropped: false,
            outside_sections: false,
        };
        for i in 0..4u64 {
            let start = content.len();
            content.push_str(&format!("\n[source](http://h/src/core/mod{i}.rs)\n"));
            let heading = content.len();
            content.push_str(&format!("\n### impl Trait{i}name for T\n"));
            blocks.push(block(&content, heading, true, 100 + i));
            blocks.push(block(&content, start, false, 200 + i));
            let doc = content.len();
            let words: Vec<String> = (0..doc_words).map(|w| format!("word{i}x{w}")).collect();
            content.push_str(&format!("\n{}.\n", words.join(" ")));
            blocks.push(block(&content, doc, false, 300 + i));
        }
        (content, blocks)
    }

    /// Every block of `content` is template.
    fn all_template(blocks: &[Block]) -> HashSet<u64> {
        blocks.iter().map(|b| b.fingerprint).collect()
    }

    /// `cleaned` keeps every implementation's heading, the docs under them or not as
    /// `docs_kept` says, and none of the `source` links beside them.
    fn assert_outline(cleaned: &str, docs_kept: bool) {
        for i in 0..4 {
            assert!(
                cleaned.contains(&format!("### impl Trait{i}name for T")),
                "{cleaned}"
            );
            assert_eq!(
                cleaned.contains(&format!("word{i}x0")),
                docs_kept,
                "{cleaned}"
            );
            assert!(!cleaned.contains(&format!("mod{i}.rs")), "{cleaned}");
        }
    }

    #[test]
    fn a_section_keeping_its_headings_keeps_them_without_their_source_links() {
        let (content, blocks) = struct_page(5);
        let cleaned = strip(&content, &blocks, None, &all_template(&blocks)).expect("cleaned");
        // Cutting every implementation would leave the page under half of its words;
        // cutting the docs under them does not: the headings stay, though nothing is
        // left under them, and so do not the `source` links beside them.
        assert_outline(&cleaned, false);
        assert!(
            cleaned.contains("[source](http://h/src/thing.rs)"),
            "{cleaned}"
        );
    }

    #[test]
    fn a_section_keeping_its_shared_docs_still_loses_the_lines_that_take_no_word() {
        let (content, blocks) = struct_page(12);
        let template = all_template(&blocks);
        let cleaned = strip(&content, &blocks, None, &template).expect("cleaned");
        // Even without the docs the page would be under half: the section keeps them, but
        // not the `source` links, whose one word the page says anyway.
        assert_outline(&cleaned, true);
        // A link whose word the page has nowhere else stays.
        let content = content.replace("[source](http://h/src/thing.rs)", "(own file)");
        let shift = "[source](http://h/src/thing.rs)".len() - "(own file)".len();
        let blocks: Vec<Block> = blocks
            .iter()
            .map(|b| Block {
                start: b.start - shift as u32,
                end: b.end - shift as u32,
                ..*b
            })
            .collect();
        // (Nothing else could go: the page stays as it was saved.)
        assert_eq!(strip(&content, &blocks, None, &template), None);
    }

    #[test]
    fn links_are_told_from_the_text_around_them() {
        assert_eq!(
            split_links("const: [unstable](https://x/i/1) · [source](https://x/s.rs#1)"),
            (2, "const:   ·  ".to_string())
        );
        assert_eq!(
            split_links("[![logo](http://h/l.svg)](http://h/i.html) é [a] (b)"),
            (1, "  é [a] (b)".to_string())
        );
        assert_eq!(
            split_links("**`--verbose`**"),
            (0, "**`--verbose`**".to_string())
        );
        assert_eq!(split_links("[open](x"), (0, "[open](x".to_string()));
    }

    #[test]
    fn blocks_round_trip_through_their_encoding() {
        let blocks = vec![
            Block {
                fingerprint: u64::MAX - 7,
                start: 3,
                end: 90,
                heading: true,
                dropped: false,
                outside_sections: false,
            },
            Block {
                fingerprint: 42,
                start: 100,
                end: 4000,
                heading: false,
                dropped: true,
                outside_sections: false,
            },
            Block {
                fingerprint: 43,
                start: 100,
                end: 4000,
                heading: false,
                dropped: false,
                outside_sections: true,
            },
        ];
        let blob = encode(&blocks, 321);
        assert_eq!(decode(&blob), blocks);
        assert_eq!(decode_visible_words(&blob), Some(321));
        assert!(decode(&[1, 2, 3]).is_empty());
        // A page remembered before the count was kept: whole entries only.
        let old = &blob[..blob.len() - COUNT_BYTES];
        assert_eq!(decode(old), blocks);
        assert_eq!(decode_visible_words(old), None);
    }

    /// The fingerprints of blocks on at least `pages_needed` of `pages`: the template
    /// `learn` would find on them.
    fn fingerprints_on_at_least(
        pages: &[(String, Vec<Block>)],
        pages_needed: usize,
    ) -> HashSet<u64> {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for (_, blocks) in pages {
            for fingerprint in blocks.iter().map(|b| b.fingerprint).collect::<HashSet<_>>() {
                *counts.entry(fingerprint).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .filter(|(_, count)| *count >= pages_needed)
            .map(|(fingerprint, _)| fingerprint)
            .collect()
    }

    #[test]
    fn recurring_blocks_go_and_the_same_text_elsewhere_in_the_layout_stays() {
        let pages: Vec<_> = (0..4)
            .map(|n| {
                page(
                    &format!("https://a.example/p{n}.html"),
                    &format!("{BANNER}{}", article(n)),
                )
            })
            .collect();
        let template = fingerprints_on_at_least(&pages, 3);
        let (markdown, blocks) = &pages[2];
        assert!(markdown.contains("Table of contents"), "{markdown}");
        let cleaned = strip(markdown, blocks, None, &template).expect("the banner is removed");
        assert!(!cleaned.contains("Table of contents"), "{cleaned}");
        assert!(
            cleaned.starts_with("# Topic 2\n\nTopic 2 explains"),
            "{cleaned}"
        );
        assert!(
            cleaned.contains("## Options\n\nOption text for topic 2"),
            "{cleaned}"
        );
        // The tagline also appears inside each article's note, under the article's own id
        // (the slug of its title): another place in the layout, so it stays. Outside that
        // section it is in the same place on every page, but not where it closes the page.
        assert_eq!(
            cleaned.matches("tools for every workshop").count(),
            1,
            "{cleaned}"
        );
    }

    #[test]
    fn text_closing_every_pages_last_section_goes_by_its_place_outside_the_sections() {
        // Each page's sections are named after their titles, and the last one, at its own
        // depth, ends with the note every page ends with.
        let note =
            "<div class=\"note\"><p>Acme Widgets, tools for every workshop since 1901.</p></div>";
        let pages: Vec<_> = (0..4)
            .map(|n| {
                let depth = n % 3 + 1;
                let mut body = format!(
                    "<main><section id=\"topic-{n}\"><h1>Topic {n}</h1>\
                     <p>Topic {n} explains the widget number {n} in depth.</p>"
                );
                for level in 2..=depth + 1 {
                    body.push_str(&format!(
                        "<section id=\"part-{level}\"><h{level}>Part {level}</h{level}>\
                         <p>Part {level} of topic {n} differs on every page.</p>"
                    ));
                }
                body.push_str(note);
                body.push_str(&"</section>".repeat(depth + 1));
                page(
                    &format!("https://a.example/p{n}.html"),
                    &format!("{body}</main>"),
                )
            })
            .collect();
        let template = fingerprints_on_at_least(&pages, 3);
        for (markdown, blocks) in &pages {
            assert!(markdown.contains("since 1901"), "{markdown}");
            let cleaned = strip(markdown, blocks, None, &template).expect("the note goes");
            assert!(!cleaned.contains("since 1901"), "{cleaned}");
            assert!(cleaned.contains("differs on every page."), "{cleaned}");
        }
        // Where the page has no text of its own before it, it stays.
        let (markdown, blocks) = page(
            "https://a.example/empty.html",
            &format!("<main><section id=\"empty\"><h1>Empty</h1>{note}</section></main>"),
        );
        assert!(blocks
            .iter()
            .any(|b| b.outside_sections && template.contains(&b.fingerprint)));
        assert_eq!(strip(&markdown, &blocks, None, &template), None);
        // Nor where it describes the term right above it.
        let (markdown, blocks) = page(
            "https://a.example/term.html",
            &format!(
                "<main><section id=\"term\"><h1>Term</h1><p>The term page has text of its own.</p>\
                 <p><strong>--workshop</strong></p>{note}</section></main>"
            ),
        );
        assert!(blocks
            .iter()
            .any(|b| b.outside_sections && template.contains(&b.fingerprint)));
        assert_eq!(strip(&markdown, &blocks, None, &template), None);
    }

    #[test]
    fn a_recurring_heading_goes_only_with_everything_under_it() {
        let recurring: HashSet<&str> = ["## Blanket", "## OPTIONS"].into_iter().collect();
        let markdown =
            "# Page\n\nText\n\n## OPTIONS\n\n-x\n\n## Blanket\n\n## Next\n\nMore\n\n## Blanket\n";
        assert_eq!(
            drop_emptied_headings(markdown, &recurring),
            "# Page\n\nText\n\n## OPTIONS\n\n-x\n\n## Next\n\nMore"
        );
        let fenced = "## Blanket\n\n```\n## not a heading\n```\n";
        assert_eq!(drop_emptied_headings(fenced, &recurring), fenced.trim_end());
        // A recurring section whose sub-sections all went goes too; one that keeps a
        // sub-section of the page's own stays.
        let recurring: HashSet<&str> = ["## 1. Manual Pages", "### 1.1. Manual Pages"]
            .into_iter()
            .collect();
        let nested = "# ntpwait\n\n## 1. Manual Pages\n\n### 1.1. Manual Pages\n\n## 2. SYNOPSIS\n\nntpwait -v\n";
        assert_eq!(
            drop_emptied_headings(nested, &recurring),
            "# ntpwait\n\n## 2. SYNOPSIS\n\nntpwait -v"
        );
        let kept = "## 1. Manual Pages\n\n### 1.1. Manual Pages\n\n### 1.2. Local notes\n\nText\n";
        assert_eq!(
            drop_emptied_headings(kept, &recurring),
            "## 1. Manual Pages\n\n### 1.2. Local notes\n\nText"
        );
    }

    #[test]
    fn a_recurring_heading_that_had_nothing_under_it_stays() {
        // Doxygen: a group's heading straight above its members' headings of the same
        // level, on every class page, beside a banner that is cut.
        let body = format!(
            "{BANNER}<div class=\"contents\"><h1>Widget Class Reference</h1><p>A widget holds parts.</p>\
             <h2 class=\"groupheader\">Member Function Documentation</h2>\
             <h2 class=\"memtitle\">IsOk()</h2><p>Returns true if the widget is valid.</p>\
             <h2 class=\"groupheader\">Related Pages</h2><p>See the overview of widgets.</p></div>"
        );
        let (markdown, blocks) = page("https://a.example/w.html", &body);
        let template = fingerprints_of(
            &markdown,
            &blocks,
            &[
                "Acme Widgets — tools for every workshop",
                "## Member Function Documentation",
                "## Related Pages",
            ],
        );
        assert_eq!(template.len(), 3, "{markdown}");
        let cleaned = strip(&markdown, &blocks, None, &template).expect("the banner goes");
        assert!(!cleaned.contains("Acme Widgets"), "{cleaned}");
        assert!(
            cleaned.contains("## Member Function Documentation\n\n## IsOk()\n\nReturns true"),
            "{cleaned}"
        );
        // The same heading in a table row of its own (each wrapper a block with its text)
        // stays over the members under it.
        let body = format!(
            "{BANNER}<h1>Widget Class Reference</h1><table class=\"memberdecls\">\
             <tr class=\"heading\"><td colspan=\"2\"><h2 class=\"groupheader\">Public Member Functions</h2></td></tr>\
             <tr><td>bool</td><td>IsOk () const</td></tr></table>"
        );
        let (table_markdown, table_blocks) = page("https://a.example/t.html", &body);
        let wrapped = fingerprints_of(
            &table_markdown,
            &table_blocks,
            &[
                "Acme Widgets — tools for every workshop",
                "## Public Member Functions",
            ],
        );
        assert!(wrapped.len() > 2, "{table_markdown}");
        let cleaned = strip(&table_markdown, &table_blocks, None, &wrapped).expect("cuts");
        assert!(
            cleaned.contains("## Public Member Functions\n\n") && cleaned.contains("IsOk ()"),
            "{cleaned}"
        );
        // A site's title set as a heading above every page's own (mdBook's menu bar) is
        // its masthead: it goes, in its wrapper or not.
        let body = "<div class=\"menu-bar\"><h1 class=\"menu-title\">The Acme Book</h1></div>\
            <main><h1>Installing widgets</h1><p>Run the installer and follow its steps.</p></main>";
        let (book_markdown, book_blocks) = page("https://a.example/b.html", body);
        let masthead = fingerprints_of(&book_markdown, &book_blocks, &["# The Acme Book"]);
        assert!(!masthead.is_empty(), "{book_markdown}");
        let cleaned = strip(&book_markdown, &book_blocks, None, &masthead).expect("cuts");
        assert!(cleaned.starts_with("# Installing widgets"), "{cleaned}");
        let bare = "<h1 class=\"site\">The Acme Book</h1><h1>Installing widgets</h1>\
            <p>Run the installer and follow its steps.</p><p>Then restart.</p>";
        let (bare_markdown, bare_blocks) = page("https://a.example/c.html", bare);
        let masthead = fingerprints_of(
            &bare_markdown,
            &bare_blocks,
            &["# The Acme Book", "Then restart."],
        );
        let cleaned = strip(&bare_markdown, &bare_blocks, None, &masthead).expect("cuts");
        assert!(cleaned.starts_with("# Installing widgets"), "{cleaned}");
        // A recurring heading whose text is all template still goes with it.
        let shared = fingerprints_of(&markdown, &blocks, &["See the overview of widgets."]);
        let template: HashSet<u64> = template.union(&shared).copied().collect();
        let cleaned = strip(&markdown, &blocks, None, &template).expect("cuts");
        assert!(!cleaned.contains("Related Pages"), "{cleaned}");
    }

    #[test]
    fn nothing_is_stripped_when_it_would_leave_nothing_or_nothing_matches() {
        let (markdown, blocks) = page("https://a.example/x.html", BANNER);
        let all: HashSet<u64> = blocks.iter().map(|b| b.fingerprint).collect();
        assert_eq!(strip(&markdown, &blocks, None, &all), None);
        assert_eq!(strip(&markdown, &blocks, None, &HashSet::new()), None);
    }

    #[test]
    fn rules_left_at_the_edges_or_doubled_go() {
        assert_eq!(
            drop_stray_rules("---\n\n## A\n\ntext\n\n---\n\n---\n\nmore\n\n---\n"),
            "## A\n\ntext\n\n---\n\nmore"
        );
        assert_eq!(drop_stray_rules("```\n---\n```"), "```\n---\n```");
    }

    #[test]
    fn thresholds_grow_with_the_job() {
        assert_eq!(threshold(3), 3);
        assert_eq!(threshold(20), 3);
        assert_eq!(threshold(100), 15);
        assert_eq!(threshold(1000), 150);
    }
}
