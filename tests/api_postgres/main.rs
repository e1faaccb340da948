//! The black-box suite of tests/api again, on PostgreSQL: every server these tests start
//! keeps its data in a fresh database of a throwaway cluster (tests/api/postgres_cluster.rs)
//! instead of a SQLite file. Tests that read the SQLite file themselves return early;
//! the CLI and the dashboard's browser test run in the SQLite suite only.

pub const BACKEND: helpers::Backend = helpers::Backend::Postgres;

#[path = "../api/fixture_server.rs"]
mod fixture_server;
// The CLI's helpers are used by the SQLite suite only.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/hostile_server.rs"]
mod hostile_server;
#[path = "../api/postgres_cluster.rs"]
mod postgres_cluster;

#[path = "../api/access.rs"]
mod access;
#[path = "../api/crawl.rs"]
mod crawl;
#[path = "../api/discovery.rs"]
mod discovery;
#[path = "../api/documentation.rs"]
mod documentation;
#[path = "../api/faults.rs"]
mod faults;
#[path = "../api/fidelity.rs"]
mod fidelity;
#[path = "../api/hostile.rs"]
mod hostile;
#[path = "../api/limits.rs"]
mod limits;
#[path = "../api/operator.rs"]
mod operator;
#[path = "../api/restart.rs"]
mod restart;
#[path = "../api/scrape.rs"]
mod scrape;
#[path = "../api/sessions.rs"]
mod sessions;
#[path = "../api/uploads.rs"]
mod uploads;

// Only here: several instances on one database.
mod scale_out;
mod tls;
