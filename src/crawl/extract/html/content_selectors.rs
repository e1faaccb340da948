//! The content selectors and the index that finds all of their candidates in one pass
//! over a page.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::crawl::tokens::Fnv;

use super::*;

/// Generator-specific containers first, generic ones last.
pub(super) const CONTENT_SELECTORS: &[&str] = &[
    ".theme-doc-markdown",
    ".md-content__inner",
    ".md-content",
    "div.body",
    "div[role=main]",
    ".rst-content .document",
    "main",
    ".contentContainer",
    ".content-container",
    "div.book, div.chapter, div.section, div.sect1, div.refentry",
    "[data-testid='page.contentEditor']",
    ".markdown-body",
    ".rm-Article",
    "[role=main]",
    "article",
    "#content",
    ".content",
    ".documentation",
];

/// The content selectors, each with what an element needs to match it (see
/// [`MatchKey`]).
pub(super) static CONTENT_SELECTOR_LIST: LazyLock<Vec<(Selector, Vec<MatchKey>)>> =
    LazyLock::new(|| {
        CONTENT_SELECTORS
            .iter()
            .filter_map(|css| static_selector(css).map(|selector| (selector, match_keys(css))))
            .collect()
    });

/// Which content selectors each [`MatchKey`] may let match, as bit sets.
static CONTENT_KEY_INDEX: LazyLock<KeyIndex> =
    LazyLock::new(|| KeyIndex::of(&CONTENT_SELECTOR_LIST));

/// Candidates a content selector offers: a few suffice and bound the work.
const MAX_CANDIDATES: usize = 8;

/// The first [`MAX_CANDIDATES`] matches of every content selector, in the order
/// `Html::select` yields them, found in one pass over the document instead of one pass
/// per selector: an element's tag, id, classes and attribute names are looked up once
/// ([`KeyIndex`]) and it is matched only against the selectors they may satisfy, which
/// rules out nearly every element.
pub(super) fn content_candidates(doc: &Html) -> Vec<Vec<ElementRef<'_>>> {
    let list = &*CONTENT_SELECTOR_LIST;
    let index = &*CONTENT_KEY_INDEX;
    let mut found: Vec<Vec<ElementRef>> = vec![Vec::new(); list.len()];
    // `Html::select`'s order and elements: every element node with a parent.
    for el in doc.tree.nodes().filter_map(ElementRef::wrap) {
        if el.parent().is_none() {
            continue;
        }
        let mut may = index.may_match(el);
        while may != 0 {
            let at = may.trailing_zeros() as usize;
            may &= may - 1;
            let (Some((selector, _)), Some(matches)) = (list.get(at), found.get_mut(at)) else {
                continue;
            };
            if matches.len() < MAX_CANDIDATES && selector.matches(&el) {
                matches.push(el);
            }
        }
    }
    found
}

/// Something an element must have to match one alternative of a selector, read from the
/// alternative's last compound: a class, an id, an attribute or a tag name. Compared
/// without regard to ASCII case, which only widens what may match; `Any` when the
/// compound says nothing of these (the selector then decides alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MatchKey {
    Class(String),
    Id(String),
    Attribute(String),
    Tag(String),
    Any,
}

/// One [`MatchKey`] per alternative of `css` (split at its commas).
pub(super) fn match_keys(css: &str) -> Vec<MatchKey> {
    css.split(',').map(match_key).collect()
}

fn match_key(alternative: &str) -> MatchKey {
    let Some(compound) = alternative.split_ascii_whitespace().next_back() else {
        return MatchKey::Any;
    };
    // Only plain compounds: a tag, then classes, ids and attribute tests.
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.#[]='\"".contains(c);
    if !compound.chars().all(plain) {
        return MatchKey::Any;
    }
    let name_end = |rest: &str| {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len())
    };
    let tag = &compound[..name_end(compound)];
    let rest = &compound[tag.len()..];
    let after = rest.get(1..).unwrap_or_default();
    let name = after[..name_end(after)].to_ascii_lowercase();
    let key = match rest.chars().next() {
        Some('.') => MatchKey::Class(name),
        Some('#') => MatchKey::Id(name),
        Some('[') => MatchKey::Attribute(name),
        _ => MatchKey::Tag(tag.to_ascii_lowercase()),
    };
    match &key {
        MatchKey::Class(name)
        | MatchKey::Id(name)
        | MatchKey::Attribute(name)
        | MatchKey::Tag(name)
            if name.is_empty() =>
        {
            MatchKey::Any
        }
        _ => key,
    }
}

type KeyMap = HashMap<String, u64, BuildHasherDefault<Fnv>>;

/// For each lower-cased tag name, id, class and attribute name that some selector's
/// [`MatchKey`] needs, the selectors (bit `i` for the `i`-th) it may let match.
/// Selectors past the 64th, and those with an `Any` key, may match any element.
#[derive(Default)]
pub(super) struct KeyIndex {
    tags: KeyMap,
    ids: KeyMap,
    classes: KeyMap,
    attributes: KeyMap,
    always: u64,
}

impl KeyIndex {
    fn of(list: &[(Selector, Vec<MatchKey>)]) -> Self {
        let mut index = KeyIndex::default();
        for (at, (_, keys)) in list.iter().enumerate() {
            let Some(bit) = u32::try_from(at).ok().and_then(|at| 1u64.checked_shl(at)) else {
                // Past the 64th: no bit of its own, so no cut either.
                continue;
            };
            for key in keys {
                let (map, name) = match key {
                    MatchKey::Tag(name) => (&mut index.tags, name),
                    MatchKey::Id(name) => (&mut index.ids, name),
                    MatchKey::Class(name) => (&mut index.classes, name),
                    MatchKey::Attribute(name) => (&mut index.attributes, name),
                    MatchKey::Any => {
                        index.always |= bit;
                        continue;
                    }
                };
                *map.entry(name.clone()).or_default() |= bit;
            }
        }
        index
    }

    /// The selectors `el` may match.
    fn may_match(&self, el: ElementRef) -> u64 {
        fn look(map: &KeyMap, name: &str) -> u64 {
            if map.is_empty() {
                return 0;
            }
            let found = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                map.get(&name.to_ascii_lowercase())
            } else {
                map.get(name)
            };
            found.copied().unwrap_or(0)
        }
        let mut may = self.always | look(&self.tags, el.value().name());
        for (name, value) in el.value().attrs() {
            may |= look(&self.attributes, name);
            if name.eq_ignore_ascii_case("id") {
                may |= look(&self.ids, value);
            } else if name.eq_ignore_ascii_case("class") {
                for token in value.split_ascii_whitespace() {
                    may |= look(&self.classes, token);
                }
            }
        }
        may
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The candidates as first found: one `Html::select` per content selector.
    fn candidates_by_select(doc: &Html) -> Vec<Vec<ElementRef<'_>>> {
        CONTENT_SELECTOR_LIST
            .iter()
            .map(|(selector, _)| doc.select(selector).take(MAX_CANDIDATES).collect())
            .collect()
    }

    fn same_candidates(doc: &Html) -> bool {
        let ids = |lists: Vec<Vec<ElementRef>>| -> Vec<Vec<_>> {
            lists
                .into_iter()
                .map(|list| list.into_iter().map(|el| el.id()).collect())
                .collect()
        };
        ids(content_candidates(doc)) == ids(candidates_by_select(doc))
    }

    #[test]
    fn every_content_selector_has_a_key() {
        assert_eq!(CONTENT_SELECTOR_LIST.len(), CONTENT_SELECTORS.len());
        assert!(CONTENT_SELECTOR_LIST.len() <= 64);
        assert_eq!(CONTENT_KEY_INDEX.always, 0);
        for (css, (_, keys)) in CONTENT_SELECTORS.iter().zip(CONTENT_SELECTOR_LIST.iter()) {
            assert_eq!(keys.len(), css.split(',').count(), "{css}");
            assert!(!keys.contains(&MatchKey::Any), "{css}: {keys:?}");
        }
        assert_eq!(
            match_keys(".rst-content .document"),
            [MatchKey::Class("document".into())]
        );
        assert_eq!(
            match_keys("div[role=main], main, #content"),
            [
                MatchKey::Attribute("role".into()),
                MatchKey::Tag("main".into()),
                MatchKey::Id("content".into())
            ]
        );
        assert_eq!(match_keys("ul > li:first-child"), [MatchKey::Any]);
    }

    #[test]
    fn one_pass_finds_the_candidates_of_the_fixture_sites() {
        let mut pages = 0;
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.flatten().map(|entry| entry.path()) {
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|ext| ext == "html") {
                    let html = std::fs::read_to_string(&path).unwrap_or_default();
                    let doc = Html::parse_document(&html);
                    assert!(same_candidates(&doc), "{}", path.display());
                    pages += 1;
                }
            }
        }
        assert!(pages > 10, "{pages} fixture pages");
    }

    /// Elements that match content selectors, some more than eight times, some only in
    /// part (`div.body` needs both), with ids, classes and attributes in odd cases and
    /// given twice.
    const BLOCKS: &[&str] = &[
        "<div class=\"body\">b</div>",
        "<span class=\"body\">s</span>",
        "<div class=\"BODY other\">B</div>",
        "<main>m</main>",
        "<article><p>a</p></article>",
        "<div id=\"content\">c</div>",
        "<div id=\"Content\">C</div>",
        "<div class=\"content\" class=\"x\">twice</div>",
        "<section role=\"main\">r</section>",
        "<div role=\"main\">d</div>",
        "<div ROLE=\"main\">D</div>",
        "<div class=\"rst-content\"><div class=\"document\">doc</div></div>",
        "<div class=\"document\">lone</div>",
        "<div data-testid=\"page.contentEditor\">t</div>",
        "<div class=\"md-content\"><div class=\"md-content__inner\">i</div></div>",
        "<table><div class=\"chapter\">fostered</div><tr><td>x</td></tr></table>",
        "<p>plain</p>",
    ];

    proptest! {
        #[test]
        fn one_pass_finds_the_candidates_select_finds(
            blocks in proptest::collection::vec(0usize..64, 0..60),
        ) {
            let mut html = String::from("<html><body>");
            for block in blocks {
                html.push_str(BLOCKS[block % BLOCKS.len()]);
            }
            html.push_str("</body></html>");
            let doc = Html::parse_document(&html);
            prop_assert!(same_candidates(&doc), "{}", html);
        }

    }
}
