//! Finding pages without following links: the sitemaps a site declares (robots.txt
//! `Sitemap:` lines and `/sitemap.xml`, indexes and gzip included) and the links of its
//! `/llms.txt`. Discovery fetches do not use the page budget. What a document lists goes
//! to the caller's sink as it is read (documents are parsed on the blocking pool), so the
//! caller decides what to keep and nothing here grows with the size of a site.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::Reader;
use url::Url;

use super::decompress::{decompress, DecodeError};
use super::fetch::Fetcher;
use super::hosts::HostLimiter;
use super::robots::{RobotsCache, RobotsRules};

/// How deep sitemap indexes may nest.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Sitemap documents fetched per origin at most.
const MAX_SITEMAP_FILES: usize = 50;
/// Entries read from one sitemap document at most: the sitemap protocol's own limit.
const MAX_SITEMAP_ENTRIES: usize = 50_000;
/// Page URLs read from one origin's sitemaps and llms.txt at most. The caller keeps only
/// the best of them; this bounds the time spent reading.
pub const MAX_DISCOVERED: usize = 250_000;

/// Receives the page URLs of each discovery document, on the blocking pool.
pub type Sink = Arc<dyn Fn(Vec<String>) + Send + Sync>;

/// What a sitemap document lists.
#[derive(Debug, Default, PartialEq)]
pub struct SitemapEntries {
    pub pages: Vec<String>,
    pub sitemaps: Vec<String>,
}

/// Reads `<urlset><url><loc>` and `<sitemapindex><sitemap><loc>`; anything unparsable ends
/// the read with what was found so far.
pub fn parse_sitemap(xml: &[u8]) -> SitemapEntries {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut entries = SitemapEntries::default();
    let mut in_sitemap = false;
    // A <loc> arrives as text, entity references and CDATA pieces; they are joined here.
    let mut loc: Option<String> = None;
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(tag)) => match tag.local_name().into_inner() {
                "sitemap" => in_sitemap = true,
                "loc" => loc = Some(String::new()),
                _ => {}
            },
            Ok(Event::End(tag)) => match tag.local_name().into_inner() {
                "sitemap" => in_sitemap = false,
                "loc" => push_loc(&mut entries, in_sitemap, loc.take().unwrap_or_default()),
                _ => {}
            },
            Ok(Event::Text(text)) => {
                if let Some(loc) = loc.as_mut() {
                    loc.push_str(&text.xml10_content());
                }
            }
            Ok(Event::CData(text)) => {
                if let Some(loc) = loc.as_mut() {
                    loc.push_str(&text.into_inner());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Some(loc) = loc.as_mut() {
                    match reference.resolve_char_ref() {
                        Ok(Some(ch)) => loc.push(ch),
                        _ => loc.push_str(match reference.borrow().into_inner().as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        }),
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buffer.clear();
        if entries.pages.len() + entries.sitemaps.len() >= MAX_SITEMAP_ENTRIES {
            break;
        }
    }
    entries
}

fn push_loc(entries: &mut SitemapEntries, in_sitemap: bool, loc: String) {
    let loc = loc.trim().to_string();
    if loc.is_empty() {
        return;
    }
    if in_sitemap {
        entries.sitemaps.push(loc);
    } else {
        entries.pages.push(loc);
    }
}

/// Absolute http(s) targets of the Markdown links in an llms.txt file.
pub fn parse_llms_txt(text: &str, base: &Url) -> Vec<Url> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("](") {
        let after = &rest[open + 2..];
        let Some(close) = after.find(')') else { break };
        let target = after[..close].split_whitespace().next().unwrap_or("");
        if let Ok(url) = base.join(target) {
            if matches!(url.scheme(), "http" | "https") {
                links.push(url);
            }
        }
        rest = &after[close..];
    }
    links
}

/// Sends every page URL the origin of `start` declares in its sitemaps and llms.txt to
/// `sink`, one document at a time.
pub async fn discover(
    fetcher: &Fetcher,
    hosts: &HostLimiter,
    robots: &RobotsCache,
    start: &Url,
    sink: &Sink,
) {
    let origin = start.origin().ascii_serialization();
    let rules = robots.rules_for(fetcher, hosts, start).await;
    let polite = Polite::new(fetcher, hosts, &rules);
    let mut queue: VecDeque<(String, usize)> =
        rules.sitemaps.iter().map(|s| (s.clone(), 0)).collect();
    queue.push_back((format!("{origin}/sitemap.xml"), 0));
    let mut fetched = HashSet::new();
    let mut listed = 0;
    while let Some((location, depth)) = queue.pop_front() {
        if fetched.len() >= MAX_SITEMAP_FILES || listed >= MAX_DISCOVERED {
            break;
        }
        let Ok(url) = Url::parse(&location) else {
            continue;
        };
        if !fetched.insert(url.to_string()) || !rules.allows(&url) {
            continue;
        }
        let Some(body) = fetch_document(&polite, &url).await else {
            continue;
        };
        let sink = sink.clone();
        let room = MAX_DISCOVERED - listed;
        let read = tokio::task::spawn_blocking(move || {
            let mut entries = parse_sitemap(&body);
            entries.pages.truncate(room);
            let count = entries.pages.len();
            sink(entries.pages);
            (count, entries.sitemaps)
        })
        .await;
        let Ok((count, sitemaps)) = read else {
            log::warn!("{url} could not be read for discovery");
            continue;
        };
        listed += count;
        if depth < MAX_SITEMAP_DEPTH {
            queue.extend(sitemaps.into_iter().map(|s| (s, depth + 1)));
        }
    }
    if let Ok(llms) = Url::parse(&format!("{origin}/llms.txt")) {
        if rules.allows(&llms) {
            if let Some(body) = fetch_document(&polite, &llms).await {
                let sink = sink.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    let links = parse_llms_txt(&String::from_utf8_lossy(&body), &llms);
                    sink(links.into_iter().map(String::from).collect());
                })
                .await;
            }
        }
    }
}

/// How discovery fetches: through the per-host limits, keeping robots.txt's Crawl-delay.
pub(super) struct Polite<'a> {
    fetcher: &'a Fetcher,
    hosts: &'a HostLimiter,
    delay: Option<std::time::Duration>,
}

impl<'a> Polite<'a> {
    /// Fetching under `rules`' Crawl-delay (capped as page fetches cap it).
    pub(super) fn new(fetcher: &'a Fetcher, hosts: &'a HostLimiter, rules: &RobotsRules) -> Self {
        Polite {
            fetcher,
            hosts,
            delay: rules
                .crawl_delay
                .map(|delay| delay.min(fetcher.config().max_polite_delay)),
        }
    }
}

/// A discovery document's bytes (a sitemap, llms.txt, a script), gunzipped (on the
/// blocking pool) when it is a `.gz` file, or `None` when missing.
pub(super) async fn fetch_document(polite: &Polite<'_>, url: &Url) -> Option<Vec<u8>> {
    let fetcher = polite.fetcher;
    let cap = fetcher.config().max_body_bytes;
    // A missing file is normal; one that exists but cannot be used is worth a warning.
    let unusable = |why: String| log::warn!("{url} is not used for discovery: {why}");
    let fetched = match fetcher.fetch(url, cap, polite.hosts, polite.delay).await {
        Ok(fetched) => fetched,
        Err(err) => {
            unusable(err.to_string());
            return None;
        }
    };
    if !(200..300).contains(&fetched.status) {
        return None;
    }
    if !fetched.body.starts_with(&[0x1f, 0x8b]) {
        return Some(fetched.body);
    }
    let body = fetched.body;
    let inflated = tokio::task::spawn_blocking(move || decompress("gzip", &body, cap)).await;
    match inflated {
        Ok(Ok(body)) => Some(body),
        Ok(Err(DecodeError::TooLarge)) => {
            unusable(format!("decompressed larger than {cap} bytes"));
            None
        }
        Ok(Err(_)) | Err(_) => {
            unusable("invalid gzip data".to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_urlsets_and_indexes() {
        let urlset = br#"<?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc> https://d.example/a </loc><lastmod>2026-01-01</lastmod></url>
              <url><loc><![CDATA[https://d.example/b?x=1&y=2]]></loc></url>
              <url><loc>https://d.example/c?x=1&amp;y=2</loc></url>
            </urlset>"#;
        let entries = parse_sitemap(urlset);
        assert_eq!(
            entries.pages,
            vec![
                "https://d.example/a",
                "https://d.example/b?x=1&y=2",
                "https://d.example/c?x=1&y=2"
            ]
        );
        let index = br#"<sitemapindex><sitemap><loc>https://d.example/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        let entries = parse_sitemap(index);
        assert_eq!(entries.sitemaps, vec!["https://d.example/s1.xml.gz"]);
        assert!(entries.pages.is_empty());
    }

    #[test]
    fn broken_xml_keeps_what_was_read() {
        let entries = parse_sitemap(
            b"<urlset><url><loc>https://d.example/a</loc></url><url><loc>https://d.ex",
        );
        assert_eq!(entries.pages, vec!["https://d.example/a"]);
        assert_eq!(
            parse_sitemap(b"\x00\xff not xml"),
            SitemapEntries::default()
        );
    }

    #[test]
    fn llms_txt_links_are_resolved() {
        let base = Url::parse("https://d.example/llms.txt").expect("url");
        let text = "# Acme\n\n- [API](/api/reference.md): the API\n- [Guide](https://d.example/guide \"title\")\n- [Mail](mailto:x@y)\n";
        let links: Vec<String> = parse_llms_txt(text, &base)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            links,
            vec![
                "https://d.example/api/reference.md",
                "https://d.example/guide"
            ]
        );
    }
}
