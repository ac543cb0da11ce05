//! `Builder`: configure and create a [`Runtime`].

use super::Runtime;
use crate::engine::{
    Config, Flavor, HistogramConfiguration, SimConfig, SlowPoll, SlowPollHook, UnhandledPanic,
    WatchdogConfig,
};
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

type Hook = Arc<dyn Fn() + Send + Sync>;

/// Configures a runtime: flavor, threads, intervals, hooks.
///
/// Every driver (I/O, time) is always enabled; there is no `enable_all` step.
///
/// ```
/// let rt = runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    pub(super) flavor: Flavor,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    thread_stack_size: Option<usize>,
    on_thread_start: Option<Hook>,
    on_thread_stop: Option<Hook>,
    keep_alive: Duration,
    global_queue_interval: Option<u32>,
    event_interval: u32,
    start_paused: bool,
    disable_lifo_slot: bool,
    unhandled_panic: UnhandledPanic,
    poll_time_histogram_enabled: bool,
    poll_time_histogram: HistogramConfiguration,
    slow_poll_threshold: Duration,
    stall_heal_threshold: Duration,
    on_slow_poll: Option<SlowPollHook>,
    /// Set by `Builder::name` (`builder_compat.rs`).
    pub(super) name: Option<String>,
    /// The simulation flavor's seed and limits (`builder_sim.rs`).
    pub(super) sim: SimConfig,
    /// Whether to try an io_uring at start-up (`builder_uring.rs`).
    pub(super) io_uring: bool,
    /// Whether `TcpStream`s use the io_uring too (`builder_uring.rs`).
    pub(super) io_uring_sockets: bool,
    /// `faults` was called (only a simulation builder takes a fault plan).
    #[cfg_attr(loom, allow(dead_code))]
    pub(super) faults_set: bool,
}

/// Default `slow_poll_threshold`: asyncio's `slow_callback_duration` (100 ms).
const DEFAULT_SLOW_POLL_THRESHOLD: Duration = Duration::from_millis(100);
/// Default `stall_heal_threshold`: long enough that ordinary polls (microseconds) never trigger
/// it, short enough that I/O and timers behind a stuck worker are late by at most about 2 ms
/// (while a stuck poll could hold them up the watchdog samples every millisecond, so it is
/// healed 1-2 ms after it starts; a stuck worker's LIFO task alone waits up to about 10 ms).
const DEFAULT_STALL_HEAL_THRESHOLD: Duration = Duration::from_millis(1);

/// Default ticks between zero-timeout driver polls on a busy worker (Tokio's 61, from Go).
const DEFAULT_EVENT_INTERVAL: u32 = crate::loom::if_loom(61, 4);
/// Default ticks between injector checks: 61 on the multi-thread scheduler (Tokio's seed value)
/// and 31 on the current-thread one (Tokio's); re-tune with the `spawn_many_remote_busy` bench.
const DEFAULT_GLOBAL_QUEUE_INTERVAL_MT: u32 = crate::loom::if_loom(61, 2);
const DEFAULT_GLOBAL_QUEUE_INTERVAL_CT: u32 = crate::loom::if_loom(31, 2);

impl Builder {
    /// A builder for the multi-thread, work-stealing runtime.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), num_cpus_or_default());
    /// # fn num_cpus_or_default() -> usize { std::thread::available_parallelism().map_or(1, |n| n.get()) }
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(Flavor::MultiThread)
    }

    /// A builder for the single-thread runtime: tasks run on the thread calling `block_on`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let here = std::thread::current().id();
    /// let there = rt.block_on(async { runtime::spawn(async { std::thread::current().id() }).await });
    /// assert_eq!(there.unwrap(), here);
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(Flavor::CurrentThread)
    }

    pub(super) fn new(flavor: Flavor) -> Builder {
        Builder {
            flavor,
            worker_threads: None,
            max_blocking_threads: crate::blocking::DEFAULT_MAX_THREADS,
            thread_name: Arc::new(|| "runtime-worker".to_owned()),
            thread_stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            keep_alive: crate::blocking::DEFAULT_KEEP_ALIVE,
            global_queue_interval: None,
            event_interval: DEFAULT_EVENT_INTERVAL,
            start_paused: false,
            disable_lifo_slot: false,
            unhandled_panic: UnhandledPanic::Ignore,
            poll_time_histogram_enabled: false,
            poll_time_histogram: HistogramConfiguration::default(),
            slow_poll_threshold: DEFAULT_SLOW_POLL_THRESHOLD,
            stall_heal_threshold: DEFAULT_STALL_HEAL_THRESHOLD,
            on_slow_poll: None,
            name: None,
            sim: SimConfig::default(),
            io_uring: true,
            io_uring_sockets: false,
            faults_set: false,
        }
    }

    /// Number of worker threads (multi-thread flavor; default: number of CPUs). Zero is
    /// rejected by [`Builder::build`].
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(3).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 3);
    /// ```
    pub fn worker_threads(&mut self, n: usize) -> &mut Builder {
        self.worker_threads = Some(n);
        self
    }

    /// Most threads the blocking pool may run at once (default 512). Zero is rejected.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().max_blocking_threads(4).build().unwrap();
    /// assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
    /// ```
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Builder {
        self.max_blocking_threads = n;
        self
    }

    /// Name of the runtime's threads (default `runtime-worker`).
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().thread_name("svc").build().unwrap();
    /// let name = rt.block_on(rt.spawn_blocking(|| {
    ///     std::thread::current().name().map(str::to_owned)
    /// }));
    /// assert_eq!(name.unwrap().as_deref(), Some("svc"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Builder {
        let name = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// Stack size of the runtime's threads, in bytes. Zero is rejected.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().thread_stack_size(4 << 20).build().unwrap();
    /// assert_eq!(rt.block_on(async { 3 }), 3);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `f` on every runtime thread as it starts.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let counter = started.clone();
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_start(move || { counter.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert!(started.load(Ordering::SeqCst) >= 2);
    /// ```
    pub fn on_thread_start(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Builder {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on every runtime thread as it stops.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let counter = stopped.clone();
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .on_thread_stop(move || { counter.fetch_add(1, Ordering::SeqCst); })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert!(stopped.load(Ordering::SeqCst) >= 2);
    /// ```
    pub fn on_thread_stop(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Builder {
        self.on_thread_stop = Some(Arc::new(f));
        self
    }

    /// How long an idle blocking-pool thread waits for work before exiting (default 10 s).
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .thread_keep_alive(std::time::Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(rt.spawn_blocking(|| 1)).unwrap(), 1);
    /// ```
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Builder {
        self.keep_alive = duration;
        self
    }

    /// Ticks between checks of the shared injection queue (default 61 multi-thread, 31
    /// current-thread). Zero is rejected.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().global_queue_interval(31).build().unwrap();
    /// assert_eq!(rt.block_on(async { 0 }), 0);
    /// ```
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Builder {
        self.global_queue_interval = Some(ticks);
        self
    }

    /// Ticks between zero-timeout polls of the I/O and timer drivers on a busy worker
    /// (default 61). Zero is rejected.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().event_interval(31).build().unwrap();
    /// assert_eq!(rt.block_on(async { 0 }), 0);
    /// ```
    pub fn event_interval(&mut self, ticks: u32) -> &mut Builder {
        self.event_interval = ticks;
        self
    }

    /// Starts the clock paused (virtual time; current-thread flavor only).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// assert_eq!(rt.block_on(async { 4 }), 4);
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Builder {
        self.start_paused = paused;
        self
    }

    /// Turns off the LIFO slot (every woken task goes to the back of the queue).
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().disable_lifo_slot().build().unwrap();
    /// assert_eq!(rt.block_on(async { runtime::spawn(async { 2 }).await.unwrap() }), 2);
    /// ```
    pub fn disable_lifo_slot(&mut self) -> &mut Builder {
        self.disable_lifo_slot = true;
        self
    }

    /// Turns on the poll-time histogram: every task poll is timed (two clock reads, about
    /// 60 ns here, which is why it is off by default) and counted in a per-worker bucket,
    /// read with [`RuntimeMetrics::worker_poll_time_histogram_bucket_count`]. The buckets are
    /// ten of 100 µs unless [`Builder::metrics_poll_time_histogram_configuration`] says
    /// otherwise.
    ///
    /// [`RuntimeMetrics::worker_poll_time_histogram_bucket_count`]: crate::RuntimeMetrics::worker_poll_time_histogram_bucket_count
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .enable_metrics_poll_time_histogram()
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    /// let metrics = rt.metrics();
    /// assert!(metrics.poll_time_histogram_enabled());
    /// assert_eq!(metrics.poll_time_histogram_num_buckets(), 10);
    /// let polls: u64 = (0..10)
    ///     .map(|bucket| metrics.worker_poll_time_histogram_bucket_count(0, bucket))
    ///     .sum();
    /// assert_eq!(polls, metrics.worker_poll_count(0));
    /// ```
    pub fn enable_metrics_poll_time_histogram(&mut self) -> &mut Builder {
        self.poll_time_histogram_enabled = true;
        self
    }

    /// The poll-time histogram's buckets (linear or log); takes effect only with
    /// [`Builder::enable_metrics_poll_time_histogram`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread()
    ///     .enable_metrics_poll_time_histogram()
    ///     .metrics_poll_time_histogram_configuration(runtime::HistogramConfiguration::linear(
    ///         Duration::from_millis(1),
    ///         5,
    ///     ))
    ///     .build()
    ///     .unwrap();
    /// let metrics = rt.metrics();
    /// assert_eq!(metrics.poll_time_histogram_num_buckets(), 5);
    /// assert_eq!(
    ///     metrics.poll_time_histogram_bucket_range(1),
    ///     Duration::from_millis(1)..Duration::from_millis(2)
    /// );
    /// ```
    pub fn metrics_poll_time_histogram_configuration(
        &mut self,
        configuration: HistogramConfiguration,
    ) -> &mut Builder {
        self.poll_time_histogram = configuration;
        self
    }

    /// What a panicking task does to the runtime (default [`UnhandledPanic::Ignore`]).
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .unhandled_panic(runtime::UnhandledPanic::ShutdownRuntime)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { 9 }), 9);
    /// ```
    pub fn unhandled_panic(&mut self, policy: UnhandledPanic) -> &mut Builder {
        self.unhandled_panic = policy;
        self
    }

    /// A task poll running longer than this is reported *while it still runs* (default 100 ms,
    /// asyncio's `slow_callback_duration`): to the [`Builder::on_slow_poll`] hook, or by
    /// default as one line on stderr (at most one line a second; the next line says how many
    /// were skipped). Each slow poll is reported once, and counted in
    /// [`RuntimeMetrics::slow_poll_count`](crate::RuntimeMetrics::slow_poll_count).
    /// `Duration::MAX` turns reports off. Zero is rejected by [`Builder::build`].
    ///
    /// Detection costs two plain stores per poll; a monitor thread named
    /// `<thread name>-watchdog` samples the workers every few milliseconds while any is awake
    /// and sleeps while all are parked.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread()
    ///     .slow_poll_threshold(Duration::from_millis(30))
    ///     .on_slow_poll(|_| {})
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     runtime::spawn(async { std::thread::sleep(Duration::from_millis(150)) }).await.unwrap();
    /// });
    /// assert_eq!(rt.metrics().slow_poll_count(), 1);
    /// ```
    pub fn slow_poll_threshold(&mut self, threshold: Duration) -> &mut Builder {
        self.slow_poll_threshold = threshold;
        self
    }

    /// Where slow-poll reports go instead of stderr. The hook runs on the watchdog thread
    /// while the slow poll is still running; it should return quickly (detection and healing
    /// wait for it). A panic in the hook is caught and ignored.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .slow_poll_threshold(Duration::from_millis(30))
    ///     .on_slow_poll(move |slow| tx.send(slow.to_string()).unwrap())
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     runtime::spawn(async { std::thread::sleep(Duration::from_millis(150)) }).await.unwrap();
    /// });
    /// let line = rx.recv().unwrap();
    /// assert!(line.starts_with("slow poll: task "), "{line}");
    /// ```
    pub fn on_slow_poll(
        &mut self,
        hook: impl Fn(&SlowPoll) + Send + Sync + 'static,
    ) -> &mut Builder {
        self.on_slow_poll = Some(SlowPollHook(Arc::new(hook)));
        self
    }

    /// How long a multi-thread worker may stay in one poll before the runtime works around it
    /// (default 1 ms): the task in its LIFO slot and its queued tasks go to the other workers,
    /// and a parked worker is woken to take over the I/O and timer driver. The stuck poll
    /// itself runs on undisturbed. The threshold is kept to within a millisecond whenever the
    /// stuck poll could hold up I/O or timers (no worker is parked in the driver); otherwise
    /// only a LIFO task is waiting and the watchdog, sampling every 5 ms then, heals within
    /// about 10 ms. The watchdog's samples never preempt a running thread (on Linux), so on
    /// a machine with no idle CPU a heal may come up to a scheduler tick later. `Duration::MAX`
    /// turns healing off; the current-thread
    /// flavor and a multi-thread runtime of one worker cannot heal (their one worker is the
    /// stuck one), so for them the setting does nothing. Zero is rejected by
    /// [`Builder::build`].
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .stall_heal_threshold(Duration::from_millis(5))
    ///     .build()
    ///     .unwrap();
    /// let late = rt.block_on(async {
    ///     let (tx, rx) = runtime::sync::oneshot::channel();
    ///     runtime::spawn(async move {
    ///         // Spawned from a worker: goes to this worker's LIFO slot.
    ///         let start = Instant::now();
    ///         runtime::spawn(async move { tx.send(start.elapsed()).unwrap() });
    ///         std::thread::sleep(Duration::from_millis(500)); // blocks the worker
    ///     });
    ///     rx.await.unwrap()
    /// });
    /// assert!(late < Duration::from_millis(400), "waited {late:?}");
    /// ```
    pub fn stall_heal_threshold(&mut self, threshold: Duration) -> &mut Builder {
        self.stall_heal_threshold = threshold;
        self
    }

    /// Creates the runtime. Bad settings give an `InvalidInput` error, never a panic.
    ///
    /// ```
    /// let err = runtime::Builder::new_multi_thread().worker_threads(0).build().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        let invalid = |msg: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, msg.to_owned()));
        let workers = match self.flavor {
            Flavor::MultiThread => self.worker_threads.unwrap_or_else(crate::loom::num_cpus),
            Flavor::CurrentThread | Flavor::Simulation => 1,
        };
        if workers == 0 {
            return invalid("worker_threads must be at least 1");
        }
        #[cfg(not(loom))]
        if let Err(msg) = self.check_faults() {
            return invalid(&msg);
        }
        // The test suite under the simulation flavor (CI's `.ci/sim-suite`, `sim/suite.rs`).
        #[cfg(all(feature = "sim-suite", not(loom)))]
        if self.flavor == Flavor::CurrentThread
            && let Some(seed) = crate::sim::suite::builder_seed()
        {
            self.flavor = Flavor::Simulation;
            self.sim.seed = seed;
        }
        if workers > 1 << 15 {
            return invalid("worker_threads must be at most 32768");
        }
        if self.max_blocking_threads == 0 {
            return invalid("max_blocking_threads must be at least 1");
        }
        if self.thread_stack_size == Some(0) {
            return invalid("thread_stack_size must be greater than 0");
        }
        if self.event_interval == 0 {
            return invalid("event_interval must be at least 1");
        }
        if self.global_queue_interval == Some(0) {
            return invalid("global_queue_interval must be at least 1");
        }
        if self.slow_poll_threshold.is_zero() {
            return invalid("slow_poll_threshold must be greater than 0");
        }
        if self.stall_heal_threshold.is_zero() {
            return invalid("stall_heal_threshold must be greater than 0");
        }
        if self.start_paused && self.flavor == Flavor::MultiThread {
            return invalid("start_paused requires the current_thread flavor");
        }
        let global_queue_interval = self.global_queue_interval.unwrap_or(match self.flavor {
            Flavor::MultiThread => DEFAULT_GLOBAL_QUEUE_INTERVAL_MT,
            Flavor::CurrentThread | Flavor::Simulation => DEFAULT_GLOBAL_QUEUE_INTERVAL_CT,
        });
        let config = Config {
            event_interval: self.event_interval,
            global_queue_interval,
            disable_lifo_slot: self.disable_lifo_slot,
            unhandled_panic: self.unhandled_panic,
            start_paused: self.start_paused,
            poll_time_histogram: self
                .poll_time_histogram_enabled
                .then_some(self.poll_time_histogram),
            watchdog: self.watchdog_config(workers),
            name: self.name.clone(),
            sim: self.sim,
            io_uring: self.io_uring,
            io_uring_sockets: self.io_uring_sockets,
        };
        let pool = crate::blocking::PoolConfig {
            // Multi-thread workers run on the pool too, so they come on top of the blocking
            // threads; the current-thread flavor's worker is the `block_on` caller.
            max_threads: match self.flavor {
                Flavor::MultiThread => self.max_blocking_threads.saturating_add(workers),
                Flavor::CurrentThread | Flavor::Simulation => self.max_blocking_threads,
            },
            keep_alive: self.keep_alive,
            thread_name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            on_thread_start: self.on_thread_start.clone(),
            on_thread_stop: self.on_thread_stop.clone(),
        };
        Runtime::from_parts(self.flavor, workers, config, pool)
    }
}

impl Builder {
    /// Builds a [`LocalRuntime`](crate::LocalRuntime): a current-thread runtime that also runs
    /// `!Send` tasks ([`spawn_local`](crate::task::spawn_local)), as Tokio's `build_local`.
    ///
    /// # Errors
    /// As [`Builder::build`]; an `InvalidInput` error on a multi-thread builder (Tokio
    /// panics there: a local runtime has one thread).
    ///
    /// ```
    /// use runtime::LocalOptions;
    ///
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(LocalOptions::default())
    ///     .unwrap();
    /// let shared = std::rc::Rc::new(4);
    /// let task = rt.spawn_local({
    ///     let shared = shared.clone();
    ///     async move { *shared + 1 }
    /// });
    /// assert_eq!(rt.block_on(task).unwrap(), 5);
    /// ```
    pub fn build_local(&mut self, options: super::LocalOptions) -> io::Result<super::LocalRuntime> {
        if self.flavor != Flavor::CurrentThread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "build_local requires the current_thread flavor (Builder::new_current_thread)",
            ));
        }
        let runtime = self.build()?;
        Ok(super::LocalRuntime::from_runtime(runtime, options))
    }

    /// The watchdog's settings for a runtime of `workers` workers.
    fn watchdog_config(&self, workers: usize) -> WatchdogConfig {
        let enabled = |threshold: Duration| (threshold != Duration::MAX).then_some(threshold);
        let base = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.thread_name)()))
            .unwrap_or_else(|_| "runtime".to_owned());
        WatchdogConfig {
            slow_poll_threshold: enabled(self.slow_poll_threshold),
            // Healing hands a stuck worker's work to the others: with one worker there is
            // nobody to hand it to, and the heal checks would only make the watchdog sample
            // every millisecond (instead of every tenth of the slow-poll threshold) for nothing.
            heal_threshold: match self.flavor {
                Flavor::MultiThread if workers > 1 => enabled(self.stall_heal_threshold),
                Flavor::MultiThread | Flavor::CurrentThread | Flavor::Simulation => None,
            },
            on_slow_poll: self.on_slow_poll.clone(),
            thread_name: format!("{base}-watchdog"),
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("start_paused", &self.start_paused)
            .field("unhandled_panic", &self.unhandled_panic)
            .field(
                "poll_time_histogram",
                &self
                    .poll_time_histogram_enabled
                    .then_some(&self.poll_time_histogram),
            )
            .field("slow_poll_threshold", &self.slow_poll_threshold)
            .field("stall_heal_threshold", &self.stall_heal_threshold)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Builder;
    use std::time::Duration;

    #[test]
    fn only_a_runtime_with_a_second_worker_samples_for_healing() {
        let mut multi = Builder::new_multi_thread();
        multi.stall_heal_threshold(Duration::from_millis(3));
        assert_eq!(
            multi.watchdog_config(2).heal_threshold,
            Some(Duration::from_millis(3))
        );
        // One worker: nobody to hand a stuck worker's tasks to, so no heal checks (and the
        // watchdog samples at a tenth of the slow-poll threshold instead of every 1.5 ms).
        assert_eq!(multi.watchdog_config(1).heal_threshold, None);
        assert_eq!(
            multi.watchdog_config(1).slow_poll_threshold,
            Some(Duration::from_millis(100))
        );
        let current = Builder::new_current_thread();
        assert_eq!(current.watchdog_config(1).heal_threshold, None);
    }
}
