//! Stall detection: every worker publishes what it is polling in a [`PollRecord`]; a monitor
//! thread (the *watchdog*, `monitor.rs`) samples the records, reports polls that run longer than
//! `slow_poll_threshold` (`report.rs`) and, on the multi-thread flavor, heals a worker stuck in
//! one poll (its LIFO slot and queue go to the other workers, and a parked peer takes the
//! driver).
//!
//! # The record (hot path: two stores per poll)
//! One word per worker on a cache line of its own: `polls << 2 | phase`, with the phase
//! [`IDLE`] (between polls: searching, stealing, maintenance), [`POLLING`] or [`PARKED`]
//! (asleep, or no thread runs the worker). A poll start stores the task id and then the word;
//! its end stores the word again. No clock read, no read-modify-write: the watchdog turns "the
//! word did not change between my samples" into a duration with its own clock.
//!
//! - **W1 (what a sample means).** A word seen `POLLING` at two samples `t` apart means one
//!   poll has been running for at least `t` (the poll count is part of the word, so two
//!   different polls never look the same).
//! - **W2 (the task).** The id is stored before the word (`Release`), and the watchdog reads
//!   word, id, word (`Acquire`): if both words are equal the id is the one of that poll.
//!
//! # Sleeping when idle, without missing a stall (rule W3)
//! While any worker is awake the watchdog samples every 1-10 ms (`monitor::tick`). When a
//! sample finds every worker `PARKED` and no word changed since the previous sample, it sets
//! `sleeping`, then re-reads every word (`SeqCst`): if one moved it stays awake, else it blocks
//! on its condvar until a worker wakes it. A worker leaving a park stores its word (`SeqCst`)
//! and then loads `sleeping` (`SeqCst`): in the single order of those four accesses either the
//! watchdog's re-read sees the worker awake or the worker sees `sleeping` and wakes it. Only
//! the first worker to leave a park after an idle stretch pays the wake-up (a `swap` clears the
//! flag), and an idle runtime's watchdog does not wake at all.
// Under loom there is no watchdog thread: only the workers' side (records, handshake) runs.
#![cfg_attr(loom, allow(dead_code))]

#[cfg(not(loom))]
mod monitor;
mod report;

#[cfg(not(loom))]
pub(crate) use monitor::spawn;
pub use report::SlowPoll;
pub(crate) use report::{SlowPollHook, WatchdogConfig};

use crate::engine::task::Id;
use crate::loom::sync::Arc;
use crossbeam_utils::CachePadded;
use parking_lot::{Condvar, Mutex};
// Deliberately `std`'s atomics and `parking_lot`'s lock even under loom (as task ids do): the
// watchdog thread does not exist in loom models, so nothing here is a modelled protocol, and
// loom-tracked stores on every poll and park would only multiply the interleavings of every
// scheduler model.
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Between polls (searching, stealing, maintenance).
pub(crate) const IDLE: u64 = 0;
/// Inside a task's `poll`.
pub(crate) const POLLING: u64 = 1;
/// Asleep, or no thread runs this worker (the current-thread core outside `block_on`).
pub(crate) const PARKED: u64 = 2;
const PHASE_MASK: u64 = 3;

/// What one worker is doing right now (see the module docs).
#[derive(Debug)]
pub(crate) struct PollRecord {
    word: AtomicU64,
    task: AtomicU64,
}

impl PollRecord {
    fn new() -> PollRecord {
        PollRecord {
            word: AtomicU64::new(PARKED),
            task: AtomicU64::new(0),
        }
    }

    /// A poll of `task` starts; it is the worker's `polls`-th (rule W2).
    #[inline]
    pub(crate) fn begin_poll(&self, polls: u64, task: u64) {
        self.task.store(task, Ordering::Release);
        self.word.store(polls << 2 | POLLING, Ordering::Release);
    }

    /// The `polls`-th poll returned.
    #[inline]
    pub(crate) fn end_poll(&self, polls: u64) {
        self.word.store(polls << 2 | IDLE, Ordering::Relaxed);
    }

    /// The worker parks (or stops running).
    pub(crate) fn park(&self, polls: u64) {
        self.word.store(polls << 2 | PARKED, Ordering::SeqCst);
    }

    /// The worker is awake again: rule W3's worker side.
    pub(crate) fn unpark(&self, polls: u64, watch: &Watch) {
        self.word.store(polls << 2 | IDLE, Ordering::SeqCst);
        if watch.sleeping.load(Ordering::SeqCst) {
            watch.wake();
        }
    }

    /// `(word, task id)`, consistent (rule W2), or `None` if the worker moved mid-read.
    fn sample(&self) -> (u64, Option<u64>) {
        let word = self.word.load(Ordering::Acquire);
        if word & PHASE_MASK != POLLING {
            return (word, None);
        }
        let task = self.task.load(Ordering::Acquire);
        let again = self.word.load(Ordering::Acquire);
        (word, (again == word).then_some(task))
    }
}

/// What the watchdog asks of a scheduler.
pub(crate) trait Target: Send + Sync + 'static {
    /// Worker `worker` is stuck in one poll: hand what it holds to the others. `false` if the
    /// flavor cannot (current-thread: the stuck thread is the only one).
    fn heal(&self, worker: usize) -> bool;

    /// The name and spawn location of a live task (copied), `None`s if unknown or gone.
    fn describe(&self, task: Id) -> (Option<String>, Option<&'static Location<'static>>);
}

/// The records of one runtime and the watchdog's sleep/wake handshake.
pub(crate) struct Watch {
    records: Box<[Arc<CachePadded<PollRecord>>]>,
    /// Rule W3: set while the watchdog sleeps (or is about to).
    sleeping: AtomicBool,
    lock: Mutex<()>,
    condvar: Condvar,
    shutdown: AtomicBool,
    /// Polls reported slow (`RuntimeMetrics::slow_poll_count`); written by the watchdog only.
    slow_polls: AtomicU64,
    /// Heals done (a stuck worker's LIFO slot and queue handed to its peers).
    heals: AtomicU64,
}

impl Watch {
    pub(crate) fn new(workers: usize) -> Arc<Watch> {
        Arc::new(Watch {
            records: (0..workers)
                .map(|_| Arc::new(CachePadded::new(PollRecord::new())))
                .collect(),
            sleeping: AtomicBool::new(false),
            lock: Mutex::new(()),
            condvar: Condvar::new(),
            shutdown: AtomicBool::new(false),
            slow_polls: AtomicU64::new(0),
            heals: AtomicU64::new(0),
        })
    }

    /// Worker `index`'s record (the worker keeps a clone so its stores need no lookup).
    pub(crate) fn record(&self, index: usize) -> Arc<CachePadded<PollRecord>> {
        self.records[index].clone()
    }

    /// Stops the watchdog (runtime shutdown); it exits at its next wake-up, which this causes.
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        self.sleeping.store(false, Ordering::SeqCst);
        drop(self.lock.lock());
        self.condvar.notify_one();
    }

    /// Rule W3: the first worker out of a park after an idle stretch wakes the watchdog.
    fn wake(&self) {
        if self.sleeping.swap(false, Ordering::SeqCst) {
            drop(self.lock.lock());
            self.condvar.notify_one();
        }
    }

    pub(crate) fn slow_poll_count(&self) -> u64 {
        self.slow_polls.load(Ordering::Relaxed)
    }

    pub(crate) fn heal_count(&self) -> u64 {
        self.heals.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("workers", &self.records.len())
            .finish_non_exhaustive()
    }
}
