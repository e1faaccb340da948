//! Saved HTML files read as if fetched, for the examples that time the per-page work.

use std::path::{Path, PathBuf};

use docscrape::crawl::fetch::Fetched;
use url::Url;

/// The command line `DIR BASE_URL [EXTRA]`: the folder, the URL it is served at and
/// the optional third argument; prints `usage` and exits 2 when they are not there.
pub fn arguments(usage: &str) -> (PathBuf, Url, Option<String>) {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(base)) = (args.next(), args.next()) else {
        eprintln!("usage: {usage}");
        std::process::exit(2);
    };
    let Ok(base) = Url::parse(&base) else {
        eprintln!("bad base URL: {base}");
        std::process::exit(2);
    };
    (PathBuf::from(dir), base, args.next())
}

/// Every `.html` file under `dir`, in sorted path order.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// The URL a file under `root` has when the folder is served at `base`.
pub fn url_of(base: &Url, root: &Path, path: &Path) -> Option<Url> {
    base.join(&path.strip_prefix(root).unwrap_or(path).to_string_lossy())
        .ok()
}

/// A page as the fetcher hands it over: 200, HTML, no validators.
pub fn fetched(url: &Url, body: Vec<u8>) -> Fetched {
    Fetched {
        final_url: url.clone(),
        status: 200,
        mime: "text/html".to_string(),
        charset: None,
        body,
        etag: None,
        last_modified: None,
    }
}
