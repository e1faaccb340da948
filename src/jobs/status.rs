//! The status object of a job, read only from the database so that it answers the same
//! before and after a restart.

use crate::storage::sql::Sql;

use crate::error::StorageError;
use crate::model::{JobStatus, Progress};
use crate::storage::jobs::{self, JobRow, JobState};
use crate::storage::StorageResult;

pub fn status_of(conn: &Sql<'_>, job: &JobRow) -> StorageResult<JobStatus> {
    // Counts appear once the job has run (a job cancelled while queued has run, briefly).
    let has_run = job.started_at.is_some();
    let result = match (job.state, &job.result) {
        (JobState::Finished, Some(text)) => Some(
            serde_json::value::RawValue::from_string(text.clone())
                .map_err(|err| StorageError::Corrupt(format!("result of job {}: {err}", job.id)))?,
        ),
        _ => None,
    };
    let errors = match job.state {
        JobState::Failed => Some(jobs::errors(conn, &job.id)?),
        _ => None,
    };
    Ok(JobStatus {
        job_id: job.id.clone(),
        status: job.state.as_str().to_string(),
        created_at: Some(job.created_at.clone()),
        started_at: job.started_at.clone(),
        updated_at: Some(job.updated_at.clone()),
        progress: Some(Progress {
            stage: job.stage.clone(),
            message: job.message.clone(),
            completed_iterations: has_run
                .then_some(job.completed_iterations.min(job.total_iterations)),
            total_iterations: has_run.then_some(job.total_iterations),
        }),
        result,
        errors,
    })
}

/// The status of a job that ended failed while its end could not be written yet (the
/// database is full or read-only): still `running` in the file, over for its client.
pub fn failed_unrecorded(mut status: JobStatus, errors: Vec<String>) -> JobStatus {
    status.status = JobState::Failed.as_str().to_string();
    if let Some(progress) = status.progress.as_mut() {
        progress.stage = "failed".to_string();
        progress.message = "Failed to scrape documentation".to_string();
    }
    status.result = None;
    status.errors = Some(errors);
    status
}

/// The answer for a job id that does not exist (or belongs to another session).
pub fn not_found(job_id: &str) -> JobStatus {
    JobStatus {
        job_id: job_id.to_string(),
        status: "not_found".to_string(),
        created_at: None,
        started_at: None,
        updated_at: None,
        progress: None,
        result: None,
        errors: None,
    }
}
