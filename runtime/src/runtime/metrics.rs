//! `RuntimeMetrics`: a live view of the scheduler's counters (no special build flag).

use crate::engine;
use std::fmt;

/// Counters describing a runtime, with Tokio's names.
///
/// Per-worker counters (polls, steals, parks) are flushed by each worker at its maintenance
/// ticks and before it parks, so they can lag the truth by a few dozen polls on a busy worker;
/// queue depths are read live.
///
/// ```
/// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// let metrics = rt.metrics();
/// assert_eq!(metrics.num_workers(), 2);
/// assert_eq!(metrics.num_alive_tasks(), 0);
/// ```
#[derive(Clone)]
pub struct RuntimeMetrics {
    handle: engine::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: engine::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Number of worker threads (1 for the current-thread flavor).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 1);
    /// ```
    pub fn num_workers(&self) -> usize {
        self.handle.num_workers()
    }

    /// Tasks spawned and not yet finished.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.metrics().num_alive_tasks(), 1);
    /// task.abort();
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks waiting in the shared injection queue.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let _ = rt.metrics().global_queue_depth();
    /// ```
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Threads the blocking pool started for blocking work ([`spawn_blocking`], `fs`, a
    /// worker handed off by [`block_in_place`]), busy or idle. The multi-thread flavor's worker
    /// threads also live in the pool but are not counted (as in Tokio).
    ///
    /// [`spawn_blocking`]: crate::task::spawn_blocking
    /// [`block_in_place`]: crate::task::block_in_place
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.metrics().num_blocking_threads(), 0);
    /// rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    /// assert_eq!(rt.metrics().num_blocking_threads(), 1); // kept alive for the next job
    /// ```
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.num_blocking_threads()
    }

    /// Blocking-pool threads waiting for work: searching for a job for a moment after
    /// finishing one, or asleep until a job or their keep-alive ends.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let _ = rt.metrics().num_idle_blocking_threads();
    /// ```
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_idle_threads()
    }

    /// Blocking jobs queued and not yet picked up by a thread.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    /// // Nothing is left waiting once the job ran (worker loops never wait in this queue).
    /// assert_eq!(rt.metrics().blocking_queue_depth(), 0);
    /// ```
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking_spawner().queue_depth()
    }

    /// Tasks polled by worker `worker` so far.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    /// assert!(rt.metrics().worker_poll_count(0) >= 1);
    /// ```
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.handle.worker_poll_count(worker)
    }

    /// Successful steals by worker `worker` so far (0 on the current-thread flavor).
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let _ = rt.metrics().worker_steal_count(1);
    /// ```
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.handle.worker_steal_count(worker)
    }

    /// Times worker `worker` parked so far: went idle with nothing to run (on the
    /// current-thread flavor, `block_on` waiting for its future or a task to be woken).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(runtime::time::sleep(std::time::Duration::from_millis(1)));
    /// assert!(rt.metrics().worker_park_count(0) >= 1);
    /// ```
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.handle.worker_park_count(worker)
    }

    /// Tasks waiting in worker `worker`'s local run queue right now, read live from any thread
    /// (a worker blocked inside a task still reports what is queued behind it). Tasks spawned
    /// or woken on a runtime thread go there; the multi-thread flavor's LIFO slot (one task)
    /// is not counted.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let metrics = rt.metrics();
    /// rt.block_on(async move {
    ///     let task = runtime::spawn(async {});
    ///     assert_eq!(metrics.worker_local_queue_depth(0), 1);
    ///     task.await.unwrap();
    ///     assert_eq!(metrics.worker_local_queue_depth(0), 0);
    /// });
    /// ```
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.handle.worker_local_queue_depth(worker)
    }

    /// Timers registered in the runtime's timer wheel (sleeps being awaited; a dropped or
    /// completed sleep no longer counts).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// let metrics = rt.metrics();
    /// rt.block_on(async {
    ///     let nap = runtime::spawn(runtime::time::sleep(std::time::Duration::from_secs(1)));
    ///     runtime::task::yield_now().await;
    ///     assert_eq!(metrics.num_timers(), 1);
    ///     nap.await.unwrap();
    ///     assert_eq!(metrics.num_timers(), 0);
    /// });
    /// ```
    pub fn num_timers(&self) -> usize {
        self.handle.num_timers()
    }
}

impl fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("num_workers", &self.num_workers())
            .field("num_alive_tasks", &self.num_alive_tasks())
            .field("global_queue_depth", &self.global_queue_depth())
            .finish()
    }
}

impl RuntimeMetrics {
    /// Task polls reported slow: polls that ran longer than
    /// [`Builder::slow_poll_threshold`](crate::Builder::slow_poll_threshold), counted
    /// once each, while they were still running.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .slow_poll_threshold(Duration::from_millis(20))
    ///     .on_slow_poll(|_| {})
    ///     .build()
    ///     .unwrap();
    /// let metrics = rt.metrics();
    /// assert_eq!(metrics.slow_poll_count(), 0);
    /// rt.block_on(async {
    ///     runtime::spawn(async { std::thread::sleep(Duration::from_millis(120)) }).await.unwrap();
    /// });
    /// assert_eq!(metrics.slow_poll_count(), 1);
    /// ```
    pub fn slow_poll_count(&self) -> u64 {
        self.handle.slow_poll_count()
    }

    /// Times a multi-thread worker stuck in one poll for
    /// [`Builder::stall_heal_threshold`](crate::Builder::stall_heal_threshold) had its
    /// LIFO slot and queue handed to the other workers (and a parked worker woken to drive I/O
    /// and timers). Always 0 on the current-thread flavor.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let metrics = rt.metrics();
    /// rt.block_on(async {
    ///     runtime::spawn(async { std::thread::sleep(Duration::from_millis(100)) }).await.unwrap();
    /// });
    /// assert_eq!(metrics.stall_heal_count(), 1);
    /// ```
    pub fn stall_heal_count(&self) -> u64 {
        self.handle.stall_heal_count()
    }
}
