//! A throwaway PostgreSQL cluster for the suite's PostgreSQL run (tests/api_postgres):
//! Debian's server binaries, `initdb` in a temp folder (as the `postgres` user when the
//! tests run as root, since the server refuses root), a free loopback port, no fsync.
//! It starts once per test process, each test gets a database of its own, and the
//! cluster is stopped when the process exits.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub struct Cluster {
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    dir: tempfile::TempDir,
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();

/// The running cluster; `None` when no PostgreSQL server is installed here (and
/// `DOCSCRAPE_REQUIRE_POSTGRES` is not set, under which that fails the test).
pub fn cluster() -> Option<&'static Cluster> {
    CLUSTER.get_or_init(start).as_ref()
}

/// A fresh, empty database on the cluster, as the URL `--db` takes.
pub fn fresh_database(cluster: &Cluster) -> String {
    let name = format!("t_{}", uuid_like());
    let mut client = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)
        .expect("connect to the test cluster");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    cluster.url(&name)
}

impl Cluster {
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn start() -> Option<Cluster> {
    let cluster = Cluster::start(|_| Vec::new())?;
    // The test process exits without dropping statics: stop the server then.
    unsafe {
        libc::atexit(stop_at_exit);
    }
    Some(cluster)
}

/// Whether a PostgreSQL server is installed here (failing the test when it must be).
pub fn installed() -> bool {
    if server_bin().is_some() {
        return true;
    }
    assert!(
        std::env::var_os("DOCSCRAPE_REQUIRE_POSTGRES").is_none(),
        "DOCSCRAPE_REQUIRE_POSTGRES is set but no PostgreSQL server is installed"
    );
    eprintln!("no PostgreSQL server installed: the PostgreSQL suite runs on SQLite instead");
    false
}

impl Cluster {
    /// A cluster of its own; `settings` gets the cluster's folder (owned by the server's
    /// user) and returns more `-c name=value` settings. Stopped when dropped.
    pub fn start(settings: impl FnOnce(&Path) -> Vec<String>) -> Option<Cluster> {
        if !installed() {
            return None;
        }
        let bin = server_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("docscrape-pg")
            .tempdir()
            .expect("temp dir");
        let data = dir.path().join("data");
        let as_root = unsafe { libc::geteuid() } == 0;
        if as_root {
            chown_to_postgres(dir.path());
        }
        let port = free_port();
        run(
            &bin.join("initdb"),
            &[
                "-D",
                path_str(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            as_root,
        );
        let log = dir.path().join("server.log");
        let mut options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
        path_str(dir.path())
    );
        for setting in settings(dir.path()) {
            options.push_str(" -c ");
            options.push_str(&setting);
        }
        run(
            &bin.join("pg_ctl"),
            &[
                "-D",
                path_str(&data),
                "-o",
                &options,
                "-l",
                path_str(&log),
                "-w",
                "start",
            ],
            as_root,
        );
        Some(Cluster {
            port,
            bin,
            data,
            dir,
        })
    }

    /// The cluster's folder, owned by the server's user.
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }

    fn stop(&self) {
        let as_root = unsafe { libc::geteuid() } == 0;
        let _ = command(
            &self.bin.join("pg_ctl"),
            &["-D", path_str(&self.data), "-m", "immediate", "stop"],
            as_root,
        )
        .output();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

extern "C" fn stop_at_exit() {
    if let Some(Some(cluster)) = CLUSTER.get() {
        cluster.stop();
        // A static is never dropped, so its TempDir does not remove the cluster's files
        // (about a gigabyte after the suite).
        let _ = std::fs::remove_dir_all(cluster.folder());
    }
}

fn command(program: &Path, args: &[&str], as_postgres: bool) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args);
        command
    } else {
        let mut command = Command::new(program);
        command.args(args);
        command
    }
}

fn run(program: &Path, args: &[&str], as_postgres: bool) {
    let output = command(program, args, as_postgres)
        .output()
        .unwrap_or_else(|err| panic!("run {}: {err}", program.display()));
    assert!(
        output.status.success(),
        "{} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn chown_to_postgres(dir: &Path) {
    let status = Command::new("chown")
        .args(["postgres:postgres", path_str(dir)])
        .status()
        .expect("chown");
    assert!(status.success(), "chown the cluster folder to postgres");
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
