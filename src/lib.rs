//! docscrape: crawls an application's online documentation as background jobs and keeps
//! it as token-counted Markdown chunks in one SQLite file, behind an HTTP API.

pub mod allocator;
pub mod api;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod error;
pub mod export;
pub mod faults;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod model;
pub mod startup;
pub mod storage;
pub mod uploads;
