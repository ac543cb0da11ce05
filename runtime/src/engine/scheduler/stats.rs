//! Per-worker metrics: [`Stats`], plain integers the worker keeps in its own core, and
//! [`WorkerMetrics`], the atomics it publishes them to for `RuntimeMetrics`.
//!
//! # Cost
//! The spawn, poll and wake paths only bump plain `u64`s in the worker's own core (no atomic,
//! no shared cache line). Everything costlier happens off those paths: the worker publishes
//! its counters with `Relaxed` stores at maintenance (every `event_interval` ticks) and before
//! it parks; busy time and the mean poll time are measured per *batch* (from an unpark or a
//! maintenance tick to the next maintenance tick or park: two clock reads per batch, none per
//! poll). Only the opt-in poll-time histogram reads the clock around every poll.
//!
//! Building with `RUSTFLAGS="--cfg runtime_metrics_off"` turns every method here into a no-op:
//! that build exists only to measure what the metrics cost (docs/observability.md).
#![cfg_attr(
    runtime_metrics_off,
    allow(dead_code, unused_imports, unused_variables, unused_mut)
)]

use super::histogram::{HistogramConfiguration, duration_ns};
use crate::loom::MetricAtomicU64 as AtomicU64;
use crate::loom::sync::Mutex;
// Thread identity, not a synchronisation primitive: `std`'s, so it reads the same under loom.
use std::sync::atomic::Ordering::Relaxed;
use std::thread::ThreadId;
use std::time::Instant;

/// Weight of the newest batch in the mean poll time's moving average.
const MEAN_POLL_TIME_WEIGHT: f64 = 0.1;

/// A worker's counters, written only by the thread running its core.
pub(crate) struct Stats {
    polls: u64,
    steals: u64,
    steal_operations: u64,
    parks: u64,
    park_unparks: u64,
    noops: u64,
    /// `polls` when the worker last parked (`None` before its first park).
    polls_at_last_park: Option<u64>,
    local_schedules: u64,
    forced_yields: u64,
    busy_ns: u64,
    /// When the current batch started, and `polls` then; `None` while parked.
    batch: Option<(Instant, u64)>,
    mean_poll_ns: f64,
    /// Bucket counts of the poll-time histogram, when enabled.
    histogram: Option<(HistogramConfiguration, Box<[u64]>)>,
}

/// What [`Stats`] publishes: one per worker, cache-padded so workers never share a line.
pub(crate) struct WorkerMetrics {
    pub(crate) polls: AtomicU64,
    pub(crate) steals: AtomicU64,
    pub(crate) steal_operations: AtomicU64,
    pub(crate) parks: AtomicU64,
    pub(crate) park_unparks: AtomicU64,
    pub(crate) noops: AtomicU64,
    pub(crate) local_schedules: AtomicU64,
    pub(crate) forced_yields: AtomicU64,
    pub(crate) busy_ns: AtomicU64,
    pub(crate) mean_poll_ns: AtomicU64,
    pub(crate) histogram: Box<[AtomicU64]>,
    /// The thread running the worker now (set when it starts, cleared when it stops).
    pub(crate) thread: Mutex<Option<ThreadId>>,
}

impl WorkerMetrics {
    pub(crate) fn new(histogram: Option<&HistogramConfiguration>) -> WorkerMetrics {
        let buckets = histogram.map_or(0, HistogramConfiguration::num_buckets);
        WorkerMetrics {
            polls: AtomicU64::new(0),
            steals: AtomicU64::new(0),
            steal_operations: AtomicU64::new(0),
            parks: AtomicU64::new(0),
            park_unparks: AtomicU64::new(0),
            noops: AtomicU64::new(0),
            local_schedules: AtomicU64::new(0),
            forced_yields: AtomicU64::new(0),
            busy_ns: AtomicU64::new(0),
            mean_poll_ns: AtomicU64::new(0),
            histogram: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
            thread: Mutex::new(None),
        }
    }
}

impl WorkerMetrics {
    /// Records the calling thread as the one running this worker (off the hot paths: at
    /// worker start, hand-off and `block_on` entry).
    pub(crate) fn set_thread(&self, running: bool) {
        *self.thread.lock() = running.then(|| std::thread::current().id());
    }
}

impl Stats {
    pub(crate) fn new(histogram: Option<&HistogramConfiguration>) -> Stats {
        Stats {
            polls: 0,
            steals: 0,
            steal_operations: 0,
            parks: 0,
            park_unparks: 0,
            noops: 0,
            polls_at_last_park: None,
            local_schedules: 0,
            forced_yields: 0,
            busy_ns: 0,
            batch: None,
            mean_poll_ns: 0.0,
            histogram: histogram.map(|c| (*c, vec![0; c.num_buckets()].into_boxed_slice())),
        }
    }

    /// Whether polls are timed (the histogram is on): schedulers check it once, not per poll.
    pub(crate) fn poll_timing_enabled(&self) -> bool {
        cfg!(not(runtime_metrics_off)) && self.histogram.is_some()
    }

    /// Before a task poll: the clock, if the histogram wants this poll's duration.
    #[inline]
    pub(crate) fn start_poll(&self) -> Option<Instant> {
        #[cfg(not(runtime_metrics_off))]
        if self.histogram.is_some() {
            return Some(Instant::now());
        }
        None
    }

    /// After a task poll (`started` from [`Stats::start_poll`]): counts it, and files its
    /// duration in the histogram if enabled.
    #[inline]
    pub(crate) fn end_poll(&mut self, started: Option<Instant>) {
        #[cfg(not(runtime_metrics_off))]
        {
            self.polls += 1;
            if let Some(started) = started {
                self.record_poll_time(started);
            }
        }
        let _ = started;
    }

    #[cold]
    fn record_poll_time(&mut self, started: Instant) {
        if let Some((config, counts)) = self.histogram.as_mut() {
            counts[config.bucket_of(duration_ns(started.elapsed()))] += 1;
        }
    }

    /// A task was queued on this worker (local queue or LIFO slot) by a spawn or wake.
    #[inline]
    pub(crate) fn inc_local_schedule(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        {
            self.local_schedules += 1;
        }
    }

    /// One successful steal operation that took `tasks` tasks.
    pub(crate) fn add_steal(&mut self, tasks: u64) {
        #[cfg(not(runtime_metrics_off))]
        {
            self.steal_operations += 1;
            self.steals += tasks;
        }
        let _ = tasks;
    }

    /// The worker starts running on this thread (thread start, taking the core in `block_on`,
    /// waking from a park); a core handed to a new thread by `block_in_place` keeps its batch.
    pub(crate) fn start(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        {
            if self.batch.is_none() {
                self.batch = Some((Instant::now(), self.polls));
            }
            // Forced yields this thread counted while it was not running this worker (say, a
            // multi-thread `block_on` future's) are not this worker's.
            let _ = crate::engine::task::coop::take_forced_yields();
        }
    }

    /// The worker stops running (shutdown, or `block_on` returning): ends the busy batch.
    pub(crate) fn stop(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        if let Some(batch) = self.batch.take() {
            self.end_batch(batch, Instant::now());
        }
        self.pick_up_forced_yields();
    }

    /// The worker is about to park idle: counts the park (and a no-op if it ran nothing since
    /// the last one) and ends the busy batch. Publish with [`Stats::flush`] next.
    pub(crate) fn about_to_park(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        {
            if self.polls_at_last_park == Some(self.polls) {
                self.noops += 1;
            }
            self.polls_at_last_park = Some(self.polls);
            self.parks += 1;
            self.park_unparks += 1;
        }
        self.stop();
    }

    /// The worker woke from an idle park.
    pub(crate) fn unparked(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        {
            self.park_unparks += 1;
        }
        self.start();
    }

    /// A maintenance tick: closes the current batch and opens the next at the same instant.
    pub(crate) fn maintenance(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        if let Some(batch) = self.batch.take() {
            let now = Instant::now();
            self.end_batch(batch, now);
            self.batch = Some((now, self.polls));
        }
        self.pick_up_forced_yields();
    }

    fn end_batch(&mut self, (started, polls_then): (Instant, u64), now: Instant) {
        let elapsed = duration_ns(now.saturating_duration_since(started));
        self.busy_ns = self.busy_ns.saturating_add(elapsed);
        let polls = self.polls - polls_then;
        if polls > 0 {
            let batch_mean = elapsed as f64 / polls as f64;
            self.mean_poll_ns = if self.mean_poll_ns == 0.0 {
                batch_mean
            } else {
                self.mean_poll_ns + MEAN_POLL_TIME_WEIGHT * (batch_mean - self.mean_poll_ns)
            };
        }
    }

    /// Moves the forced yields the coop budget counted on this thread into these stats.
    fn pick_up_forced_yields(&mut self) {
        #[cfg(not(runtime_metrics_off))]
        {
            self.forced_yields += crate::engine::task::coop::take_forced_yields();
        }
    }

    /// Publishes every counter with `Relaxed` stores (the worker is the only writer).
    pub(crate) fn flush(&self, to: &WorkerMetrics) {
        #[cfg(not(runtime_metrics_off))]
        {
            to.polls.store(self.polls, Relaxed);
            to.steals.store(self.steals, Relaxed);
            to.steal_operations.store(self.steal_operations, Relaxed);
            to.parks.store(self.parks, Relaxed);
            to.park_unparks.store(self.park_unparks, Relaxed);
            to.noops.store(self.noops, Relaxed);
            to.local_schedules.store(self.local_schedules, Relaxed);
            to.forced_yields.store(self.forced_yields, Relaxed);
            to.busy_ns.store(self.busy_ns, Relaxed);
            to.mean_poll_ns.store(self.mean_poll_ns as u64, Relaxed);
            if let Some((_, counts)) = &self.histogram {
                for (to, &count) in to.histogram.iter().zip(counts.iter()) {
                    to.store(count, Relaxed);
                }
            }
        }
        let _ = to;
    }
}
