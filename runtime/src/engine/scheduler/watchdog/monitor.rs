//! The watchdog thread: samples the poll records, reports slow polls, heals stuck workers.
//!
//! It holds only the [`Watch`] (records and counters) and a `Weak` reference to the scheduler,
//! upgraded for the moment of a heal or a report, so it never keeps a runtime alive; it exits
//! when the runtime shuts down (`Watch::shutdown` wakes it) or the scheduler is gone.
//!
//! # Its wake-ups wait for a free CPU (rule W5)
//! On Linux the thread runs under `SCHED_BATCH`: the kernel does not let its wake-up preempt
//! the thread running on the CPU, so a sample waits for an idle CPU or the next reschedule
//! there instead of cutting into a worker's batch. A server under load keeps the watchdog at
//! its 1 ms tick (rule W4), and on a machine with no idle CPU each of those wake-ups used to
//! switch a worker out, often for the load generator's turn: axum under `wrk` on 2 cores spent
//! 5 % more CPU per request than the same build without a watchdog thread, and the same as
//! that build with this policy (`docs/observability.md`, "Session 18"). The stalls it exists
//! for leave a CPU idle (a vacancy is a worker asleep), so there the sample runs at once; with
//! every CPU busy it may run up to a scheduler tick later. The policy is best effort: where
//! it is refused (a seccomp filter) the thread keeps the default one.

use super::report::{Reporter, SlowPoll};
use super::{
    PHASE_MASK, POLLING, RELAXED, RELAXED_TICK, SLEEPING, Target, WATCHING, Watch, WatchdogConfig,
    is_parked,
};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Longest wait of a sleeping watchdog before it looks again on its own (rule W3 makes the
/// workers wake it; this only bounds the cost of a bug there).
const IDLE_RECHECK: Duration = Duration::from_secs(10);

/// Samples in a row without a vacancy before the watchdog relaxes (rule W4): a runtime whose
/// vacancies come and go (a server under I/O load) stays watched at the fast tick rather than
/// paying a worker's wake-up of the watchdog for each one.
pub(super) const CALM_SAMPLES: u32 = 8;

/// The sampling periods while a worker is awake: `(watching, relaxed)` (rule W4; `relaxed` is
/// `None` without healing). Watching: half the heal threshold, a tenth of the report threshold
/// (a poll is first seen up to one tick after it starts, and the reported duration counts from
/// then), between 1 and 10 ms. Relaxed: a tenth of the report threshold, at most
/// [`RELAXED_TICK`], never shorter than watching.
fn ticks(config: &WatchdogConfig) -> (Duration, Option<Duration>) {
    let heal = config.heal_threshold.map_or(Duration::MAX, |heal| heal / 2);
    let report = config
        .slow_poll_threshold
        .map_or(Duration::MAX, |threshold| threshold / 10);
    let watching = heal
        .min(report)
        .clamp(Duration::from_millis(1), Duration::from_millis(10));
    let relaxed = config
        .heal_threshold
        .map(|_| report.min(RELAXED_TICK).max(watching));
    (watching, relaxed)
}

/// Starts the watchdog of a runtime (nothing if both thresholds are off).
pub(crate) fn spawn<T: Target>(
    watch: &Arc<Watch>,
    target: Weak<T>,
    config: &WatchdogConfig,
) -> std::io::Result<()> {
    if !config.is_enabled() {
        return Ok(());
    }
    let watch = watch.clone();
    let config = config.clone();
    std::thread::Builder::new()
        .name(config.thread_name.clone())
        .spawn(move || run(&watch, &target, &config))
        .map(drop)
}

/// What the watchdog remembers of one worker between samples.
struct Seen {
    word: u64,
    /// When `word` was first seen.
    since: Instant,
    healed: bool,
    reported: bool,
}

/// Rule W5: this thread's wake-ups do not preempt the thread running on the CPU.
#[cfg(target_os = "linux")]
fn wake_without_preempting() {
    let param = libc::sched_param { sched_priority: 0 };
    // The result is ignored on purpose (rule W5 is best effort): a refused policy leaves the
    // default one, which costs the workers some CPU under load and nothing else.
    // SAFETY: `sched_setscheduler` reads one `sched_param` through a pointer to a live local;
    // pid 0 is the calling thread, the only one whose policy changes.
    let _ = unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
}

#[cfg(not(target_os = "linux"))]
fn wake_without_preempting() {}

fn run<T: Target>(watch: &Watch, target: &Weak<T>, config: &WatchdogConfig) {
    wake_without_preempting();
    let (tick, relaxed_tick) = ticks(config);
    // Samples in a row without a vacancy (rule W4).
    let mut calm: u32 = 0;
    let start = Instant::now();
    let mut seen: Vec<Seen> = watch
        .records
        .iter()
        .map(|record| Seen {
            word: record.sample().0,
            since: start,
            healed: false,
            reported: false,
        })
        .collect();
    let mut reporter = Reporter::new(config.on_slow_poll.clone());
    while !watch.shutdown.load(Ordering::SeqCst) {
        let now = Instant::now();
        // Keep the tasks' coarse poll clock fresh while a poll runs long (a current-thread
        // runtime blocked in one poll has no other refresher: `coarse_clock.rs`).
        crate::engine::scheduler::coarse_clock::refresh();
        let mut all_parked = true;
        let mut changed = false;
        for (worker, (record, seen)) in watch.records.iter().zip(&mut seen).enumerate() {
            let (word, task) = record.sample();
            if word != seen.word {
                *seen = Seen {
                    word,
                    since: now,
                    healed: false,
                    reported: false,
                };
                changed = true;
            }
            all_parked &= is_parked(word);
            if word & PHASE_MASK != POLLING {
                continue;
            }
            // Rule W1: the same poll since `since`.
            let stuck = now.duration_since(seen.since);
            if !seen.healed && config.heal_threshold.is_some_and(|heal| stuck >= heal) {
                seen.healed = true;
                let Some(target) = target.upgrade() else {
                    return;
                };
                if target.heal(worker) {
                    watch.heals.fetch_add(1, Ordering::Relaxed);
                }
            }
            let Some(threshold) = config.slow_poll_threshold else {
                continue;
            };
            if !seen.reported
                && stuck >= threshold
                && let Some(task) = task
            {
                seen.reported = true;
                let Some(target) = target.upgrade() else {
                    return;
                };
                let Some(id) = crate::engine::task::Id::from_u64(task) else {
                    continue;
                };
                let (name, location) = target.describe(id);
                drop(target);
                watch.slow_polls.fetch_add(1, Ordering::Relaxed);
                let slow = SlowPoll {
                    id,
                    name,
                    location,
                    elapsed: stuck,
                    worker,
                    threshold,
                };
                reporter.report(&slow, now);
            }
        }
        if all_parked && !changed {
            calm = 0;
            sleep_until_woken(watch, &seen);
            continue;
        }
        let Some(relaxed_tick) = relaxed_tick else {
            std::thread::sleep(tick);
            continue;
        };
        calm = if watch.vacancy() {
            0
        } else {
            calm.saturating_add(1)
        };
        match (calm >= CALM_SAMPLES).then(|| relax(watch, relaxed_tick)) {
            Some(Relaxed::Waited) => {}
            Some(Relaxed::Woken) => calm = 0,
            Some(Relaxed::Vacancy) | None => std::thread::sleep(tick),
        }
    }
}

/// How a relaxed wait (rule W4) ended.
enum Relaxed {
    /// Not started: the re-read found a vacancy.
    Vacancy,
    /// The relaxed tick passed.
    Waited,
    /// A worker's transition started a vacancy (or the runtime shuts down).
    Woken,
}

/// Rule W4, the watchdog's side: unless the workers show a vacancy, wait `tick` or until a
/// worker's transition starts one.
fn relax(watch: &Watch, tick: Duration) -> Relaxed {
    watch.mode.store(RELAXED, Ordering::SeqCst);
    if watch.vacancy() || watch.shutdown.load(Ordering::SeqCst) {
        watch.mode.store(WATCHING, Ordering::SeqCst);
        return Relaxed::Vacancy;
    }
    let mut guard = watch.lock.lock();
    if watch.mode.load(Ordering::SeqCst) == RELAXED && !watch.shutdown.load(Ordering::SeqCst) {
        watch.condvar.wait_for(&mut guard, tick);
    }
    drop(guard);
    match watch.mode.swap(WATCHING, Ordering::SeqCst) {
        RELAXED => Relaxed::Waited,
        _ => Relaxed::Woken,
    }
}

/// Rule W3, the watchdog's side: announce the sleep, re-read every word, then block until a
/// worker (or shutdown) wakes us.
fn sleep_until_woken(watch: &Watch, seen: &[Seen]) {
    watch.mode.store(SLEEPING, Ordering::SeqCst);
    let moved = watch
        .records
        .iter()
        .zip(seen)
        .any(|(record, seen)| record.word.load(Ordering::SeqCst) != seen.word);
    if moved || watch.shutdown.load(Ordering::SeqCst) {
        watch.mode.store(WATCHING, Ordering::SeqCst);
        return;
    }
    let mut guard = watch.lock.lock();
    if watch.mode.load(Ordering::SeqCst) == SLEEPING && !watch.shutdown.load(Ordering::SeqCst) {
        watch.condvar.wait_for(&mut guard, IDLE_RECHECK);
    }
    drop(guard);
    watch.mode.store(WATCHING, Ordering::SeqCst);
}
