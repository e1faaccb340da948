//! URL normalisation and the crawl scope: which links a job follows.

use std::collections::BTreeSet;

use globset::{Glob, GlobSet, GlobSetBuilder};
use url::Url;

/// Path segments that mark pages which are never documentation.
const NON_DOC_SEGMENTS: &[&str] = &[
    "login",
    "logout",
    "signin",
    "sign-in",
    "signout",
    "sign-out",
    "signup",
    "sign-up",
    "register",
    "pricing",
    "careers",
    "cart",
    "checkout",
    "subscribe",
    "unsubscribe",
    "password-reset",
    "forgot-password",
];

/// File extensions that are never documentation text; skipping them saves page budget.
const NON_DOC_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "avif", "mp3", "mp4",
    "webm", "ogg", "wav", "avi", "mov", "zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "jar",
    "war", "exe", "dmg", "msi", "deb", "rpm", "iso", "woff", "woff2", "ttf", "otf", "eot", "css",
    "js", "mjs", "map", "wasm",
];

/// The one spelling of a URL used for de-duplication: http(s) only, no fragment, lowercase
/// scheme and host, no default port, dot segments resolved (the `url` crate does the last
/// three when parsing), an empty query dropped.
pub fn normalize(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    if url.username() != "" || url.password().is_some() {
        // Credentials in links are never followed as written; strip them.
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    Some(url)
}

pub fn parse_normalized(text: &str) -> Option<Url> {
    Url::parse(text.trim()).ok().and_then(|url| normalize(&url))
}

/// The host key used for "same site": lowercase host plus port when not the default.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutOfScope {
    OtherHost,
    NotDocumentation,
    Excluded,
    NotIncluded,
}

/// The scope of one job: hosts of its starter links (and where they redirected), plus the
/// include / exclude path globs of the request.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: BTreeSet<String>,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Scope {
    pub fn new(
        hosts: impl IntoIterator<Item = String>,
        include: &[String],
        exclude: &[String],
    ) -> Result<Scope, globset::Error> {
        Ok(Scope {
            hosts: hosts.into_iter().collect(),
            include: build_globs(include)?,
            exclude: build_globs(exclude)?,
        })
    }

    pub fn add_host(&mut self, host: String) {
        self.hosts.insert(host);
    }

    pub fn check(&self, url: &Url) -> Result<(), OutOfScope> {
        let on_site = host_key(url).is_some_and(|host| self.hosts.contains(&host));
        if !on_site {
            return Err(OutOfScope::OtherHost);
        }
        self.check_path(url)
    }

    /// The rules that do not depend on the host: non-documentation paths and the globs.
    pub fn check_path(&self, url: &Url) -> Result<(), OutOfScope> {
        if looks_like_non_documentation(url) {
            return Err(OutOfScope::NotDocumentation);
        }
        let path = url.path();
        if self.exclude.as_ref().is_some_and(|set| set.is_match(path)) {
            return Err(OutOfScope::Excluded);
        }
        if self.include.as_ref().is_some_and(|set| !set.is_match(path)) {
            return Err(OutOfScope::NotIncluded);
        }
        Ok(())
    }
}

/// Validates one glob, for request validation.
pub fn check_glob(pattern: &str) -> Result<(), String> {
    Glob::new(pattern)
        .map(|_| ())
        .map_err(|err| err.kind().to_string())
}

fn build_globs(patterns: &[String]) -> Result<Option<GlobSet>, globset::Error> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern)?);
    }
    builder.build().map(Some)
}

fn looks_like_non_documentation(url: &Url) -> bool {
    let Some(segments) = url.path_segments() else {
        return false;
    };
    let segments: Vec<String> = segments.map(|s| s.to_ascii_lowercase()).collect();
    if segments
        .iter()
        .any(|segment| NON_DOC_SEGMENTS.contains(&segment.as_str()))
    {
        return true;
    }
    let last = segments.last().map(String::as_str).unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| NON_DOC_EXTENSIONS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        parse_normalized(text)
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn normalisation_drops_fragment_default_port_and_dot_segments() {
        assert_eq!(
            norm("HTTP://Docs.Example.COM:80/a/./b/../c#frag"),
            "http://docs.example.com/a/c"
        );
        assert_eq!(
            norm("https://docs.example.com:443"),
            "https://docs.example.com/"
        );
        assert_eq!(
            norm("https://docs.example.com:8443/x?"),
            "https://docs.example.com:8443/x"
        );
        assert_eq!(
            norm("https://user:pw@docs.example.com/x?a=1"),
            "https://docs.example.com/x?a=1"
        );
        assert_eq!(norm("mailto:a@example.com"), "");
        assert_eq!(norm("ftp://example.com/x"), "");
    }

    #[test]
    fn normalisation_is_idempotent() {
        for text in [
            "https://A.b/./x/../y?#z",
            "http://a.b:80/%7Euser/",
            "https://a.b/x?q=1#f",
        ] {
            let once = norm(text);
            assert_eq!(norm(&once), once, "{text}");
        }
    }

    #[test]
    fn scope_keeps_to_starter_hosts_and_skips_non_doc_segments() {
        let scope = Scope::new(["docs.example.com".to_string()], &[], &[]).expect("scope");
        let ok = |t: &str| scope.check(&Url::parse(t).expect("url"));
        assert_eq!(ok("https://docs.example.com/guide/"), Ok(()));
        assert_eq!(
            ok("https://other.example.com/guide/"),
            Err(OutOfScope::OtherHost)
        );
        assert_eq!(
            ok("https://docs.example.com:8080/guide/"),
            Err(OutOfScope::OtherHost)
        );
        assert_eq!(
            ok("https://docs.example.com/Login"),
            Err(OutOfScope::NotDocumentation)
        );
        assert_eq!(
            ok("https://docs.example.com/en/pricing/"),
            Err(OutOfScope::NotDocumentation)
        );
        // Whole segments only: a page about login flows is documentation.
        assert_eq!(ok("https://docs.example.com/guides/login-flows"), Ok(()));
        assert_eq!(
            ok("https://docs.example.com/img/logo.PNG"),
            Err(OutOfScope::NotDocumentation)
        );
    }

    #[test]
    fn exclude_patterns_win_over_include_patterns() {
        let scope = Scope::new(
            ["d.example".to_string()],
            &["/api/**".to_string()],
            &["/api/v1/**".to_string()],
        )
        .expect("scope");
        let check = |t: &str| scope.check(&Url::parse(t).expect("url"));
        assert_eq!(check("https://d.example/api/v2/users"), Ok(()));
        assert_eq!(
            check("https://d.example/api/v1/users"),
            Err(OutOfScope::Excluded)
        );
        assert_eq!(
            check("https://d.example/blog/post"),
            Err(OutOfScope::NotIncluded)
        );
        assert!(check_glob("/api/[").is_err());
    }
}
