//! The job engine: scrape jobs run as in-process tokio tasks, at most N at once, in
//! creation order; `running` jobs found at start-up resume from their frontier. A job
//! runs where its lease is held (storage::leases): on PostgreSQL several instances share
//! the queue, renew their leases every second, stop a job that was ended elsewhere, and
//! take over the jobs of an instance that died.

pub mod input;
pub mod live;
pub mod status;
pub mod stop;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::crawl::runner::{self, CrawlShared};
use crate::crawl::template;
use crate::error::StorageError;
use crate::ids;
use crate::model::UPLOAD_JOB_TYPE;
use crate::storage::jobs::{self as job_rows, Ending};
use crate::storage::{frontier, leases, pages, Db};
use input::ScrapeInput;
use live::LiveJobs;
use stop::JobStop;

/// How long a finished crawl stays reusable for an identical request.
const CACHE_MAX_AGE: time::Duration = time::Duration::days(28);

#[derive(Clone)]
pub struct JobEngine {
    inner: Arc<EngineInner>,
}

struct ActiveJob {
    session_id: String,
    cancel: JobStop,
}

struct EngineInner {
    db: Db,
    crawl: Arc<CrawlShared>,
    slots: Arc<Semaphore>,
    active: Mutex<HashMap<String, ActiveJob>>,
    wake: Notify,
    stall_timeout: Duration,
    uploads: crate::uploads::UploadLimits,
    /// Jobs that ended but whose end could not be written (full disk, read-only file):
    /// their error lines, served as a `failed` status until the write succeeds.
    unrecorded: Mutex<HashMap<String, Vec<String>>>,
    /// The progress of running jobs, which status polls read.
    live: LiveJobs,
}

impl JobEngine {
    /// Starts the dispatcher and the stall watchdog on the current tokio runtime.
    pub fn start(
        db: Db,
        crawl: Arc<CrawlShared>,
        max_concurrent_jobs: usize,
        stall_timeout: Duration,
        uploads: crate::uploads::UploadLimits,
    ) -> JobEngine {
        let engine = JobEngine::new(db, crawl, max_concurrent_jobs, stall_timeout, uploads);
        tokio::spawn(engine.clone().dispatch());
        tokio::spawn(engine.clone().watch_for_stalls());
        engine.keep_leases();
        engine
    }

    /// An engine without a dispatcher, for the one-shot CLI: it runs only the job handed
    /// to `run_now`, and leaves alone the jobs a server queued in the same file.
    pub fn without_dispatcher(
        db: Db,
        crawl: Arc<CrawlShared>,
        stall_timeout: Duration,
        uploads: crate::uploads::UploadLimits,
    ) -> JobEngine {
        let engine = JobEngine::new(db, crawl, 1, stall_timeout, uploads);
        tokio::spawn(engine.clone().watch_for_stalls());
        engine.keep_leases();
        engine
    }

    /// Where instances share jobs, renews this one's leases in the background.
    fn keep_leases(&self) {
        if leases::shared(self.inner.db.dialect()) {
            tokio::spawn(self.clone().renew_leases());
        }
    }

    /// Every second: extends the leases of the jobs this instance runs, and stops the
    /// task of any job it no longer holds (cancelled through another instance, its
    /// session deleted there, or taken over after this instance could not renew).
    async fn renew_leases(self) {
        let mut ticker = tokio::time::interval(leases::RENEW_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            // Only jobs that were running here before the renewal read the leases can be
            // missing from its answer for having been lost: a job claimed meanwhile (its
            // claim not yet seen by the renewal's snapshot) is held, and must not be
            // stopped as soon as it started.
            let running_before: std::collections::HashSet<String> =
                self.lock_active().keys().cloned().collect();
            let owner = self.inner.db.owner().to_string();
            let held = match self
                .inner
                .db
                .write(move |tx| {
                    let held = leases::renew(tx, &owner)?;
                    crate::faults::point(crate::faults::LEASE_RENEW);
                    Ok(held)
                })
                .await
            {
                Ok(held) => held,
                Err(err) => {
                    log::error!("cannot renew the job leases of this instance: {err}");
                    continue;
                }
            };
            let lost: Vec<String> = self
                .lock_active()
                .keys()
                .filter(|id| running_before.contains(*id) && !held.contains(id))
                .cloned()
                .collect();
            for job_id in lost {
                log::info!("[job {job_id}] no longer held by this instance (ended or taken over elsewhere); stopping its task");
                self.inner.live.end(&job_id);
                self.stop_task(&job_id);
            }
        }
    }

    fn new(
        db: Db,
        crawl: Arc<CrawlShared>,
        max_concurrent_jobs: usize,
        stall_timeout: Duration,
        uploads: crate::uploads::UploadLimits,
    ) -> JobEngine {
        JobEngine {
            inner: Arc::new(EngineInner {
                db,
                crawl,
                slots: Arc::new(Semaphore::new(max_concurrent_jobs.max(1))),
                active: Mutex::new(HashMap::new()),
                wake: Notify::new(),
                stall_timeout,
                uploads,
                unrecorded: Mutex::new(HashMap::new()),
                live: LiveJobs::default(),
            }),
        }
    }

    /// Runs one queued job to its end on the caller's task, exactly as the dispatcher
    /// would run it; `cancel` stops it like an API cancel.
    pub async fn run_now(&self, job_id: &str, session_id: &str) {
        let Ok(slot) = self.inner.slots.clone().acquire_owned().await else {
            return;
        };
        let (id, owner) = (job_id.to_string(), self.inner.db.owner().to_string());
        match self
            .inner
            .db
            .write(move |tx| leases::claim(tx, &id, &owner))
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                log::warn!("[job {job_id}] is run by another instance");
                return;
            }
            Err(err) => {
                log::error!("[job {job_id}] cannot be claimed: {err}");
                return;
            }
        }
        let cancel = JobStop::new();
        self.lock_active().insert(
            job_id.to_string(),
            ActiveJob {
                session_id: session_id.to_string(),
                cancel: cancel.clone(),
            },
        );
        self.clone().run_job(job_id.to_string(), cancel, slot).await;
    }

    /// The tokenizer-backed chunker jobs use (an import counts its tokens with it).
    pub fn chunker(&self) -> Arc<crate::crawl::chunk::Chunker> {
        self.inner.crawl.chunker.clone()
    }

    /// Queues CPU work that counts tokens on the threads where pages are parsed (at once,
    /// as `CpuPool::run` does), and returns its answer to await.
    pub fn run_on_cpu<T, F>(
        &self,
        work: F,
    ) -> impl std::future::Future<Output = Result<T, crate::crawl::cpu_pool::CpuPoolError>>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.inner.crawl.cpu.run(work)
    }

    pub fn net_policy(&self) -> &crate::crawl::netpolicy::NetPolicy {
        &self.inner.crawl.policy
    }

    /// Tells the dispatcher a job was queued.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// The status of a running job of `session_id`, from memory; `None` when the job is
    /// not running here (queued, over, unknown or another session's): read the database.
    pub fn live_status(&self, session_id: &str, job_id: &str) -> Option<crate::model::JobStatus> {
        // Where instances share jobs, every instance answers from the database, so that
        // they all give the same answer.
        if self.lock_unrecorded().contains_key(job_id) || leases::shared(self.inner.db.dialect()) {
            return None;
        }
        let live = self.inner.live.get(session_id, job_id)?;
        Some(live.status(job_id))
    }

    /// The error lines of a job that ended failed while its end could not be written yet.
    pub fn unrecorded_failure(&self, job_id: &str) -> Option<Vec<String>> {
        self.lock_unrecorded().get(job_id).cloned()
    }

    /// Ends a queued or running job as cancelled, keeping what it saved. `false` when the
    /// job was already over.
    pub async fn cancel(&self, job_id: &str) -> Result<bool, StorageError> {
        if self.lock_unrecorded().contains_key(job_id) {
            return Ok(false);
        }
        // The pages in hand wait at their next step until the cancel is written (see
        // `stop`), and stop then.
        let deciding = self
            .lock_active()
            .get(job_id)
            .map(|job| job.cancel.deciding());
        let id = job_id.to_string();
        let ended = self
            .inner
            .db
            .write(move |tx| {
                job_rows::finish(
                    tx,
                    &id,
                    &Ending::Finished {
                        reason: "cancelled",
                    },
                )
            })
            .await?;
        self.inner.live.end(job_id);
        self.stop_task(job_id);
        drop(deciding);
        if ended {
            log::info!("[job {job_id}] cancelled by request");
        }
        Ok(ended)
    }

    /// Stops the tasks of a session's jobs before the session is deleted.
    pub fn stop_session(&self, session_id: &str) {
        self.inner.live.end_session(session_id);
        let active = self.lock_active();
        for (job_id, job) in active
            .iter()
            .filter(|(_, job)| job.session_id == session_id)
        {
            log::info!("[job {job_id}] stopping: its session is being deleted");
            job.cancel.cancel();
        }
    }

    fn stop_task(&self, job_id: &str) {
        if let Some(job) = self.lock_active().get(job_id) {
            job.cancel.cancel();
        }
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<String, ActiveJob>> {
        self.inner
            .active
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_unrecorded(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.inner
            .unrecorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn dispatch(self) {
        loop {
            let Ok(slot) = self.inner.slots.clone().acquire_owned().await else {
                return;
            };
            match self.next_job().await {
                Ok(Some((job_id, session_id))) => {
                    let cancel = JobStop::new();
                    self.lock_active().insert(
                        job_id.clone(),
                        ActiveJob {
                            session_id,
                            cancel: cancel.clone(),
                        },
                    );
                    tokio::spawn(self.clone().run_job(job_id, cancel, slot));
                }
                Ok(None) => {
                    drop(slot);
                    // Queuing a job here wakes us at once; the timeout is a safety net
                    // on SQLite, and where instances share jobs it is how jobs queued
                    // through another instance, or left by a dead one, are found.
                    let every = if leases::shared(self.inner.db.dialect()) {
                        leases::RENEW_EVERY
                    } else {
                        Duration::from_secs(5)
                    };
                    let _ = tokio::time::timeout(every, self.inner.wake.notified()).await;
                }
                Err(err) => {
                    drop(slot);
                    log::error!("job dispatcher cannot read the queue: {err}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Claims the oldest runnable job that no task is running yet (here or, where
    /// instances share jobs, in another live instance).
    async fn next_job(&self) -> Result<Option<(String, String)>, StorageError> {
        let skip: Vec<String> = {
            let active = self.lock_active();
            let unrecorded = self.lock_unrecorded();
            active.keys().chain(unrecorded.keys()).cloned().collect()
        };
        let owner = self.inner.db.owner().to_string();
        self.inner
            .db
            .write(move |tx| leases::claim_next(tx, &owner, &skip))
            .await
    }

    async fn run_job(self, job_id: String, cancel: JobStop, slot: OwnedSemaphorePermit) {
        let started = std::time::Instant::now();
        let ending = match self.prepare_and_crawl(&job_id, cancel).await {
            Ok(ending) => ending,
            Err(err) => {
                log::error!("[job {job_id}] stopped: {err}");
                Some(Ending::Failed {
                    errors: vec![err.job_error_line()],
                })
            }
        };
        if let Some(ending) = ending {
            let outcome = match &ending {
                Ending::Finished { reason } => reason,
                Ending::Failed { .. } => "failed",
            };
            crate::metrics::job_ended(outcome, started.elapsed());
            let id = job_id.clone();
            let written = ending.clone();
            match self
                .inner
                .db
                .write(move |tx| job_rows::finish(tx, &id, &written))
                .await
            {
                Ok(true) => log::info!("[job {job_id}] ended"),
                Ok(false) => {}
                Err(err) => self.keep_unrecorded(&job_id, ending, &err),
            }
        }
        self.inner.live.end(&job_id);
        self.inner.live.remove(&job_id);
        self.lock_active().remove(&job_id);
        drop(slot);
        self.wake();
    }

    /// Keeps the end of a job that could not be written in memory, as a failure: the
    /// status answers `failed` with the reason at once, the dispatcher leaves the job
    /// alone, and the watchdog writes it as soon as the database takes writes again. If
    /// the process stops first, the job is still `running` in the file and resumes.
    fn keep_unrecorded(&self, job_id: &str, ending: Ending, err: &StorageError) {
        log::error!("[job {job_id}] could not record its end: {err}; reporting it failed until the database takes writes again");
        let mut errors = match ending {
            Ending::Failed { errors } => errors,
            Ending::Finished { .. } => Vec::new(),
        };
        let line = err.job_error_line();
        if !errors.contains(&line) {
            errors.push(line);
        }
        self.lock_unrecorded().insert(job_id.to_string(), errors);
    }

    /// Retries writing the ends kept in memory by `keep_unrecorded`.
    async fn record_unrecorded(&self) {
        let pending: Vec<(String, Vec<String>)> = self
            .lock_unrecorded()
            .iter()
            .map(|(id, errors)| (id.clone(), errors.clone()))
            .collect();
        for (job_id, errors) in pending {
            let id = job_id.clone();
            let ending = Ending::Failed { errors };
            match self
                .inner
                .db
                .write(move |tx| job_rows::finish(tx, &id, &ending))
                .await
            {
                Ok(_) => {
                    log::info!("[job {job_id}] its failed end is now recorded");
                    self.lock_unrecorded().remove(&job_id);
                    self.wake();
                }
                Err(err) => log::debug!("[job {job_id}] end still not recorded: {err}"),
            }
        }
    }

    /// Marks the job running and crawls (or reuses a cached crawl). `None` when the job
    /// is no longer runnable (cancelled or deleted meanwhile).
    async fn prepare_and_crawl(
        &self,
        job_id: &str,
        cancel: JobStop,
    ) -> Result<Option<Ending>, StorageError> {
        let id = job_id.to_string();
        let started = self
            .inner
            .db
            .write(move |tx| {
                let started = job_rows::mark_running(tx, &id)?;
                frontier::requeue_in_flight(tx, &id)?;
                Ok(started
                    .then(|| job_rows::get(tx, &id))
                    .transpose()?
                    .flatten())
            })
            .await?;
        let Some(job) = started else {
            return Ok(None);
        };
        if job.kind == UPLOAD_JOB_TYPE {
            // An upload job writes its own end with its document.
            crate::uploads::run(&self.inner.crawl, self.inner.uploads, &job, cancel.token())
                .await?;
            return Ok(None);
        }
        let live = self.inner.live.insert(&job);
        let input: ScrapeInput = serde_json::from_str(&job.input)
            .map_err(|err| StorageError::Corrupt(format!("input of job {job_id}: {err}")))?;
        log::info!(
            "[job {job_id}] running: {} starter link(s), budget {}",
            input.starter_links.len(),
            input.max_iterations
        );
        if !input.skip_cache {
            if let Some(ending) = self.reuse_cached(&job.id, &job.session_id, &input).await? {
                return Ok(Some(ending));
            }
        }
        let ending = runner::run(self.inner.crawl.clone(), &job, &input, cancel, live).await?;
        if let Ending::Finished { .. } = ending {
            template::clean_job(&self.inner.crawl, &job.id).await?;
        }
        Ok(Some(ending))
    }

    async fn reuse_cached(
        &self,
        job_id: &str,
        session_id: &str,
        input: &ScrapeInput,
    ) -> Result<Option<Ending>, StorageError> {
        let since = ids::format_timestamp(time::OffsetDateTime::now_utc() - CACHE_MAX_AGE);
        let key = input.cache_key();
        let (job, session) = (job_id.to_string(), session_id.to_string());
        let copied = self
            .inner
            .db
            .write(move |tx| {
                let Some(source) = job_rows::find_reusable(tx, &key, &job, &since)? else {
                    return Ok(None);
                };
                if !job_rows::is_running(tx, &job)? {
                    return Ok(None);
                }
                Ok(Some((
                    source.clone(),
                    pages::copy_job_pages(tx, &source, &session, &job)?,
                )))
            })
            .await?;
        Ok(copied.map(|(source, count)| {
            log::info!("[job {job_id}] reused {count} page(s) of job {source} (same input, skipCache false)");
            Ending::Finished {
                reason: "reused_previous_session_data",
            }
        }))
    }

    /// Fails running jobs whose progress has not moved for the stall timeout, so that no
    /// job stays `running` forever.
    async fn watch_for_stalls(self) {
        let period =
            (self.inner.stall_timeout / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
        loop {
            tokio::time::sleep(period).await;
            self.record_unrecorded().await;
            let cutoff = time::OffsetDateTime::now_utc()
                - time::Duration::try_from(self.inner.stall_timeout)
                    .unwrap_or(time::Duration::MINUTE);
            let before = ids::format_timestamp(cutoff);
            let stalled = match self
                .inner
                .db
                .run(move |conn| job_rows::stalled_ids(conn, &before))
                .await
            {
                Ok(ids) => ids,
                Err(err) => {
                    log::error!("stall watchdog cannot read jobs: {err}");
                    continue;
                }
            };
            let stalled_for = describe_duration(self.inner.stall_timeout);
            // Only jobs with a task: a `running` job waiting for a slot after a restart
            // has not had its chance yet.
            let stalled: Vec<String> = {
                let active = self.lock_active();
                stalled
                    .into_iter()
                    .filter(|id| active.contains_key(id))
                    .collect()
            };
            for job_id in stalled {
                let line = format!("Job stalled: no progress for {stalled_for}");
                let id = job_id.clone();
                let ending = Ending::Failed { errors: vec![line] };
                if let Ok(true) = self
                    .inner
                    .db
                    .write(move |tx| job_rows::finish(tx, &id, &ending))
                    .await
                {
                    log::warn!("[job {job_id}] failed: stalled");
                }
                self.inner.live.end(&job_id);
                self.stop_task(&job_id);
            }
        }
    }
}

/// `10 minutes`, `90 seconds`: how long a stall lasted, as a person says it.
fn describe_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        60 => "1 minute".to_string(),
        _ if secs.is_multiple_of(60) => format!("{} minutes", secs / 60),
        1 => "1 second".to_string(),
        _ => format!("{secs} seconds"),
    }
}
