//! The live view of a crawl on stderr: an indicatif bar on a terminal (pages done of the
//! budget, pages per second, queue, failures, the URL being fetched), plain log lines
//! every few seconds otherwise (a pipe, a CI log).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::storage::{activity, jobs as job_rows, Db, StorageResult};

/// How often a line is printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// What the display shows, read from the job's rows.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub completed: u64,
    pub total: u64,
    pub queued: i64,
    pub failed: i64,
    pub saved: i64,
    pub current: String,
}

impl Snapshot {
    pub async fn load(db: &Db, job_id: &str) -> StorageResult<Snapshot> {
        let id = job_id.to_string();
        db.run(move |conn| {
            let Some(job) = job_rows::get(conn, &id)? else {
                return Ok(Snapshot::default());
            };
            let counts = activity::frontier_counts(conn, &id)?;
            Ok(Snapshot {
                completed: u64::try_from(job.completed_iterations).unwrap_or(0),
                total: u64::try_from(job.total_iterations).unwrap_or(0),
                queued: counts.pending,
                failed: counts.failed,
                saved: activity::saved_pages(conn, &id)?,
                current: job
                    .message
                    .strip_prefix("Fetching ")
                    .unwrap_or(&job.message)
                    .to_string(),
            })
        })
        .await
    }
}

pub struct Progress {
    view: View,
    rate: Rate,
}

enum View {
    Bar(ProgressBar),
    Lines {
        started: Instant,
        last_line: Option<Instant>,
    },
}

/// Pages per second over the last few seconds, from (time, pages done) samples.
struct Rate {
    samples: std::collections::VecDeque<(Instant, u64)>,
}

impl Rate {
    const WINDOW: Duration = Duration::from_secs(5);

    fn add(&mut self, done: u64) -> f64 {
        let now = Instant::now();
        self.samples.push_back((now, done));
        while self
            .samples
            .front()
            .is_some_and(|(at, _)| now - *at > Self::WINDOW)
        {
            self.samples.pop_front();
        }
        match (self.samples.front(), self.samples.back()) {
            (Some((first_at, first)), Some((last_at, last))) if last_at > first_at => {
                last.saturating_sub(*first) as f64 / (*last_at - *first_at).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

impl Progress {
    pub fn new(terminal: bool, budget: u64) -> Progress {
        let rate = Rate {
            samples: std::collections::VecDeque::new(),
        };
        if !terminal {
            return Progress {
                view: View::Lines {
                    started: Instant::now(),
                    last_line: None,
                },
                rate,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(budget), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner:.cyan} {elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} pages · {prefix}\n  {wide_msg:.dim}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix("starting");
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            view: View::Bar(bar),
            rate,
        }
    }

    pub fn update(&mut self, snapshot: &Snapshot) {
        let rate = self.rate.add(snapshot.completed);
        match &mut self.view {
            View::Bar(bar) => {
                if snapshot.total > 0 {
                    bar.set_length(snapshot.total);
                }
                bar.set_position(snapshot.completed);
                bar.set_prefix(format!(
                    "{rate:.1} pages/s · {} saved · {} queued · {} failed",
                    snapshot.saved, snapshot.queued, snapshot.failed
                ));
                bar.set_message(snapshot.current.clone());
            }
            View::Lines { started, last_line } => {
                let now = Instant::now();
                if last_line.is_some_and(|at| now - at < LINE_EVERY) {
                    return;
                }
                eprintln!(
                    "[{:>4}s] {}/{} pages, {rate:.1} pages/s, {} saved, {} queued, {} failed; {}",
                    (now - *started).as_secs(),
                    snapshot.completed,
                    snapshot.total,
                    snapshot.saved,
                    snapshot.queued,
                    snapshot.failed,
                    snapshot.current
                );
                *last_line = Some(now);
            }
        }
    }

    /// A line above the bar (or in the log).
    pub fn note(&self, line: &str) {
        match &self.view {
            View::Bar(bar) => bar.println(line),
            View::Lines { .. } => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let View::Bar(bar) = &self.view {
            bar.finish_and_clear();
        }
    }
}
