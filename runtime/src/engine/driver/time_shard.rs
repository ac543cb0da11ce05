//! One shard of the runtime's timers: a timing wheel behind its own short mutex, plus a
//! lock-free lower bound on its next deadline.
//!
//! The multi-thread runtime keeps one shard per worker (see `time.rs`), so workers filing and
//! cancelling their own timers never contend on one lock. Rules (all under `state`):
//! - **TS1.** Only code holding `state` touches the wheel. Firing removes the entry from the wheel and
//!   marks it fired under that lock, so a cancel after a fire finds a stale key and does
//!   nothing.
//! - **TS2.** `next_due` never exceeds the wheel's next hint: inserts and resets lower it under the
//!   lock, firing refreshes it under the lock. Readers without the lock may therefore skip the
//!   shard when `now < next_due`.
//! - **TS3.** Wakers are collected under the lock and woken after releasing it, in batches of
//!   [`WakeList::CAPACITY`], so a wake that re-enters the timer code never deadlocks.
//! - **TS4.** After shutdown nothing is filed: [`Shard::insert`] returns `None`.

use crate::engine::driver::entry::TimerEntry;
use crate::loom::sync::Arc;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicU64, Ordering};
use io_driver::WakeList;
use timer::{TimerKey, Wheel};

/// "No deadline": the next due tick of an empty shard, and the driver's "any insert must
/// unpark" announcement. Filed timers stay below it (`time::MAX_TICK`).
pub(crate) const NEVER: u64 = u64::MAX;

/// Entry storage kept when the wheel empties; more is released. 4096 slab slots are roughly
/// 200 KiB: a burst of timers (a million sleeps dropped at once) gives its memory back, while a
/// steady workload below this size never reallocates. Tune with the timer-churn bench.
const RETAINED_CAPACITY: usize = 4096;

/// One wheel and its lock.
#[derive(Debug)]
pub(super) struct Shard {
    state: Mutex<ShardState>,
    /// A lower bound on the wheel's next hint (rule TS2).
    next_due: AtomicU64,
}

#[derive(Debug)]
struct ShardState {
    wheel: Wheel<Arc<TimerEntry>>,
    shutdown: bool,
}

impl ShardState {
    /// Gives a burst's entry storage back once the wheel is empty again.
    fn release_storage_if_idle(&mut self) {
        if self.wheel.is_empty() && self.wheel.capacity() > RETAINED_CAPACITY {
            self.wheel.shrink_to_fit();
        }
    }

    /// After an insert or reset: keep `next_due` at or below the wheel's hint (rule TS2).
    fn lower_next_due(&self, next_due: &AtomicU64) {
        let hint = self.wheel.next_deadline().unwrap_or(NEVER);
        next_due.fetch_min(hint, Ordering::AcqRel);
    }
}

impl Shard {
    pub(super) fn new() -> Shard {
        Shard {
            state: Mutex::new(ShardState {
                wheel: Wheel::new(),
                shutdown: false,
            }),
            next_due: AtomicU64::new(NEVER),
        }
    }

    /// Files `entry` at `tick`; `None` once the shard is shut down (rule TS4).
    pub(super) fn insert(&self, tick: u64, entry: &Arc<TimerEntry>) -> Option<TimerKey> {
        let mut state = self.state.lock();
        if state.shutdown {
            return None;
        }
        let key = state.wheel.insert(tick, entry.clone());
        state.lower_next_due(&self.next_due);
        Some(key)
    }

    /// Moves a filed timer; `false` if it already fired.
    pub(super) fn reset(&self, key: TimerKey, tick: u64) -> bool {
        let mut state = self.state.lock();
        if !state.wheel.reset(key, tick) {
            return false;
        }
        state.lower_next_due(&self.next_due);
        true
    }

    /// Removes a timer that has not fired (no-op for a fired one).
    pub(super) fn remove(&self, key: TimerKey) {
        let mut state = self.state.lock();
        let removed = state.wheel.remove(key);
        state.release_storage_if_idle();
        drop(state);
        drop(removed); // outside the lock (rule TS3)
    }

    /// The lock-free lower bound on this shard's next deadline (rule TS2).
    pub(super) fn next_due(&self) -> u64 {
        self.next_due.load(Ordering::Acquire)
    }

    pub(super) fn len(&self) -> usize {
        self.state.lock().wheel.len()
    }

    /// The wheel's next hint (a slot start at or before the earliest deadline).
    pub(super) fn next_deadline(&self) -> Option<u64> {
        self.state.lock().wheel.next_deadline()
    }

    /// Fires every timer due at `now`, waking them outside the lock (rule TS3).
    pub(super) fn fire_due(&self, now: u64) {
        if now < self.next_due() {
            return;
        }
        let mut wakers = WakeList::new();
        loop {
            let mut state = self.state.lock();
            while !wakers.is_full() {
                let Some((_, entry)) = state.wheel.poll_expired(now) else {
                    break;
                };
                if let Some(waker) = entry.fire() {
                    wakers.push(waker);
                }
            }
            let more = wakers.is_full();
            if !more {
                state.release_storage_if_idle();
                let next = state.wheel.next_deadline().unwrap_or(NEVER);
                self.next_due.store(next, Ordering::Release);
            }
            drop(state);
            wakers.wake_all();
            if !more {
                return;
            }
        }
    }

    /// Refuses new timers and fires every pending one (rule TS4).
    pub(super) fn shutdown(&self) {
        let wakers: Vec<_> = {
            let mut state = self.state.lock();
            state.shutdown = true;
            self.next_due.store(NEVER, Ordering::Release);
            state
                .wheel
                .drain()
                .filter_map(|(_, entry)| entry.fire())
                .collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}
