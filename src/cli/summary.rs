//! The closing report of a CLI crawl: how it ended, what was saved (pages, chunks,
//! tokens), what failed grouped by reason, and where it is kept.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::storage::activity::{self, SavedTotals};
use crate::storage::frontier::{self, UrlState};
use crate::storage::jobs::{self as job_rows, JobState};
use crate::storage::{Db, StorageResult};

/// Distinct failure reasons listed before "… and N more".
const REASONS_SHOWN: u32 = 8;

#[derive(Debug, Clone)]
pub struct Summary {
    state: JobState,
    finish_reason: Option<String>,
    budget: i64,
    saved: SavedTotals,
    failed: i64,
    reasons: Vec<(String, i64)>,
    pending: i64,
    errors: Vec<String>,
}

impl Summary {
    pub async fn load(db: &Db, job_id: &str) -> StorageResult<Summary> {
        let id = job_id.to_string();
        db.run(move |conn| {
            let job = job_rows::get(conn, &id)?.ok_or_else(|| {
                crate::error::StorageError::Corrupt(format!("job {id} disappeared"))
            })?;
            let counts = activity::frontier_counts(conn, &id)?;
            Ok(Summary {
                state: job.state,
                finish_reason: job.finish_reason.clone(),
                budget: job.total_iterations,
                saved: activity::saved_totals(conn, &id)?,
                failed: counts.failed,
                reasons: activity::failures_by_reason(conn, &id, REASONS_SHOWN + 1)?,
                pending: frontier::count_in_state(conn, &id, UrlState::Pending)?,
                errors: job_rows::errors(conn, &id)?,
            })
        })
        .await
    }

    pub fn failed(&self) -> bool {
        self.state == JobState::Failed
    }

    pub fn render(
        &self,
        elapsed: Duration,
        interrupted: bool,
        db: &Path,
        session_id: &str,
    ) -> String {
        let secs = elapsed.as_secs_f64();
        let mut out = String::new();
        let headline = match (self.state, self.finish_reason.as_deref()) {
            _ if interrupted => format!(
                "Interrupted after {secs:.1} s; the {} page(s) saved so far are kept.",
                self.saved.pages
            ),
            (JobState::Failed, _) => {
                format!("Failed after {secs:.1} s: nothing could be saved.")
            }
            (_, Some("max_iterations")) => format!(
                "Finished in {secs:.1} s: the budget of {} pages is spent and {} link(s) are left (raise --max-pages to go on).",
                self.budget, self.pending
            ),
            (_, Some("completed")) => {
                format!("Finished in {secs:.1} s: every starter page is done.")
            }
            (_, Some("reused_previous_session_data")) => format!(
                "Finished in {secs:.1} s: reused an earlier crawl of the same input (--reuse)."
            ),
            (_, Some("cancelled")) => format!("Cancelled after {secs:.1} s."),
            _ => format!("Finished in {secs:.1} s: no more links to follow."),
        };
        let _ = writeln!(out, "{headline}");
        let _ = writeln!(
            out,
            "  saved:    {}, {} chunks, {} tokens",
            pages(self.saved.pages),
            self.saved.chunks,
            thousands(self.saved.tokens)
        );
        if self.failed > 0 {
            let _ = writeln!(out, "  failed:   {}", pages(self.failed));
            for (reason, count) in self.reasons.iter().take(REASONS_SHOWN as usize) {
                let _ = writeln!(out, "            {count:>4} × {reason}");
            }
            if self.reasons.len() > REASONS_SHOWN as usize {
                let _ = writeln!(out, "            … and other reasons");
            }
        } else {
            let _ = writeln!(out, "  failed:   0 pages");
        }
        for line in &self.errors {
            let _ = writeln!(out, "  error:    {line}");
        }
        let _ = writeln!(
            out,
            "  database: {} (session {session_id}; `docscrape serve --db {}` shows it)",
            db.display(),
            db.display()
        );
        out
    }
}

fn pages(count: i64) -> String {
    match count {
        1 => "1 page".to_string(),
        n => format!("{n} pages"),
    }
}

/// `151230` → `151,230`.
fn thousands(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if number < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(151_230), "151,230");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }

    fn summary(state: JobState, reason: Option<&str>) -> Summary {
        Summary {
            state,
            finish_reason: reason.map(str::to_string),
            budget: 10,
            saved: SavedTotals {
                pages: 4,
                chunks: 9,
                tokens: 12_345,
            },
            failed: 3,
            reasons: vec![
                ("HTTP 404 Not Found".into(), 2),
                ("timed out after 30 s".into(), 1),
            ],
            pending: 7,
            errors: Vec::new(),
        }
    }

    #[test]
    fn the_report_says_how_it_ended_and_groups_failures() {
        let text = summary(JobState::Finished, Some("max_iterations")).render(
            Duration::from_millis(2500),
            false,
            Path::new("x.db"),
            "s",
        );
        assert!(
            text.starts_with(
                "Finished in 2.5 s: the budget of 10 pages is spent and 7 link(s) are left"
            ),
            "{text}"
        );
        assert!(
            text.contains("saved:    4 pages, 9 chunks, 12,345 tokens"),
            "{text}"
        );
        assert!(text.contains("   2 × HTTP 404 Not Found"), "{text}");
        assert!(text.contains("   1 × timed out after 30 s"), "{text}");
        let text = summary(JobState::Finished, Some("cancelled")).render(
            Duration::from_secs(1),
            true,
            Path::new("x.db"),
            "s",
        );
        assert!(
            text.starts_with("Interrupted after 1.0 s; the 4 page(s) saved"),
            "{text}"
        );
    }
}
