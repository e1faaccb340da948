//! robots.txt per origin (RFC 9309 via texting_robots): fetched once per job and origin,
//! through the same client and network policy as pages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

use super::fetch::{FetchError, Fetcher};
use super::hosts::HostLimiter;

/// The product token matched against `User-agent:` lines.
const AGENT: &str = "docscrape";
const ROBOTS_BODY_CAP: u64 = 512 * 1024;

pub struct RobotsRules {
    robot: Option<Robot>,
    /// Why robots.txt could not be read, when the server was reached but did not give it
    /// (a 5xx, a timeout, a cut or oversized body): RFC 9309 says to assume everything
    /// is disallowed then.
    unavailable: Option<String>,
    pub crawl_delay: Option<Duration>,
    pub sitemaps: Vec<String>,
}

impl RobotsRules {
    fn allow_all() -> Self {
        RobotsRules {
            robot: None,
            unavailable: None,
            crawl_delay: None,
            sitemaps: Vec::new(),
        }
    }

    /// The reason line of a URL that `allows` refused.
    pub fn refusal(&self) -> String {
        match &self.unavailable {
            Some(why) => {
                format!("robots.txt unavailable ({why}), so the site counts as disallowed")
            }
            None => "disallowed by robots.txt".to_string(),
        }
    }

    fn unavailable(why: String) -> Self {
        RobotsRules {
            unavailable: Some(why),
            ..RobotsRules::allow_all()
        }
    }

    pub fn allows(&self, url: &Url) -> bool {
        if self.unavailable.is_some() {
            return false;
        }
        match &self.robot {
            Some(robot) => robot.allowed(url.as_str()),
            None => true,
        }
    }

    fn parse(body: &[u8]) -> Self {
        match Robot::new(AGENT, body) {
            Ok(robot) => RobotsRules {
                crawl_delay: robot
                    .delay
                    .filter(|d| d.is_finite() && *d > 0.0)
                    .map(|d| Duration::from_secs_f32(d.min(3600.0))),
                sitemaps: robot.sitemaps.clone(),
                robot: Some(robot),
                unavailable: None,
            },
            // An unparsable file says nothing we can follow; treat it like a missing one.
            Err(_) => RobotsRules::allow_all(),
        }
    }
}

/// robots.txt rules of every origin one job touches.
pub struct RobotsCache {
    /// The job this cache belongs to, for its log lines.
    job_id: String,
    origins: Mutex<HashMap<String, Arc<OnceCell<Arc<RobotsRules>>>>>,
}

impl RobotsCache {
    pub fn new(job_id: &str) -> Self {
        RobotsCache {
            job_id: job_id.to_string(),
            origins: Mutex::new(HashMap::new()),
        }
    }

    pub async fn rules_for(
        &self,
        fetcher: &Fetcher,
        hosts: &HostLimiter,
        url: &Url,
    ) -> Arc<RobotsRules> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut origins = self
                .origins
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            origins.entry(origin.clone()).or_default().clone()
        };
        cell.get_or_init(
            || async move { Arc::new(load(fetcher, hosts, &origin, &self.job_id).await) },
        )
        .await
        .clone()
    }
}

async fn load(fetcher: &Fetcher, hosts: &HostLimiter, origin: &str, job_id: &str) -> RobotsRules {
    let Ok(robots_url) = Url::parse(&format!("{origin}/robots.txt")) else {
        return RobotsRules::allow_all();
    };
    match fetcher
        .fetch(&robots_url, ROBOTS_BODY_CAP, hosts, None)
        .await
    {
        // Parsing a large file is CPU work: on the blocking pool. A parser that fails
        // says nothing we can follow, like an unparsable file.
        Ok(fetched) if (200..300).contains(&fetched.status) => {
            let body = fetched.body;
            tokio::task::spawn_blocking(move || RobotsRules::parse(&body))
                .await
                .unwrap_or_else(|_| RobotsRules::allow_all())
        }
        Ok(fetched) if (400..500).contains(&fetched.status) => RobotsRules::allow_all(),
        Ok(fetched) => {
            log::info!(
                "[job {job_id}] robots.txt of {origin} answered HTTP {}: treating the site as disallowed",
                fetched.status
            );
            RobotsRules::unavailable(format!("HTTP {}", fetched.status))
        }
        // Not reached at all (refused, no such host, not allowed by the address policy):
        // the page fetches fail too and report the real reason.
        Err(
            err @ (FetchError::ConnectionRefused
            | FetchError::ConnectTimeout(_)
            | FetchError::Dns(_)
            | FetchError::Blocked(_)),
        ) => {
            log::info!(
                "[job {job_id}] robots.txt of {origin} unreachable ({err}); pages will report their own errors"
            );
            RobotsRules::allow_all()
        }
        // Reached, but robots.txt did not come whole (timeout, reset, oversized body).
        Err(err) => {
            log::warn!(
                "[job {job_id}] robots.txt of {origin} could not be read ({err}): treating the site as disallowed"
            );
            RobotsRules::unavailable(err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_delay_and_sitemaps() {
        let rules = RobotsRules::parse(
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\nSitemap: https://d.example/sitemap.xml\n",
        );
        assert!(!rules.allows(&Url::parse("https://d.example/private/x").expect("url")));
        assert!(rules.allows(&Url::parse("https://d.example/public/x").expect("url")));
        assert_eq!(rules.crawl_delay, Some(Duration::from_secs(2)));
        assert_eq!(
            rules.sitemaps,
            vec!["https://d.example/sitemap.xml".to_string()]
        );
    }

    #[test]
    fn an_unreadable_robots_txt_disallows_everything_and_says_why() {
        let rules = RobotsRules::unavailable("timed out after 10 s".to_string());
        assert!(!rules.allows(&Url::parse("https://d.example/docs").expect("url")));
        assert_eq!(
            rules.refusal(),
            "robots.txt unavailable (timed out after 10 s), so the site counts as disallowed"
        );
        let parsed = RobotsRules::parse(b"User-agent: *\nDisallow: /x\n");
        assert_eq!(parsed.refusal(), "disallowed by robots.txt");
    }

    #[test]
    fn our_own_group_wins_over_the_wildcard() {
        let rules = RobotsRules::parse(
            b"User-agent: *\nDisallow: /\n\nUser-agent: docscrape\nDisallow: /x\n",
        );
        assert!(rules.allows(&Url::parse("https://d.example/docs").expect("url")));
        assert!(!rules.allows(&Url::parse("https://d.example/x").expect("url")));
    }
}
