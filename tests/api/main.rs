//! Black-box tests: the real server binary, a temp SQLite file, fixture sites on loopback.

mod fixture_server;
mod helpers;
mod hostile_server;

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
