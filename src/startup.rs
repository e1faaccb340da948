//! Wiring: open the database, build the crawler and job engine, bind the HTTP server.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};

use crate::api::auth::ApiToken;
use crate::api::{self, AppState};
use crate::config::{CrawlSettings, Settings};
use crate::crawl::chunk::Chunker;
use crate::crawl::cpu_pool::CpuPool;
use crate::crawl::fetch::{FetchConfig, Fetcher};
use crate::crawl::hosts::HostLimiter;
use crate::crawl::netpolicy::NetPolicy;
use crate::crawl::runner::{CrawlShared, ParseBudget};
use crate::jobs::JobEngine;
use crate::storage::Db;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Storage(#[from] crate::error::StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error("cannot start the parsing threads: {0}")]
    Threads(std::io::Error),
}

pub struct Application {
    server: Server,
    local_addr: std::net::SocketAddr,
}

impl Application {
    /// Builds everything and binds; must be called inside a tokio (actix) runtime.
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let (db, crawl) = build_crawler(&settings.db, &settings.crawl).await?;
        // Uploads whose request was cut off by the last stop never became jobs.
        let orphans = db
            .write(crate::storage::uploads::delete_orphan_spools)
            .await?;
        if orphans > 0 {
            log::info!(
                "removed {orphans} upload(s) whose request did not complete before the last stop"
            );
        }
        let engine = JobEngine::start(
            db.clone(),
            crawl,
            settings.max_concurrent_jobs as usize,
            settings.crawl.stall_timeout(),
            settings.upload_limits(),
        );
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        })?;
        let token = web::Data::new(ApiToken(
            settings.api_token.clone().filter(|t| !t.is_empty()),
        ));
        let state = web::Data::new(AppState {
            db,
            engine,
            settings,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(token.clone())
                .configure(api::routes)
                .wrap(from_fn(crate::metrics::track_http))
                .default_service(web::to(api::not_found))
        })
        .shutdown_timeout(5)
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: local_addr.to_string(),
            source,
        })?
        .run();
        Ok(Application { server, local_addr })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.local_addr
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Opens the database and builds what every crawl shares (HTTP client, host limits,
/// tokenizer): the same engine for the service and for `docscrape scrape`.
pub async fn build_crawler(
    db_path: &Path,
    crawl_settings: &CrawlSettings,
) -> Result<(Db, Arc<CrawlShared>), StartupError> {
    let db_path = db_path.to_path_buf();
    let db = tokio::task::spawn_blocking(move || Db::open(&db_path))
        .await
        .map_err(|err| crate::error::StorageError::Worker(err.to_string()))??;
    let policy = Arc::new(NetPolicy::new(
        crawl_settings.allow_private_networks,
        crawl_settings.allow_networks.clone(),
    ));
    let fetcher = Fetcher::new(FetchConfig::from_settings(crawl_settings), policy.clone())?;
    let chunk_tokens = crawl_settings.chunk_tokens as usize;
    let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
    let chunker = tokio::task::spawn_blocking(move || Chunker::new(chunk_tokens))
        .await
        .map_err(|err| crate::error::StorageError::Worker(err.to_string()))?;
    let crawl = Arc::new(CrawlShared {
        db: db.clone(),
        fetcher: Arc::new(fetcher),
        hosts: Arc::new(HostLimiter::new(
            crawl_settings.per_host_concurrency as usize,
        )),
        chunker: Arc::new(chunker),
        job_concurrency: crawl_settings.job_concurrency as usize,
        policy,
        parse_budget: ParseBudget::new(crawl_settings.max_body_bytes, cores),
        cpu: CpuPool::new(cores).map_err(StartupError::Threads)?,
    });
    Ok((db, crawl))
}
