//! `docscrape scrape`: one crawl from the command line, without the HTTP server. It runs
//! the service's own job engine on the same database schema — a session and a scrape job
//! like any other, so a later `docscrape serve --db FILE` shows the crawl — with a live
//! progress display, a summary, optional JSON Lines or Markdown output, and Ctrl-C that
//! stops the crawl and keeps (and writes out) what was saved.

mod output;
mod progress;
mod summary;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::signal::unix::{signal, SignalKind};

use crate::config::ScrapeArgs;
use crate::error::{StorageError, ValidationIssue};
use crate::ids;
use crate::jobs::input::{InputLimits, ScrapeInput};
use crate::jobs::JobEngine;
use crate::startup::build_crawler;
use crate::storage::jobs::{self as job_rows, NewJob};
use crate::storage::{sessions, Db};
use progress::Progress;
use summary::Summary;

/// How the process ends, as its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Finished,
    Failed,
    BadArguments,
    Interrupted,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(match outcome {
            Outcome::Finished => 0,
            Outcome::Failed => 1,
            Outcome::BadArguments => 2,
            Outcome::Interrupted => 130,
        })
    }
}

/// How often the display reads the job's progress.
const POLL: Duration = Duration::from_millis(200);

pub fn run(args: ScrapeArgs) -> ExitCode {
    // Job log lines would tear the progress bar; warnings still show.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let input = match scrape_input(&args) {
        Ok(input) => input,
        Err(lines) => {
            for line in lines {
                eprintln!("docscrape scrape: {line}");
            }
            return Outcome::BadArguments.into();
        }
    };
    let output = match output::Output::prepare(&args) {
        Ok(output) => output,
        Err(line) => {
            eprintln!("docscrape scrape: {line}");
            return Outcome::BadArguments.into();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("docscrape scrape: cannot start the async runtime: {err}");
            return Outcome::Failed.into();
        }
    };
    let outcome = runtime.block_on(crawl(args, input, output));
    // Page tasks still winding down after a cancel must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_secs(2));
    outcome.into()
}

/// The request the API would have received, validated by the same code, so that the
/// CLI accepts exactly what the API accepts; errors are told in the CLI's own terms.
fn scrape_input(args: &ScrapeArgs) -> Result<ScrapeInput, Vec<String>> {
    let mut body = json!({
        "starterLinks": args.urls,
        "applicationName": args.app,
        "skipCache": !args.reuse,
        "maxIterations": args.max_pages,
        "includePatterns": args.include,
        "excludePatterns": args.exclude,
    });
    if let Some(version) = &args.app_version {
        body["applicationVersion"] = json!(version);
    }
    if let Some(depth) = args.max_depth {
        body["maxDepth"] = json!(depth);
    }
    let limits = InputLimits {
        default_max_iterations: args.max_pages,
        max_iterations_cap: u32::MAX,
    };
    ScrapeInput::from_json(&body, &limits).map_err(|issues| {
        issues
            .iter()
            .map(|issue| describe_issue(issue, args))
            .collect()
    })
}

/// `URL #2 "htp:/x": Input should be a valid URL …`: the API's message under the flag's name.
fn describe_issue(issue: &ValidationIssue, args: &ScrapeArgs) -> String {
    let field = issue.loc.get(1).and_then(Value::as_str).unwrap_or("");
    let index = issue.loc.get(2).and_then(Value::as_u64);
    let what = match (field, index) {
        ("starterLinks", Some(index)) => format!(
            "URL #{} {:?}",
            index + 1,
            args.urls.get(index as usize).map_or("", String::as_str)
        ),
        ("starterLinks", None) => "URLs".to_string(),
        ("applicationName", _) => "--app".to_string(),
        ("applicationVersion", _) => "--version".to_string(),
        ("maxIterations", _) => "--max-pages".to_string(),
        ("maxDepth", _) => "--max-depth".to_string(),
        ("includePatterns", Some(index)) => format!(
            "--include {:?}",
            args.include.get(index as usize).map_or("", String::as_str)
        ),
        ("excludePatterns", Some(index)) => format!(
            "--exclude {:?}",
            args.exclude.get(index as usize).map_or("", String::as_str)
        ),
        (other, _) => other.to_string(),
    };
    format!("{what}: {}", issue.msg)
}

async fn crawl(args: ScrapeArgs, input: ScrapeInput, output: output::Output) -> Outcome {
    let started = Instant::now();
    let (db, shared) = match build_crawler(&args.db, &args.crawl).await {
        Ok(built) => built,
        Err(err) => {
            eprintln!("docscrape scrape: {err}");
            return Outcome::Failed;
        }
    };
    let engine = JobEngine::without_dispatcher(
        db.clone(),
        shared,
        args.crawl.stall_timeout(),
        args.crawl.upload_limits(),
    );
    let (session_id, job_id) = match queue_job(&db, &input).await {
        Ok(ids) => ids,
        Err(err) => {
            eprintln!("docscrape scrape: cannot record the job: {err}");
            return Outcome::Failed;
        }
    };
    eprintln!(
        "Crawling {} for {:?} (up to {} pages) into {} (session {session_id})",
        join_urls(&input.starter_links),
        input.application_name,
        input.max_iterations,
        args.db.display()
    );
    let mut display = Progress::new(
        std::io::stderr().is_terminal(),
        u64::from(input.max_iterations),
    );
    let interrupted = watch(&engine, &db, &job_id, &session_id, &mut display).await;
    display.finish();
    let summary = match Summary::load(&db, &job_id).await {
        Ok(summary) => summary,
        Err(err) => {
            eprintln!("docscrape scrape: cannot read the crawl's outcome: {err}");
            return Outcome::Failed;
        }
    };
    let written = output.write(&db, &session_id).await;
    print!(
        "{}",
        summary.render(started.elapsed(), interrupted, &args.db, &session_id)
    );
    let wrote_all = match written {
        Ok(Some(line)) => {
            println!("  written:  {line}");
            true
        }
        Ok(None) => true,
        Err(line) => {
            eprintln!("docscrape scrape: {line}");
            false
        }
    };
    if interrupted {
        Outcome::Interrupted
    } else if summary.failed() || !wrote_all {
        Outcome::Failed
    } else {
        Outcome::Finished
    }
}

/// Creates the crawl's session and queues its job, as `POST …/scrape` would.
async fn queue_job(db: &Db, input: &ScrapeInput) -> Result<(String, String), StorageError> {
    let input_json =
        serde_json::to_string(input).map_err(|err| StorageError::Corrupt(err.to_string()))?;
    let (session_id, job_id) = (ids::new_id(), ids::new_id());
    let (session, job, key) = (session_id.clone(), job_id.clone(), input.cache_key());
    let total = i64::from(input.max_iterations);
    db.write(move |tx| {
        sessions::create(tx, &session)?;
        job_rows::insert(
            tx,
            &NewJob {
                id: &job,
                session_id: &session,
                input: &input_json,
                input_key: &key,
                total_iterations: total,
            },
        )?;
        Ok(())
    })
    .await?;
    Ok((session_id, job_id))
}

/// Runs the job while showing its progress; `true` when Ctrl-C stopped it. A second
/// Ctrl-C exits at once (the database is consistent after every page).
async fn watch(
    engine: &JobEngine,
    db: &Db,
    job_id: &str,
    session_id: &str,
    display: &mut Progress,
) -> bool {
    let run = engine.run_now(job_id, session_id);
    tokio::pin!(run);
    // One listener for the whole crawl, so that no Ctrl-C is missed between polls.
    let mut sigint = match signal(SignalKind::interrupt()) {
        Ok(listener) => Some(listener),
        Err(err) => {
            display.note(&format!(
                "Ctrl-C cannot be caught ({err}); it will stop the process at once."
            ));
            None
        }
    };
    let mut ticks = tokio::time::interval(POLL);
    let mut interrupted = false;
    loop {
        tokio::select! {
            _ = &mut run => return interrupted,
            Some(()) = async { match sigint.as_mut() { Some(listener) => listener.recv().await, None => std::future::pending().await } } => {
                if interrupted {
                    display.note("Interrupted again: exiting without waiting.");
                    std::process::exit(130);
                }
                interrupted = true;
                display.note("Interrupted: stopping the crawl; what was saved is kept (Ctrl-C again to exit at once).");
                if let Err(err) = engine.cancel(job_id).await {
                    display.note(&format!("Could not record the cancel: {err}"));
                }
            }
            _ = ticks.tick() => {
                match progress::Snapshot::load(db, job_id).await {
                    Ok(snapshot) => display.update(&snapshot),
                    Err(err) => log::debug!("progress read failed: {err}"),
                }
            }
        }
    }
}

fn join_urls(urls: &[String]) -> String {
    match urls {
        [only] => only.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
        [] => String::new(),
    }
}
