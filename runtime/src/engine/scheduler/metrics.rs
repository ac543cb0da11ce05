//! The metrics read-out of the door: live counters for `RuntimeMetrics`, one method each.
//! Every read is a `Relaxed` load or a length: a value that may be stale by the time the
//! caller looks at it, never a consistent snapshot across counters.

use super::Handle;
use super::histogram::HistogramConfiguration;
use super::stats::WorkerMetrics;
use crate::loom::MetricAtomicU64 as AtomicU64;
use crate::loom::sync::atomic::Ordering;
use std::ops::Range;
use std::time::Duration;

impl Handle {
    pub(crate) fn num_workers(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.remotes.len(),
            Handle::CurrentThread(_) | Handle::Simulation(_) => 1,
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.owned.len(),
            Handle::CurrentThread(h) => h.num_alive_tasks(),
            Handle::Simulation(h) => h.num_alive_tasks(),
        }
    }

    pub(crate) fn spawned_tasks_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.owned.spawned(),
            Handle::CurrentThread(h) => h.spawned_tasks_count(),
            Handle::Simulation(h) => h.spawned_tasks_count(),
        }
    }

    pub(crate) fn remote_schedule_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.remote_schedules.load(Ordering::Relaxed),
            Handle::CurrentThread(h) => h.remote_schedules.load(Ordering::Relaxed),
            Handle::Simulation(_) => 0,
        }
    }

    pub(crate) fn budget_forced_yield_count(&self) -> u64 {
        (0..self.num_workers())
            .map(|worker| load(&self.worker_metrics(worker).forced_yields))
            .sum()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.injector.len(),
            Handle::CurrentThread(h) => h.injection_queue_depth(),
            Handle::Simulation(h) => h.injection_queue_depth(),
        }
    }

    pub(crate) fn num_blocking_threads(&self) -> usize {
        let threads = self.blocking_spawner().num_threads();
        match self {
            Handle::MultiThread(h) => threads.saturating_sub(h.shared.remotes.len()),
            Handle::CurrentThread(_) | Handle::Simulation(_) => threads,
        }
    }

    /// Worker `worker`'s published counters.
    ///
    /// # Panics
    /// If `worker >= num_workers()`.
    fn worker_metrics(&self, worker: usize) -> &WorkerMetrics {
        let workers = self.num_workers();
        assert!(
            worker < workers,
            "worker index {worker} out of range (the runtime has {workers} workers)"
        );
        match self {
            Handle::MultiThread(h) => &h.shared.worker_metrics[worker],
            Handle::CurrentThread(h) => &h.metrics,
            Handle::Simulation(h) => &h.metrics,
        }
    }

    pub(crate) fn worker_poll_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).polls)
    }

    pub(crate) fn worker_steal_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).steals)
    }

    pub(crate) fn worker_steal_operations(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).steal_operations)
    }

    pub(crate) fn worker_park_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).parks)
    }

    pub(crate) fn worker_park_unpark_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).park_unparks)
    }

    pub(crate) fn worker_noop_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).noops)
    }

    pub(crate) fn worker_local_schedule_count(&self, worker: usize) -> u64 {
        load(&self.worker_metrics(worker).local_schedules)
    }

    pub(crate) fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(load(&self.worker_metrics(worker).busy_ns))
    }

    pub(crate) fn worker_mean_poll_time(&self, worker: usize) -> Duration {
        Duration::from_nanos(load(&self.worker_metrics(worker).mean_poll_ns))
    }

    pub(crate) fn worker_local_queue_depth(&self, worker: usize) -> usize {
        let _ = self.worker_metrics(worker); // the range check
        match self {
            Handle::MultiThread(h) => h.shared.remotes[worker].stealer.len(),
            Handle::CurrentThread(h) => h.local_queue_depth.load(Ordering::Relaxed),
            Handle::Simulation(_) => 0,
        }
    }

    fn poll_time_histogram(&self) -> Option<&HistogramConfiguration> {
        let config = match self {
            Handle::MultiThread(h) => &h.config,
            Handle::CurrentThread(h) => &h.config,
            Handle::Simulation(h) => &h.config,
        };
        config.poll_time_histogram.as_ref()
    }

    pub(crate) fn poll_time_histogram_enabled(&self) -> bool {
        self.poll_time_histogram().is_some()
    }

    pub(crate) fn poll_time_histogram_num_buckets(&self) -> usize {
        self.poll_time_histogram()
            .map_or(0, HistogramConfiguration::num_buckets)
    }

    pub(crate) fn poll_time_histogram_bucket_range(&self, bucket: usize) -> Range<Duration> {
        self.poll_time_histogram()
            .expect("the poll-time histogram is not enabled (Builder::enable_metrics_poll_time_histogram)")
            .bucket_range(bucket)
    }

    pub(crate) fn worker_poll_time_histogram_bucket_count(
        &self,
        worker: usize,
        bucket: usize,
    ) -> u64 {
        let _ = self.poll_time_histogram_bucket_range(bucket); // the checks, with their messages
        load(&self.worker_metrics(worker).histogram[bucket])
    }

    pub(crate) fn worker_thread_id(&self, worker: usize) -> Option<std::thread::ThreadId> {
        *self.worker_metrics(worker).thread.lock()
    }

    pub(crate) fn num_timers(&self) -> usize {
        self.driver().time().num_timers()
    }

    /// Polls the watchdog reported slow (`scheduler/watchdog`).
    pub(crate) fn slow_poll_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.watch.slow_poll_count(),
            Handle::CurrentThread(h) => h.watch.slow_poll_count(),
            Handle::Simulation(_) => 0,
        }
    }

    /// Times the watchdog handed a stuck worker's LIFO slot and queue to its peers.
    pub(crate) fn stall_heal_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.watch.heal_count(),
            Handle::CurrentThread(h) => h.watch.heal_count(),
            Handle::Simulation(_) => 0,
        }
    }

    /// The reactor's lifetime counters (`io_driver_*` metrics).
    #[cfg(not(loom))]
    pub(crate) fn io_driver_metrics(&self) -> io_driver::Metrics {
        self.driver().io_metrics()
    }

    /// Loom models run without a reactor: nothing registered, nothing delivered.
    #[cfg(loom)]
    pub(crate) fn io_driver_metrics(&self) -> io_driver::Metrics {
        io_driver::Metrics::default()
    }
}

fn load(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}
