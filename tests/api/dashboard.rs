//! The dashboard end to end in a real browser: the system's headless Chromium, driven by
//! `tests/browser/dashboard.mjs` (playwright-core), against the real server and loopback
//! fixture sites, without and with an API token. Screenshots at 1366 and 390 px wide go to
//! `target/dashboard-artifacts/`.
//!
//! It needs `chromium`, `node` and `npm ci --prefix tests/browser`; `.ci/run` installs them
//! and sets DOCSCRAPE_REQUIRE_BROWSER=1, which turns their absence into a failure. On a
//! machine without them the test says so and checks nothing else.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::fixture_server::{FixtureServer, SiteOptions};
use crate::helpers::TestApp;

const TOKEN: &str = "dashboard-test-token";

/// The browser and driver, or why they are missing.
fn browser() -> Result<(PathBuf, PathBuf), String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return Err(format!("no browser at {}", chromium.display()));
    }
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !browser_dir.join("node_modules/playwright-core").exists() {
        return Err("playwright-core is not installed (npm ci --prefix tests/browser)".into());
    }
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => Ok((chromium, browser_dir)),
        _ => Err("node is not installed".into()),
    }
}

#[test]
fn the_dashboard_works_in_a_real_browser_with_and_without_a_token() {
    let (chromium, browser_dir) = match browser() {
        Ok(found) => found,
        Err(missing) if std::env::var_os("DOCSCRAPE_REQUIRE_BROWSER").is_some() => {
            panic!("the browser test cannot run: {missing}")
        }
        Err(missing) => {
            eprintln!("dashboard browser test not run here: {missing}");
            return;
        }
    };
    let site = FixtureServer::site("dashboard");
    let slow = FixtureServer::start(SiteOptions {
        site: "dashboard",
        delay: Duration::from_millis(250),
        generated_pages: 2000,
        ..Default::default()
    });
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dashboard-artifacts");
    // Screenshots of an earlier run (a failure's among them) would mislead.
    let _ = std::fs::remove_dir_all(&artifacts);
    for token in ["", TOKEN] {
        let app = if token.is_empty() {
            TestApp::spawn()
        } else {
            TestApp::spawn_with(&["--api-token", token])
        };
        let output = Command::new("node")
            .arg(browser_dir.join("dashboard.mjs"))
            .current_dir(&browser_dir)
            .env("DASHBOARD_URL", &app.address)
            .env("SITE_URL", site.url("/"))
            .env("SLOW_URL", slow.url("/gen/0.html"))
            .env("API_TOKEN", token)
            .env("ARTIFACTS", &artifacts)
            .env("CHROMIUM", &chromium)
            .output()
            .expect("run node");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("{stdout}");
        assert!(
            output.status.success(),
            "the browser test failed (screenshots in {}):\n{stdout}\n{stderr}",
            artifacts.display()
        );
        assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    }
}
