//! Command line and environment configuration. Every flag has a `DOCSCRAPE_*` variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug, Clone)]
#[command(
    name = "docscrape",
    version,
    about = "Crawls an application's documentation into token-counted Markdown chunks behind an HTTP API.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `docscrape [FLAGS]` is the same as `docscrape serve [FLAGS]`.
    #[command(flatten)]
    pub serve: Settings,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the HTTP service and its crawl jobs (the default).
    Serve(Settings),
    /// Crawl once, without the HTTP server, into the same database (a later
    /// `docscrape serve --db FILE` shows the crawl); optionally write the pages out.
    Scrape(ScrapeArgs),
}

impl Cli {
    /// What to run: the service (also when no subcommand is given) or a one-shot crawl.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// `docscrape scrape <URL>... --app NAME [FLAGS]`.
#[derive(Args, Debug, Clone)]
#[command(
    after_help = "Exit status: 0 finished, 1 failed (nothing saved, or the database or an output could not be written), 2 bad arguments, 130 interrupted (Ctrl-C; what was saved stays and is written out)."
)]
pub struct ScrapeArgs {
    /// Where the crawl starts: 1 to 100 absolute http(s) URLs.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,

    /// The application whose documentation is wanted; it drives relevance ranking.
    #[arg(long, value_name = "NAME")]
    pub app: String,

    /// The application version to prefer among versioned copies of a page [default: current].
    #[arg(long = "version", visible_alias = "app-version", value_name = "V")]
    pub app_version: Option<String>,

    /// Page budget: pages fetched, whatever their outcome.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_pages: u32,

    /// Link hops from a starter URL; 0 fetches the starter pages only [default: unbounded].
    #[arg(long, value_name = "D", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_depth: Option<u32>,

    /// URL path glob a page must match (repeatable; any of them), e.g. '/docs/**'.
    #[arg(long = "include", value_name = "GLOB")]
    pub include: Vec<String>,

    /// URL path glob that excludes a page (repeatable; exclusion wins).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// SQLite database file (created with its parent folder if missing), or a
    /// postgres://user:password@host:port/dbname URL to share a PostgreSQL database
    /// with other instances.
    #[arg(long, env = "DOCSCRAPE_DB", default_value = "./docscrape.db")]
    pub db: PathBuf,

    /// Also write every chunk as one JSON line (with its page's url and title) to this file.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,

    /// Also write one Markdown file per page, with a front-matter header, under this folder.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Reuse a finished crawl of the same input from the last 28 days instead of crawling again.
    #[arg(long)]
    pub reuse: bool,

    #[command(flatten)]
    pub crawl: CrawlSettings,
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "DOCSCRAPE_BIND", default_value = "127.0.0.1:8090")]
    pub bind: String,

    /// SQLite database file (created with its parent folder if missing), or a
    /// postgres://user:password@host:port/dbname URL to share a PostgreSQL database
    /// with other instances.
    #[arg(long, env = "DOCSCRAPE_DB", default_value = "./docscrape.db")]
    pub db: PathBuf,

    /// Require `Authorization: Bearer <token>` on every /api route.
    #[arg(long, env = "DOCSCRAPE_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,

    /// Scrape jobs that run at the same time; the rest wait in `queued`.
    #[arg(long, env = "DOCSCRAPE_MAX_CONCURRENT_JOBS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_concurrent_jobs: u32,

    /// Page budget of a job whose request gives no `maxIterations`.
    #[arg(long, env = "DOCSCRAPE_DEFAULT_MAX_ITERATIONS", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub default_max_iterations: u32,

    /// Largest `maxIterations` a request may ask for.
    #[arg(long, env = "DOCSCRAPE_MAX_ITERATIONS_CAP", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_iterations_cap: u32,

    /// Jobs one session may have waiting in `queued`; more are refused with 429.
    #[arg(long, env = "DOCSCRAPE_MAX_QUEUED_PER_SESSION", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_queued_per_session: u32,

    /// Jobs all sessions together may have waiting in `queued`; more are refused with 429.
    #[arg(long, env = "DOCSCRAPE_MAX_QUEUED", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_queued: u32,

    /// Sessions the server keeps at most; creating one more is refused with 429.
    #[arg(long, env = "DOCSCRAPE_MAX_SESSIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sessions: u32,

    /// Largest uploaded documentation file, in bytes; a larger upload is refused with 413
    /// while it streams.
    #[arg(long, env = "DOCSCRAPE_MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_upload_bytes: u64,

    /// How the crawler fetches and processes pages, shared with `docscrape scrape`.
    #[command(flatten)]
    pub crawl: CrawlSettings,
}

/// The crawl engine's flags: the same for the service and for a one-shot `scrape`.
#[derive(Args, Debug, Clone)]
pub struct CrawlSettings {
    /// Let the crawler connect to loopback, private, link-local and other non-public addresses.
    #[arg(long, env = "DOCSCRAPE_ALLOW_PRIVATE_NETWORKS")]
    pub allow_private_networks: bool,

    /// Open exactly this address range to the crawler (CIDR, repeatable), e.g. 10.0.5.0/24.
    #[arg(
        long = "allow-network",
        env = "DOCSCRAPE_ALLOW_NETWORKS",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub allow_networks: Vec<ipnet::IpNet>,

    /// Largest chunk, in tiktoken cl100k_base tokens.
    #[arg(long, env = "DOCSCRAPE_CHUNK_TOKENS", default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(50..=100_000))]
    pub chunk_tokens: u32,

    /// Pages one job has in hand at once: being fetched, processed or recorded (requests
    /// to one host stay bounded by --per-host-concurrency).
    #[arg(long, env = "DOCSCRAPE_JOB_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub job_concurrency: u32,

    /// Requests in flight to one host, across all jobs.
    #[arg(long, env = "DOCSCRAPE_PER_HOST_CONCURRENCY", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub per_host_concurrency: u32,

    /// Seconds to wait for a TCP/TLS connection.
    #[arg(long, env = "DOCSCRAPE_CONNECT_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub connect_timeout_secs: u64,

    /// Seconds one request may take, body included.
    #[arg(long, env = "DOCSCRAPE_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,

    /// Largest response body kept, in bytes (after decompression).
    #[arg(long, env = "DOCSCRAPE_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_body_bytes: u64,

    /// Redirects followed per request.
    #[arg(long, env = "DOCSCRAPE_MAX_REDIRECTS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=50))]
    pub max_redirects: u32,

    /// Attempts per page on connection errors, 5xx and 429.
    #[arg(long, env = "DOCSCRAPE_MAX_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,

    /// Longest Retry-After or Crawl-delay honoured, in seconds; longer ones are cut to this.
    #[arg(long, env = "DOCSCRAPE_MAX_POLITE_DELAY", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub max_polite_delay_secs: u64,

    /// Seconds converting one uploaded PDF or DOCX may take before its job fails.
    #[arg(long, env = "DOCSCRAPE_UPLOAD_PARSE_TIMEOUT", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub upload_parse_timeout_secs: u64,

    /// Memory (address space) converting one uploaded PDF or DOCX may use, in MiB.
    #[arg(long, env = "DOCSCRAPE_UPLOAD_PARSE_MEMORY_MIB", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(256..=65536))]
    pub upload_parse_memory_mib: u64,

    /// Seconds a running job may go without progress before it is failed as stalled.
    #[arg(long, env = "DOCSCRAPE_STALL_TIMEOUT", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub stall_timeout_secs: u64,
}

impl CrawlSettings {
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn max_polite_delay(&self) -> Duration {
        Duration::from_secs(self.max_polite_delay_secs)
    }

    pub fn stall_timeout(&self) -> Duration {
        Duration::from_secs(self.stall_timeout_secs)
    }

    /// How uploaded files are converted; the largest upload is the server's
    /// `--max-upload-bytes` (`Settings::upload_limits`), unbounded here, where nothing is
    /// uploaded.
    pub fn upload_limits(&self) -> crate::uploads::UploadLimits {
        crate::uploads::UploadLimits {
            max_bytes: u64::MAX,
            sandbox: crate::uploads::sandbox::SandboxLimits {
                time: Duration::from_secs(self.upload_parse_timeout_secs),
                memory_bytes: self.upload_parse_memory_mib << 20,
            },
        }
    }
}

impl Settings {
    pub fn upload_limits(&self) -> crate::uploads::UploadLimits {
        crate::uploads::UploadLimits {
            max_bytes: self.max_upload_bytes,
            ..self.crawl.upload_limits()
        }
    }
}
