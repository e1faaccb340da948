//! Black-box tests: the real server binary, a temp SQLite file, fixture sites on loopback.

mod fixture_server;
mod helpers;

mod access;
mod crawl;
mod documentation;
mod restart;
mod scrape;
mod sessions;
