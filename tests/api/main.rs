//! Black-box tests: the real server binary, a temp SQLite file, fixture sites on loopback.

/// This suite runs on a temp SQLite file; tests/api_postgres runs it on PostgreSQL.
pub const BACKEND: helpers::Backend = helpers::Backend::Sqlite;

mod fixture_server;
mod helpers;
mod hostile_server;
#[allow(dead_code)]
mod postgres_cluster;

mod access;
mod cli;
mod crawl;
mod dashboard;
mod discovery;
mod documentation;
mod faults;
mod fidelity;
mod hostile;
mod limits;
mod operator;
mod restart;
mod scrape;
mod sessions;
mod uploads;
