//! The progress of running jobs, kept in memory by the engine that makes it, so that a
//! status poll of a running job touches neither the database nor the blocking pool.
//! The database still receives every count with the page that made it (a restarted
//! server resumes from there); queued, finished and unknown jobs are read from it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::ids;
use crate::model::{JobStatus, Progress};
use crate::storage::jobs::{JobRow, JobState};

/// What a poll shows of a running job.
pub struct LiveJob {
    pub session_id: String,
    created_at: String,
    started_at: Option<String>,
    total_iterations: i64,
    progress: Mutex<LiveProgress>,
    /// Set once the job's end is written (or its session goes): polls read the database.
    over: AtomicBool,
}

struct LiveProgress {
    message: String,
    completed: i64,
    updated_at: String,
}

impl LiveJob {
    fn progress(&self) -> std::sync::MutexGuard<'_, LiveProgress> {
        self.progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The status as the database row would give it, from memory.
    pub fn status(&self, job_id: &str) -> JobStatus {
        let progress = self.progress();
        JobStatus {
            job_id: job_id.to_string(),
            status: JobState::Running.as_str().to_string(),
            created_at: Some(self.created_at.clone()),
            started_at: self.started_at.clone(),
            updated_at: Some(progress.updated_at.clone()),
            progress: Some(Progress {
                stage: "running".to_string(),
                message: progress.message.clone(),
                completed_iterations: Some(progress.completed.min(self.total_iterations)),
                total_iterations: Some(self.total_iterations),
            }),
            result: None,
            errors: None,
        }
    }

    /// A new message (and `updated_at`), as `set_message` writes it.
    pub fn set_message(&self, message: &str) {
        let mut progress = self.progress();
        progress.message.clear();
        progress.message.push_str(message);
        progress.updated_at = ids::now();
    }

    /// One more iteration, as `count_iteration` writes it.
    pub fn count_iteration(&self, message: &str) {
        let mut progress = self.progress();
        progress.completed = (progress.completed + 1).min(self.total_iterations);
        progress.message.clear();
        progress.message.push_str(message);
        progress.updated_at = ids::now();
    }

    pub fn end(&self) {
        self.over.store(true, Ordering::SeqCst);
    }

    pub fn is_over(&self) -> bool {
        self.over.load(Ordering::SeqCst)
    }
}

/// Running jobs by id.
#[derive(Default)]
pub struct LiveJobs {
    jobs: RwLock<HashMap<String, Arc<LiveJob>>>,
}

impl LiveJobs {
    /// Starts showing `job` (just marked running) from memory.
    pub fn insert(&self, job: &JobRow) -> Arc<LiveJob> {
        let live = Arc::new(LiveJob {
            session_id: job.session_id.clone(),
            created_at: job.created_at.clone(),
            started_at: job.started_at.clone(),
            total_iterations: job.total_iterations,
            progress: Mutex::new(LiveProgress {
                message: job.message.clone(),
                completed: job.completed_iterations,
                updated_at: job.updated_at.clone(),
            }),
            over: AtomicBool::new(false),
        });
        self.write().insert(job.id.clone(), live.clone());
        live
    }

    /// The running job `job_id` of `session_id`, unless it is over.
    pub fn get(&self, session_id: &str, job_id: &str) -> Option<Arc<LiveJob>> {
        self.read()
            .get(job_id)
            .filter(|job| job.session_id == session_id && !job.is_over())
            .cloned()
    }

    /// Marks the job over, so polls read its end from the database.
    pub fn end(&self, job_id: &str) {
        if let Some(job) = self.read().get(job_id) {
            job.end();
        }
    }

    pub fn end_session(&self, session_id: &str) {
        for job in self
            .read()
            .values()
            .filter(|job| job.session_id == session_id)
        {
            job.end();
        }
    }

    pub fn remove(&self, job_id: &str) {
        self.write().remove(job_id);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<LiveJob>>> {
        self.jobs
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<LiveJob>>> {
        self.jobs
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
