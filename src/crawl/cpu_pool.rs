//! The threads that parse pages and cut them into counted chunks.
//!
//! That work is CPU-bound, so it runs off the async runtime. On tokio's blocking pool it
//! ran on whichever of that pool's threads was free (twenty and more on a busy crawl, as
//! every storage call and link plan takes one too), and each thread that had parsed
//! kept its own cache of token counts and an allocator arena sized by the last large
//! tree it built. One thread a core does the same work with that memory held a few
//! times instead of twenty (a 10,000-page crawl of JDK 17's API: peak RSS 30 MiB lower,
//! `docs/benchmarks.md`).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};

type Task = Box<dyn FnOnce() + Send>;

/// Why work sent to the pool gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum CpuPoolError {
    #[error("the work stopped with a panic: {0}")]
    Panicked(String),
    #[error("the pool's threads have stopped")]
    Stopped,
}

/// A fixed set of threads taking work in the order it comes. Dropping the pool lets the
/// threads end once the work already queued is done.
pub struct CpuPool {
    queue: mpsc::Sender<Task>,
}

impl CpuPool {
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (queue, tasks) = mpsc::channel::<Task>();
        let tasks = Arc::new(Mutex::new(tasks));
        for index in 0..threads.max(1) {
            let tasks = tasks.clone();
            std::thread::Builder::new()
                .name(format!("docscrape-cpu-{index}"))
                .spawn(move || loop {
                    // The lock is only held while waiting for the next task.
                    let next = tasks
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .recv();
                    match next {
                        Ok(task) => task(),
                        Err(mpsc::RecvError) => return,
                    }
                })?;
        }
        Ok(CpuPool { queue })
    }

    /// Queues `work` for one of the pool's threads at once (as `spawn_blocking` does, so
    /// work that owns a parse admission runs and ends it on that thread even if the
    /// answer is never awaited), and returns its answer to await without holding up the
    /// async runtime. A panic in `work` is its answer, and the thread goes on.
    pub fn run<T, F>(&self, work: F) -> impl Future<Output = Result<T, CpuPoolError>>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = answer.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
        });
        let queued = self.queue.send(task).is_ok();
        async move {
            if !queued {
                return Err(CpuPoolError::Stopped);
            }
            match answered.await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(panic)) => Err(CpuPoolError::Panicked(panic_message(panic.as_ref()))),
                Err(_) => Err(CpuPoolError::Stopped),
            }
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|message| message.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[tokio::test]
    async fn work_runs_on_the_pools_own_threads_only() {
        let pool = CpuPool::new(2).expect("threads start");
        let mut names = HashSet::new();
        for _ in 0..50 {
            let name = pool
                .run(|| std::thread::current().name().map(str::to_string))
                .await
                .expect("the work answers");
            names.insert(name.unwrap_or_default());
        }
        assert!(
            names.len() <= 2 && names.iter().all(|name| name.starts_with("docscrape-cpu-")),
            "{names:?}"
        );
    }

    #[tokio::test]
    async fn queued_work_runs_even_when_its_answer_is_not_awaited() {
        let pool = CpuPool::new(1).expect("a thread starts");
        let (ran, told) = mpsc::channel();
        drop(pool.run(move || ran.send(()).expect("the test waits")));
        told.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the work ran");
    }

    #[tokio::test]
    async fn a_panic_is_the_works_answer_and_the_thread_goes_on() {
        let pool = CpuPool::new(1).expect("a thread starts");
        let failed = pool.run(|| -> usize { panic!("a bad page") }).await;
        assert!(
            matches!(&failed, Err(CpuPoolError::Panicked(message)) if message == "a bad page"),
            "{failed:?}"
        );
        assert_eq!(pool.run(|| 7).await.expect("the one thread still works"), 7);
    }
}
