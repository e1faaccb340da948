//! TLS to the PostgreSQL server: a cluster of its own with a certificate from a test CA;
//! `sslmode=require` connects over TLS when the CA is trusted (`SSL_CERT_FILE`) and fails
//! the start with a clear reason when it is not.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestApp;
use crate::postgres_cluster::{chown_to_postgres, installed, Cluster};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?}");
}

/// A CA and a server certificate for localhost signed by it, in `dir`.
fn make_certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=docscrape test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(dir.join("ext"), "subjectAltName=DNS:localhost\n").expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext",
        ],
    );
    let key = dir.join("server.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("key mode");
    if unsafe { libc::geteuid() } == 0 {
        chown_to_postgres(&key);
        chown_to_postgres(&dir.join("server.crt"));
    }
}

#[test]
fn the_server_is_reached_over_tls_when_the_url_requires_it() {
    if !installed() {
        return;
    }
    let openssl_found = Command::new("openssl").arg("version").output().is_ok();
    if !openssl_found {
        assert!(
            std::env::var_os("DOCSCRAPE_REQUIRE_POSTGRES").is_none(),
            "the TLS test needs the openssl command"
        );
        return;
    }
    let certs = tempfile::tempdir().expect("temp dir");
    let cluster = Cluster::start(|folder| {
        make_certificates(folder);
        vec![
            "ssl=on".into(),
            format!("ssl_cert_file={}", folder.join("server.crt").display()),
            format!("ssl_key_file={}", folder.join("server.key").display()),
        ]
    })
    .expect("a TLS cluster");
    let ca = cluster.folder().join("ca.pem");
    let url = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=require",
        cluster.port
    );

    // Trusted: the service starts and works, and its connections are encrypted.
    let app = TestApp::spawn_on_db_with_env(
        Path::new(&url),
        &[],
        &[("SSL_CERT_FILE", ca.to_str().expect("path"))],
    );
    let session = app.create_session();
    assert_eq!(app.get(&format!("/api/v1/session/{session}")).status(), 200);
    let plain = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let mut client = postgres::Client::connect(&plain, postgres::NoTls).expect("connect");
    let (encrypted, total): (i64, i64) = {
        let row = client
            .query_one(
                "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s
                 JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'docscrape'",
                &[],
            )
            .expect("pg_stat_ssl");
        (row.get(0), row.get(1))
    };
    assert!(total > 0, "no docscrape connection");
    assert_eq!(encrypted, total, "a docscrape connection without TLS");
    drop(app);

    // Not trusted: the start fails at once, saying why.
    let empty = certs.path().join("none.pem");
    std::fs::write(&empty, "").expect("empty bundle");
    let mut child = Command::new(env!("CARGO_BIN_EXE_docscrape"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db", &url])
        .env("SSL_CERT_FILE", &empty)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        assert!(
            Instant::now() < deadline,
            "started without trusting the server"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("certificate"),
        "the reason is not given: {stderr}"
    );
}
