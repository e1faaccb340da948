//! Relevance ranking of the frontier: within the page budget, the most useful pages are
//! fetched first. A link's priority comes from its URL path and anchor text, read against
//! the application's name and API vocabulary; marketing, legal and other-language pages
//! sink. Depth costs a little, so breadth stays the tie-breaker, and a starter's direct
//! children never sink below a floor, so a large enough budget reaches all of them.

use std::fmt;
use url::Url;

use super::text::lower_case_words;
use super::versions::versioned_path;

/// Words that mark API and reference documentation (path segments or anchor words).
const API_WORDS: &[&str] = &[
    "api",
    "apis",
    "reference",
    "references",
    "endpoint",
    "endpoints",
    "resource",
    "resources",
    "schema",
    "schemas",
    "openapi",
    "swagger",
    "rest",
    "graphql",
    "scim",
    "oauth",
    "oauth2",
    "authentication",
    "auth",
    "authorization",
    "users",
    "user",
    "groups",
    "group",
    "roles",
    "role",
    "permissions",
    "accounts",
    "provisioning",
    "webhooks",
    "sdk",
    "objects",
    "attributes",
    "entitlements",
    "identity",
    "integration",
    "connector",
    "connectors",
];

/// Words that mark pages of no use to an engineer building an integration.
const OFF_TOPIC_WORDS: &[&str] = &[
    "blog",
    "news",
    "press",
    "pricing",
    "careers",
    "legal",
    "privacy",
    "terms",
    "tos",
    "cookies",
    "cookie-policy",
    "changelog",
    "release-notes",
    "releases",
    "marketing",
    "customers",
    "case-studies",
    "events",
    "webinars",
    "webinar",
    "community",
    "forum",
    "partners",
    "about",
    "about-us",
    "contact",
    "company",
    "newsroom",
    "awards",
    "trust",
    "security-advisories",
];

/// ISO 639-1 codes that documentation sites commonly use as a first path segment.
const LANGUAGE_CODES: &[&str] = &[
    "ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi", "hu", "id",
    "it", "ja", "ko", "lt", "lv", "nb", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv",
    "th", "tr", "uk", "vi", "zh",
];

const API_WORD_SCORE: i64 = 10;
const API_SCORE_CAP: i64 = 40;
const SPEC_FILE_SCORE: i64 = 40;
const APP_NAME_SCORE: i64 = 5;
const OFF_TOPIC_SCORE: i64 = -30;
const OTHER_LANGUAGE_SCORE: i64 = -50;
const DEPTH_COST: i64 = 3;
/// By version closeness (see `versions`): another version, a moving one, the requested one.
const VERSION_SCORES: [i64; 3] = [-15, 5, 15];
/// The lowest priority a starter's direct child can have.
const DIRECT_CHILD_FLOOR: i64 = -20;

pub struct Ranker {
    app_terms: Vec<String>,
    starter_language: Option<String>,
    application_version: String,
}

/// A priority and the reasons for it (for the debug log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub priority: i64,
    pub reasons: Vec<String>,
}

impl Ranker {
    pub fn new(application_name: &str, application_version: &str, starter: Option<&Url>) -> Self {
        let app_terms = lower_case_words(application_name)
            .filter(|w| w.len() >= 3)
            .collect();
        Ranker {
            app_terms,
            starter_language: starter.and_then(path_language),
            application_version: application_version.to_string(),
        }
    }

    /// Ranks a link found at `depth` with anchor `anchor`; `alternate_language` is set when
    /// the page declared the URL as another language's version of itself (hreflang).
    pub fn rank(&self, url: &Url, anchor: &str, depth: u32, alternate_language: bool) -> Ranked {
        let mut reasons = Vec::new();
        let priority = self.score(url, anchor, depth, alternate_language, |reason| {
            reasons.push(reason.to_string())
        });
        Ranked { priority, reasons }
    }

    /// The priority [`Ranker::rank`] gives, without writing down the reasons: the crawl
    /// ranks every link of every page, and the reasons are only read in the debug log.
    pub fn priority(&self, url: &Url, anchor: &str, depth: u32, alternate_language: bool) -> i64 {
        self.score(url, anchor, depth, alternate_language, |_| {})
    }

    fn score(
        &self,
        url: &Url,
        anchor: &str,
        depth: u32,
        alternate_language: bool,
        mut note: impl FnMut(fmt::Arguments<'_>),
    ) -> i64 {
        let mut priority = 0;
        let path = url.path().to_ascii_lowercase();
        let path_words: Vec<String> = lower_case_words(&path).collect();
        let anchor_words: Vec<String> = lower_case_words(anchor).collect();
        let segments: Vec<&str> = path.split('/').collect();

        let api_hits: Vec<&str> = API_WORDS
            .iter()
            .copied()
            .filter(|w| path_words.iter().chain(&anchor_words).any(|p| p == w))
            .collect();
        if !api_hits.is_empty() {
            let score = (API_WORD_SCORE * api_hits.len() as i64).min(API_SCORE_CAP);
            priority += score;
            note(format_args!("+{score} API words {}", api_hits.join(",")));
        }
        if is_spec_file(&path) {
            priority += SPEC_FILE_SCORE;
            note(format_args!("+{SPEC_FILE_SCORE} API spec file"));
        }
        if self
            .app_terms
            .iter()
            .any(|t| path_words.contains(t) || anchor_words.contains(t))
        {
            priority += APP_NAME_SCORE;
            note(format_args!("+{APP_NAME_SCORE} application name"));
        }
        let off_topic: Vec<&str> = OFF_TOPIC_WORDS
            .iter()
            .copied()
            .filter(|w| segments.contains(w) || anchor_words.iter().any(|a| a == w))
            .collect();
        if !off_topic.is_empty() {
            let score = OFF_TOPIC_SCORE * off_topic.len().min(2) as i64;
            priority += score;
            note(format_args!("{score} off-topic {}", off_topic.join(",")));
        }
        if alternate_language || self.is_other_language(url) {
            priority += OTHER_LANGUAGE_SCORE;
            note(format_args!("{OTHER_LANGUAGE_SCORE} other language"));
        }
        if let Some(version) = versioned_path(url, &self.application_version) {
            let score = VERSION_SCORES[usize::from(version.closeness.min(2))];
            priority += score;
            note(format_args!(
                "{score:+} version closeness {}",
                version.closeness
            ));
        }
        let depth_cost = DEPTH_COST * i64::from(depth);
        priority -= depth_cost;
        note(format_args!("-{depth_cost} depth {depth}"));
        if depth <= 1 && priority < DIRECT_CHILD_FLOOR {
            priority = DIRECT_CHILD_FLOOR;
            note(format_args!(
                "floor {DIRECT_CHILD_FLOOR} for a starter's direct child"
            ));
        }
        priority
    }

    fn is_other_language(&self, url: &Url) -> bool {
        match (path_language(url), &self.starter_language) {
            (None, _) => false,
            (Some(language), Some(starter)) => &language != starter,
            (Some(language), None) => language != "en",
        }
    }
}

/// The primary language of a `/xx/` or `/xx-yy/` first path segment.
fn path_language(url: &Url) -> Option<String> {
    let first = url.path_segments()?.next()?.to_ascii_lowercase();
    let (primary, region) = match first.split_once(['-', '_']) {
        Some((primary, region)) => (primary.to_string(), Some(region.to_string())),
        None => (first.clone(), None),
    };
    let region_ok = region
        .is_none_or(|r| (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphabetic()));
    (LANGUAGE_CODES.contains(&primary.as_str()) && region_ok).then_some(primary)
}

fn is_spec_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let is_structured = [".json", ".yaml", ".yml"]
        .iter()
        .any(|ext| file.ends_with(ext));
    is_structured
        && ["openapi", "swagger", "api"]
            .iter()
            .any(|w| file.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    /// Every test also holds the crawl's reason-less path to the explained one.
    fn rank(ranker: &Ranker, link: &str, anchor: &str, depth: u32) -> i64 {
        let explained = ranker.rank(&url(link), anchor, depth, false);
        assert!(!explained.reasons.is_empty(), "no reasons for {link}");
        assert_eq!(
            ranker.priority(&url(link), anchor, depth, false),
            explained.priority,
            "{link}: {:?}",
            explained.reasons
        );
        explained.priority
    }

    #[test]
    fn api_reference_outranks_marketing_and_blog() {
        let ranker = Ranker::new(
            "Acme Directory",
            "current",
            Some(&url("https://docs.acme.example/")),
        );
        let reference = rank(
            &ranker,
            "https://docs.acme.example/docs/api/reference/users",
            "Users API",
            2,
        );
        let guide = rank(
            &ranker,
            "https://docs.acme.example/docs/getting-started",
            "Getting started",
            1,
        );
        let blog = rank(
            &ranker,
            "https://docs.acme.example/blog/2026/launch",
            "Launch week",
            1,
        );
        let pricing = rank(&ranker, "https://docs.acme.example/pricing", "Pricing", 1);
        assert!(reference > guide, "{reference} vs {guide}");
        assert!(guide > blog && guide > pricing);
        assert!(rank(&ranker, "https://docs.acme.example/openapi.yaml", "", 1) > guide);
    }

    #[test]
    fn other_languages_sink_unless_the_starter_is_in_that_language() {
        let english = Ranker::new("Acme", "current", Some(&url("https://d.example/en/docs/")));
        let german_page = rank(&english, "https://d.example/de/docs/api", "API", 2);
        let english_page = rank(&english, "https://d.example/en/docs/api", "API", 2);
        assert!(english_page > german_page);
        let german = Ranker::new("Acme", "current", Some(&url("https://d.example/de/docs/")));
        assert!(
            rank(&german, "https://d.example/de/docs/api", "API", 2)
                > rank(&german, "https://d.example/fr/docs/api", "API", 2)
        );
        // Paths that only look like language codes are not penalised.
        let none = Ranker::new("Acme", "current", Some(&url("https://d.example/")));
        assert_eq!(
            rank(&none, "https://d.example/id-tokens/", "", 1),
            rank(&none, "https://d.example/x-tokens/", "", 1)
        );
        assert!(
            english
                .rank(&url("https://d.example/en/x"), "", 1, true)
                .priority
                < rank(&english, "https://d.example/en/x", "", 1)
        );
    }

    #[test]
    fn the_requested_version_comes_first() {
        let ranker = Ranker::new("Acme", "2.0", Some(&url("https://d.example/docs/")));
        let v2 = rank(&ranker, "https://d.example/docs/v2.0/users", "", 2);
        let v1 = rank(&ranker, "https://d.example/docs/v1.0/users", "", 2);
        let latest = rank(&ranker, "https://d.example/docs/latest/users", "", 2);
        assert!(v2 > v1 && v2 > latest, "{v2} {v1} {latest}");
        let current = Ranker::new("Acme", "current", Some(&url("https://d.example/docs/")));
        assert!(
            rank(&current, "https://d.example/docs/latest/users", "", 2)
                > rank(&current, "https://d.example/docs/v1.0/users", "", 2)
        );
    }

    #[test]
    fn direct_children_have_a_floor_and_depth_breaks_ties() {
        let ranker = Ranker::new("Acme", "current", None);
        assert_eq!(
            rank(&ranker, "https://d.example/blog/news/legal", "", 1),
            DIRECT_CHILD_FLOOR
        );
        assert!(rank(&ranker, "https://d.example/blog/news/legal", "", 2) < DIRECT_CHILD_FLOOR);
        assert!(
            rank(&ranker, "https://d.example/a", "", 1)
                > rank(&ranker, "https://d.example/a/b", "", 2)
        );
    }
}
