//! The metrics read-out of the door: live counters for `RuntimeMetrics`, one method each.
//! Every read is a `Relaxed` load or a length: a value that may be stale by the time the
//! caller looks at it, never a consistent snapshot across counters.

use super::Handle;
use crate::loom::sync::atomic::Ordering;

impl Handle {
    pub(crate) fn num_workers(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.remotes.len(),
            Handle::CurrentThread(_) => 1,
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.owned.len(),
            Handle::CurrentThread(h) => h.num_alive_tasks(),
        }
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.injector.len(),
            Handle::CurrentThread(h) => h.injection_queue_depth(),
        }
    }

    pub(crate) fn num_blocking_threads(&self) -> usize {
        let threads = self.blocking_spawner().num_threads();
        match self {
            Handle::MultiThread(h) => threads.saturating_sub(h.shared.remotes.len()),
            Handle::CurrentThread(_) => threads,
        }
    }

    pub(crate) fn worker_poll_count(&self, worker: usize) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.worker_metrics[worker]
                .polls
                .load(Ordering::Relaxed),
            Handle::CurrentThread(h) => {
                assert_eq!(worker, 0, "worker index out of range");
                h.polls.load(Ordering::Relaxed)
            }
        }
    }

    pub(crate) fn worker_steal_count(&self, worker: usize) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.worker_metrics[worker]
                .steals
                .load(Ordering::Relaxed),
            Handle::CurrentThread(_) => 0,
        }
    }

    pub(crate) fn worker_park_count(&self, worker: usize) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.worker_metrics[worker]
                .parks
                .load(Ordering::Relaxed),
            Handle::CurrentThread(h) => {
                assert_eq!(worker, 0, "worker index out of range");
                h.parks.load(Ordering::Relaxed)
            }
        }
    }

    pub(crate) fn worker_local_queue_depth(&self, worker: usize) -> usize {
        match self {
            Handle::MultiThread(h) => h.shared.remotes[worker].stealer.len(),
            Handle::CurrentThread(h) => {
                assert_eq!(worker, 0, "worker index out of range");
                h.local_queue_depth.load(Ordering::Relaxed)
            }
        }
    }

    pub(crate) fn num_timers(&self) -> usize {
        self.driver().time().num_timers()
    }

    /// Polls the watchdog reported slow (`scheduler/watchdog`).
    pub(crate) fn slow_poll_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.watch.slow_poll_count(),
            Handle::CurrentThread(h) => h.watch.slow_poll_count(),
        }
    }

    /// Times the watchdog handed a stuck worker's LIFO slot and queue to its peers.
    pub(crate) fn stall_heal_count(&self) -> u64 {
        match self {
            Handle::MultiThread(h) => h.shared.watch.heal_count(),
            Handle::CurrentThread(h) => h.watch.heal_count(),
        }
    }
}
