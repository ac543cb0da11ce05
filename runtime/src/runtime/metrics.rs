//! `RuntimeMetrics`: a live view of the scheduler's counters (no special build flag).

use crate::engine;
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// Counters describing a runtime, with Tokio's names.
///
/// Per-worker counters (polls, steals, parks, schedules, busy time, the histogram) are kept
/// by each worker in its own memory and published at its maintenance ticks (every
/// `event_interval` polls) and before it parks, so they can lag the truth by a few dozen polls
/// on a busy worker; an idle worker's are exact. Queue depths, task counts and the I/O
/// driver's counters are read live. Every counter starts at zero when the runtime is built
/// and only grows. See docs/observability.md ("Reading metrics") for the whole table and what
/// the counters cost.
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

    /// Times worker `worker` parked so far: went idle with nothing to run (on the
    /// current-thread flavor, `block_on` waiting for its future or a task to be woken).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// // A paused clock only advances when the scheduler is idle, so the sleep always parks
    /// // (on a real clock a loaded machine may let 1 ms pass before the worker gets to park).
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
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

    /// Tasks spawned on this runtime since it was built (`spawn`, `spawn_on`, `JoinSet`,
    /// ...; not [`spawn_blocking`](crate::task::spawn_blocking) closures, which
    /// [`num_blocking_threads`](Self::num_blocking_threads) and
    /// [`blocking_queue_depth`](Self::blocking_queue_depth) describe). Live.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..3 {
    ///         runtime::spawn(async {}).await.unwrap();
    ///     }
    /// });
    /// assert_eq!(rt.metrics().spawned_tasks_count(), 3);
    /// ```
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.spawned_tasks_count()
    }

    /// Tasks scheduled from outside the runtime's workers: spawned or woken on a thread that
    /// is not running one of its workers (a `block_on` caller on the multi-thread flavor, a
    /// plain thread, a blocking-pool thread), so they went through the shared injection
    /// queue. Live.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// let task = rt.spawn(async {}); // from the main thread: remote
    /// rt.block_on(task).unwrap();
    /// assert_eq!(rt.metrics().remote_schedule_count(), 1);
    /// ```
    pub fn remote_schedule_count(&self) -> u64 {
        self.handle.remote_schedule_count()
    }

    /// Times a task's poll was cut short because it spent its coop budget (128 operations on
    /// runtime resources in one poll): the resource returned `Pending` and woke the task so
    /// others could run. Summed over the workers, each published at maintenance and parking.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     for _ in 0..1_000 {
    ///         runtime::task::coop::consume_budget().await;
    ///     }
    /// });
    /// assert!(rt.metrics().budget_forced_yield_count() >= 1);
    /// ```
    pub fn budget_forced_yield_count(&self) -> u64 {
        self.handle.budget_forced_yield_count()
    }

    /// Tasks worker `worker` stole from its peers so far (0 on the current-thread flavor).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// let metrics = rt.metrics();
    /// assert!(metrics.worker_steal_count(1) >= metrics.worker_steal_operations(1));
    /// ```
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.handle.worker_steal_count(worker)
    }

    /// Steal operations by worker `worker` that took at least one task (each takes up to half
    /// of a peer's queue; 0 on the current-thread flavor).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.metrics().worker_steal_operations(0), 0);
    /// ```
    pub fn worker_steal_operations(&self, worker: usize) -> u64 {
        self.handle.worker_steal_operations(worker)
    }

    /// Parks and unparks of worker `worker` together: odd while it is parked, even while it
    /// runs (as published before it parks and at its maintenance ticks).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// // A paused clock only advances when the scheduler is idle, so the sleep always parks
    /// // (on a real clock a loaded machine may let 1 ms pass before the worker gets to park).
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(runtime::time::sleep(std::time::Duration::from_millis(1)));
    /// let metrics = rt.metrics();
    /// assert!(metrics.worker_park_unpark_count(0) >= 1);
    /// ```
    pub fn worker_park_unpark_count(&self, worker: usize) -> u64 {
        self.handle.worker_park_unpark_count(worker)
    }

    /// Times worker `worker` woke from a park, ran no task, and parked again (a spurious or
    /// wasted wake-up).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let metrics = rt.metrics();
    /// assert!(metrics.worker_noop_count(0) <= metrics.worker_park_count(0));
    /// ```
    pub fn worker_noop_count(&self, worker: usize) -> u64 {
        self.handle.worker_noop_count(worker)
    }

    /// Tasks scheduled on worker `worker`'s own queue (or LIFO slot) by code running on that
    /// worker: spawns and wakes from its tasks or from its I/O and timer driver turns.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.metrics().worker_local_schedule_count(0), 1);
    /// ```
    pub fn worker_local_schedule_count(&self, worker: usize) -> u64 {
        self.handle.worker_local_schedule_count(worker)
    }

    /// Times worker `worker`'s local queue overflowed into the injection queue: always 0
    /// here. Tokio's local queue holds 256 tasks and moves half of them to the injection
    /// queue when full; this runtime's local queue grows instead (see the scheduler's
    /// documentation: capping it made local spawns up to 2x slower), so no task ever
    /// overflows. Kept so code written against Tokio's metrics compiles and reads the truth.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// rt.block_on(rt.spawn(async {
    ///     let tasks: Vec<_> = (0..1_000).map(|_| runtime::spawn(async {})).collect();
    ///     for task in tasks {
    ///         task.await.unwrap();
    ///     }
    /// }))
    /// .unwrap();
    /// assert_eq!(rt.metrics().worker_overflow_count(0), 0);
    /// ```
    pub fn worker_overflow_count(&self, worker: usize) -> u64 {
        assert!(
            worker < self.num_workers(),
            "worker index {worker} out of range (the runtime has {} workers)",
            self.num_workers()
        );
        0
    }

    /// Time worker `worker` spent busy (not parked idle) so far: running tasks, polling the
    /// driver at maintenance, looking for work. Measured at parks, unparks and maintenance
    /// ticks (never per poll).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { runtime::spawn(async { std::thread::sleep(Duration::from_millis(5)) }).await.unwrap() });
    /// assert!(rt.metrics().worker_total_busy_duration(0) >= Duration::from_millis(5));
    /// ```
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        self.handle.worker_total_busy_duration(worker)
    }

    /// Recent mean time of one task poll on worker `worker`: a moving average (newest batch
    /// weighted 0.1) of each batch's busy time divided by its polls, a batch running from an
    /// unpark or maintenance tick to the next. It therefore includes the scheduler's own time
    /// between polls, and needs no clock read per poll. Zero until the first batch with a poll
    /// ends.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { runtime::spawn(async { std::thread::sleep(Duration::from_millis(5)) }).await.unwrap() });
    /// assert!(rt.metrics().worker_mean_poll_time(0) >= Duration::from_millis(2));
    /// ```
    pub fn worker_mean_poll_time(&self, worker: usize) -> Duration {
        self.handle.worker_mean_poll_time(worker)
    }

    /// Whether the poll-time histogram is on
    /// ([`Builder::enable_metrics_poll_time_histogram`](crate::Builder::enable_metrics_poll_time_histogram)).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(!rt.metrics().poll_time_histogram_enabled());
    /// ```
    pub fn poll_time_histogram_enabled(&self) -> bool {
        self.handle.poll_time_histogram_enabled()
    }

    /// Buckets of the poll-time histogram (0 when it is off).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .enable_metrics_poll_time_histogram()
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.metrics().poll_time_histogram_num_buckets(), 10);
    /// ```
    pub fn poll_time_histogram_num_buckets(&self) -> usize {
        self.handle.poll_time_histogram_num_buckets()
    }

    /// The poll durations bucket `bucket` counts; the last bucket's range ends at
    /// `Duration::from_nanos(u64::MAX)` (it takes every longer poll).
    ///
    /// # Panics
    /// If the histogram is off or `bucket >= poll_time_histogram_num_buckets()`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread()
    ///     .enable_metrics_poll_time_histogram()
    ///     .build()
    ///     .unwrap();
    /// let range = rt.metrics().poll_time_histogram_bucket_range(0);
    /// assert_eq!(range, Duration::ZERO..Duration::from_micros(100));
    /// ```
    pub fn poll_time_histogram_bucket_range(&self, bucket: usize) -> Range<Duration> {
        self.handle.poll_time_histogram_bucket_range(bucket)
    }

    /// Polls by worker `worker` whose duration fell in bucket `bucket`. Published with
    /// [`worker_poll_count`](Self::worker_poll_count), so at any moment the buckets of a
    /// worker sum to its poll count.
    ///
    /// # Panics
    /// If the histogram is off, `worker >= num_workers()` or
    /// `bucket >= poll_time_histogram_num_buckets()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .enable_metrics_poll_time_histogram()
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    /// // One short poll: the first bucket (under 100 µs) on any sane machine.
    /// let metrics = rt.metrics();
    /// let all: u64 = (0..metrics.poll_time_histogram_num_buckets())
    ///     .map(|b| metrics.worker_poll_time_histogram_bucket_count(0, b))
    ///     .sum();
    /// assert_eq!(all, 1);
    /// ```
    pub fn worker_poll_time_histogram_bucket_count(&self, worker: usize, bucket: usize) -> u64 {
        self.handle
            .worker_poll_time_histogram_bucket_count(worker, bucket)
    }

    /// Readiness events the I/O driver delivered to registered sockets (and other sources)
    /// since the runtime was built. Live.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.metrics().io_driver_ready_count(), 0);
    /// ```
    pub fn io_driver_ready_count(&self) -> u64 {
        self.handle.io_driver_metrics().readiness_events
    }

    /// File descriptors (sockets, pipes, ...) registered with the I/O driver since the runtime
    /// was built. Live.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     drop(listener);
    /// });
    /// let metrics = rt.metrics();
    /// assert_eq!(metrics.io_driver_fd_registered_count(), 1);
    /// assert_eq!(metrics.io_driver_fd_deregistered_count(), 1);
    /// ```
    pub fn io_driver_fd_registered_count(&self) -> u64 {
        self.handle.io_driver_metrics().fd_registered
    }

    /// File descriptors deregistered from the I/O driver since the runtime was built (every
    /// socket of the runtime's own types deregisters when dropped). Registered minus
    /// deregistered is the number of sources registered now. Live.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.metrics().io_driver_fd_deregistered_count(), 0);
    /// ```
    pub fn io_driver_fd_deregistered_count(&self) -> u64 {
        self.handle.io_driver_metrics().fd_deregistered
    }

    /// The thread running worker `worker` now: `None` before it starts and after it stops (a
    /// current-thread runtime's worker runs only inside `block_on`, on the caller's thread).
    /// A multi-thread worker moves to a new thread when a task on it calls
    /// [`block_in_place`](crate::task::block_in_place).
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let metrics = rt.metrics();
    /// assert_eq!(metrics.worker_thread_id(0), None);
    /// let inside = rt.block_on(async { metrics.worker_thread_id(0) });
    /// assert_eq!(inside, Some(std::thread::current().id()));
    /// ```
    pub fn worker_thread_id(&self, worker: usize) -> Option<std::thread::ThreadId> {
        self.handle.worker_thread_id(worker)
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
            .field("spawned_tasks_count", &self.spawned_tasks_count())
            .field("remote_schedule_count", &self.remote_schedule_count())
            .finish_non_exhaustive()
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
    /// and timers). Always 0 on the current-thread flavor and on a multi-thread runtime of one
    /// worker (no other worker to hand anything to).
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
