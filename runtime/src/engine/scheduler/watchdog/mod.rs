//! Stall detection: every worker publishes what it is polling in a [`PollRecord`]; a monitor
//! thread (the *watchdog*, `monitor.rs`) samples the records, reports polls that run longer than
//! `slow_poll_threshold` (`report.rs`) and, on the multi-thread flavor, heals a worker stuck in
//! one poll (its LIFO slot and queue go to the other workers, and a parked peer takes the
//! driver).
//!
//! # The record (hot path: two or three stores per poll)
//! One word per worker on a cache line of its own: `polls << 2 | phase`, with the phase
//! [`IDLE`] (between polls: searching, stealing, maintenance), [`POLLING`] or [`PARKED`]
//! (asleep, or no thread runs the worker). A poll start stores the task id and then the word;
//! its end stores the word again, unless the worker goes straight on to the task in its LIFO
//! slot, whose start then ends it. The poll count lives only in the word: only the thread
//! running the worker writes it, so it reads its own last store back (`Relaxed`) instead of
//! keeping a copy. No clock read, no read-modify-write: the watchdog turns "the word did not
//! change between my samples" into a duration with its own clock.
//!
//! - **W1 (what a sample means).** A word seen `POLLING` at two samples `t` apart means one
//!   poll has been running for at least `t`, give or take the few steps between a poll and
//!   the LIFO poll after it (queueing a yielded task, popping the slot: no user code, no
//!   wait). The poll count is part of the word, so two different polls never look the same.
//! - **W2 (the task).** The id is stored before the word (`Release`), and the watchdog reads
//!   word, id, word (`Acquire`): if both words are equal the id is the one of that poll.
//!
//! # Sleeping when idle, without missing a stall (rule W3)
//! When a sample finds every worker parked and no word changed since the previous sample, the
//! watchdog sets its mode to [`SLEEPING`], then re-reads every word (`SeqCst`): if one moved it
//! stays awake, else it blocks on its condvar until a worker wakes it. A worker leaving a park
//! stores its word (`SeqCst`) and then loads the mode (`SeqCst`): in the single order of those
//! four accesses either the watchdog's re-read sees the worker awake or the worker sees
//! `SLEEPING` and wakes it. Only the first worker to leave a park after an idle stretch pays
//! the wake-up (a `swap` takes the mode back to [`WATCHING`]), and an idle runtime's watchdog
//! does not wake at all.
//!
//! # Sampling fast only while a stall would stop I/O (rule W4)
//! Healing has one tight deadline: a worker stuck in a poll while the driver has no holder
//! and a peer sleeps on its condvar (`multi_thread/park.rs`) leaves I/O and timers stopped
//! until the heal wakes that peer, so the watchdog samples every `heal / 2` (1 ms by default)
//! then. Otherwise a stuck worker stops only its LIFO slot (its queue woke a peer when it
//! grew, and a peer in the driver, or one that is awake and will park there, keeps I/O and
//! timers flowing), so once `monitor::CALM_SAMPLES` (8) samples in a row found no vacancy the
//! watchdog samples only every [`RELAXED_TICK`] (a LIFO task then waits about two of those):
//! a fifth of the wake-ups on a busy runtime that is not waiting for I/O. A server whose
//! vacancies come and go stays at the fast tick.
//!
//! The *vacancy* is: some worker [`PARKED`] (off the driver), none [`PARKED_DRIVER`], some
//! awake. Only four transitions can start one: a worker parks off the driver, or leaves
//! either kind of park. Each of them, after storing its word (`SeqCst`), loads the mode
//! (`SeqCst`) and, if it is [`RELAXED`], reads every word (`SeqCst`) and wakes the watchdog
//! if they show a vacancy. The watchdog, before a relaxed wait, stores `RELAXED` (`SeqCst`)
//! and re-reads every word (`SeqCst`). As in W3, in the single order of those accesses either
//! the watchdog's re-read sees the transition or the worker sees `RELAXED`; a worker whose
//! read shows no vacancy was overtaken by a later transition, which makes the same check. So
//! the watchdog never waits out a relaxed tick through a vacancy, and is back at the fast tick
//! (and not calm) as soon as one starts.
//!
//! # Sampling without preempting (rule W5)
//! The watchdog thread's wake-ups never preempt a running thread (Linux: `SCHED_BATCH`): a
//! sample waits for an idle CPU or the next reschedule. See `monitor.rs` for why and what it
//! costs the detection.
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
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

/// Between polls (searching, stealing, maintenance).
pub(crate) const IDLE: u64 = 0;
/// Inside a task's `poll`.
pub(crate) const POLLING: u64 = 1;
/// Asleep off the driver (on its condvar), or no thread runs this worker (the current-thread
/// core outside `block_on`).
pub(crate) const PARKED: u64 = 2;
/// Asleep in the driver: this worker polls I/O and fires timers while it waits.
pub(crate) const PARKED_DRIVER: u64 = 3;
const PHASE_MASK: u64 = 3;

/// `true` for both kinds of park.
fn is_parked(word: u64) -> bool {
    word & PARKED != 0
}

/// Watchdog mode: sampling every tick; workers leave it alone.
const WATCHING: u8 = 0;
/// Watchdog mode: sampling every [`RELAXED_TICK`]; a vacancy wakes it (rule W4).
const RELAXED: u8 = 1;
/// Watchdog mode: blocked until a worker leaves a park (rule W3).
const SLEEPING: u8 = 2;

/// The longest sampling period of a relaxed watchdog (rule W4): a task in a stuck worker's LIFO
/// slot waits at most two of these.
pub(crate) const RELAXED_TICK: Duration = Duration::from_millis(5);

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

    /// The phase bits replaced by `phase`, the poll count kept. Only the thread running the
    /// worker writes its word (the core moves between threads only through a lock), so a
    /// `Relaxed` load of it reads this thread's own last store.
    #[inline]
    fn with_phase(&self, phase: u64) -> u64 {
        self.word.load(Ordering::Relaxed) & !PHASE_MASK | phase
    }

    /// A poll of `task` starts: the worker's next (rule W2). Also ends the previous poll, if
    /// [`PollRecord::end_poll`] was not called for it (rule W1: the LIFO loop goes from one
    /// poll to the next with one store).
    #[inline]
    pub(crate) fn begin_poll(&self, task: u64) {
        let next = (self.word.load(Ordering::Relaxed) | PHASE_MASK) + 1 + POLLING;
        self.task.store(task, Ordering::Release);
        self.word.store(next, Ordering::Release);
    }

    /// The current poll returned.
    #[inline]
    pub(crate) fn end_poll(&self) {
        self.word.store(self.with_phase(IDLE), Ordering::Relaxed);
    }

    /// The worker parks (or stops running); off the driver until [`PollRecord::park_in_driver`].
    pub(crate) fn park(&self) {
        self.word.store(self.with_phase(PARKED), Ordering::SeqCst);
    }

    /// The parked worker won the driver and sleeps in it (only this worker writes the word).
    pub(crate) fn park_in_driver(&self) {
        let word = self.word.load(Ordering::Relaxed);
        debug_assert_eq!(word & PHASE_MASK, PARKED);
        self.word.store(word | PARKED_DRIVER, Ordering::SeqCst);
    }

    /// The worker is awake again: the worker side of rules W3 and W4.
    pub(crate) fn unpark(&self, watch: &Watch) {
        self.word.store(self.with_phase(IDLE), Ordering::SeqCst);
        watch.after_transition();
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
    /// [`WATCHING`], [`RELAXED`] or [`SLEEPING`] (rules W3 and W4).
    mode: AtomicU8,
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
            mode: AtomicU8::new(WATCHING),
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
        self.mode.store(WATCHING, Ordering::SeqCst);
        drop(self.lock.lock());
        self.condvar.notify_one();
    }

    /// A worker parked off the driver (its word is [`PARKED`]): rule W4's worker side.
    pub(crate) fn parked_off_driver(&self) {
        if self.mode.load(Ordering::SeqCst) == RELAXED && self.vacancy() {
            self.wake();
        }
    }

    /// Rules W3 and W4, the worker side, after it stored its new word: wake a sleeping
    /// watchdog, or a relaxed one if the words show a vacancy.
    fn after_transition(&self) {
        match self.mode.load(Ordering::SeqCst) {
            WATCHING => {}
            RELAXED if !self.vacancy() => {}
            _ => self.wake(),
        }
    }

    /// Rule W4: a worker parked off the driver, none in it, and one awake.
    fn vacancy(&self) -> bool {
        let (mut off_driver, mut in_driver, mut awake) = (false, false, false);
        for record in self.records.iter() {
            match record.word.load(Ordering::SeqCst) & PHASE_MASK {
                PARKED => off_driver = true,
                PARKED_DRIVER => in_driver = true,
                _ => awake = true,
            }
        }
        off_driver && awake && !in_driver
    }

    /// Takes the watchdog back to [`WATCHING`], waking it if it waited.
    fn wake(&self) {
        if self.mode.swap(WATCHING, Ordering::SeqCst) != WATCHING {
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn relaxed_watch(workers: usize) -> Arc<Watch> {
        let watch = Watch::new(workers);
        watch.mode.store(RELAXED, Ordering::SeqCst);
        watch
    }

    fn mode(watch: &Watch) -> u8 {
        watch.mode.load(Ordering::SeqCst)
    }

    #[test]
    fn the_word_counts_polls_across_parks_and_polls_that_follow_each_other_at_once() {
        let watch = Watch::new(1);
        let a = watch.record(0);
        a.unpark(&watch);
        assert_eq!(a.sample(), (IDLE, None));
        a.begin_poll(7);
        let (first, task) = a.sample();
        assert_eq!((first, task), (1 << 2 | POLLING, Some(7)));
        // The LIFO loop: the next poll starts without an `end_poll` (rule W1).
        a.begin_poll(8);
        let (second, task) = a.sample();
        assert_eq!((second, task), (2 << 2 | POLLING, Some(8)));
        a.end_poll();
        assert_eq!(a.sample(), (2 << 2 | IDLE, None));
        a.park();
        a.park_in_driver();
        assert_eq!(a.sample().0, 2 << 2 | PARKED_DRIVER);
        a.unpark(&watch);
        // The same task polled again after a park is a different poll: the count moved on.
        a.begin_poll(7);
        assert_eq!(a.sample(), (3 << 2 | POLLING, Some(7)));
    }

    #[test]
    fn a_vacancy_is_a_worker_off_the_driver_none_in_it_and_one_awake() {
        let watch = Watch::new(3);
        let [a, b, c] = [0, 1, 2].map(|index| watch.record(index));
        // Start: all parked off the driver, nobody awake.
        assert!(!watch.vacancy());
        a.unpark(&watch);
        assert!(watch.vacancy(), "a awake, b and c off the driver");
        b.park_in_driver();
        assert!(!watch.vacancy(), "b holds the driver");
        c.unpark(&watch);
        a.begin_poll(7);
        assert!(!watch.vacancy());
        b.unpark(&watch);
        assert!(
            !watch.vacancy(),
            "everybody awake: no sleeper to hand work to"
        );
        c.park();
        assert!(watch.vacancy(), "c sleeps off the driver while a polls");
    }

    #[test]
    fn a_transition_that_starts_a_vacancy_wakes_a_relaxed_watchdog() {
        // Two workers: a in the driver, b asleep off it. The watchdog relaxes.
        let watch = relaxed_watch(2);
        let (a, b) = (watch.record(0), watch.record(1));
        a.park_in_driver();
        watch.parked_off_driver();
        assert_eq!(
            mode(&watch),
            RELAXED,
            "b parked off a held driver: no vacancy"
        );
        // a leaves the driver to run what it found: b is asleep, nobody polls I/O.
        a.unpark(&watch);
        assert_eq!(mode(&watch), WATCHING);

        // b wakes while a polls (no vacancy), then parks off the driver: vacancy.
        watch.mode.store(RELAXED, Ordering::SeqCst);
        b.unpark(&watch);
        assert_eq!(mode(&watch), RELAXED, "both awake");
        a.begin_poll(9);
        b.park();
        watch.parked_off_driver();
        assert_eq!(mode(&watch), WATCHING);
    }

    #[test]
    fn a_sleeping_watchdog_is_woken_by_any_worker_leaving_a_park_and_a_watching_one_never() {
        let watch = Watch::new(2);
        watch.mode.store(SLEEPING, Ordering::SeqCst);
        let a = watch.record(0);
        a.park_in_driver();
        a.unpark(&watch);
        assert_eq!(mode(&watch), WATCHING);
        // Watching: a transition leaves the mode alone (no scan, no wake-up).
        a.park();
        watch.parked_off_driver();
        a.unpark(&watch);
        assert_eq!(mode(&watch), WATCHING);
    }
}
