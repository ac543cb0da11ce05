//! The time part of the driver: one timing wheel behind a short mutex, the clock, and the
//! rules tying them to parking.
//!
//! Time is counted in 1 ms ticks since `origin` (the clock's reading when the runtime was
//! built). A deadline becomes the tick it falls in, rounded **up**, and a timer fires once the
//! clock's tick (rounded down) reaches it, so a sleep never ends early and is late by at most
//! one tick plus wake-up latency. Deadlines [`FAR_FUTURE`] or more after `origin` (30 years:
//! `Duration::MAX` sleeps, saturated instants) become [`NEVER`] and never fire, not even when a
//! paused clock auto-advances.
//!
//! Protocol (every rule is enforced by the `state` mutex; entries are `Arc<TimerEntry>`):
//! 1. Only code holding `state` touches the wheel. Firing removes the entry from the wheel and
//!    marks it fired *under that lock*, so "still in the wheel" and "not fired" agree for anyone
//!    holding it, and a cancel (remove by key) after a fire finds a stale key and does nothing.
//! 2. `parked_until` is `Some(tick)` from the moment the parking thread decided how long to
//!    block until it returns; an insert or reset earlier than that tick unparks it. It is set
//!    and read under `state`, so an insert either is seen by the park computation or sees the
//!    flag (and then its unpark makes the park return at once): no lost wake-up.
//! 3. Wakers are collected under the lock and woken after releasing it, in batches of
//!    [`WAKE_BATCH`](super::wake_list::WAKE_BATCH), so a wake that re-enters the timer code never deadlocks.
//! 4. After shutdown no entry is filed: registration reports [`Registered::ShutDown`] and the
//!    caller completes its timer.

use super::wake_list::WakeList;
use crate::loom::sync::Arc;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::time::clock::{Clock, FAR_FUTURE};
use crate::time::entry::TimerEntry;
use std::time::{Duration, Instant as StdInstant};
use timer::{TimerKey, Wheel};

/// The tick of a deadline that never comes.
pub(crate) const NEVER: u64 = u64::MAX;

/// Wheel hints at or above this are only "never" entries (a top-level slot start near
/// `u64::MAX`); real deadlines stay below `FAR_FUTURE` ≈ 2^40 ticks.
const NEVER_HINT: u64 = 1 << 62;

/// Entry storage kept when the wheel empties; more is released. 4096 slab slots are roughly
/// 200 KiB: a burst of timers (a million sleeps dropped at once) gives its memory back, while a
/// steady workload below this size never reallocates. Tune with the timer-churn bench.
const RETAINED_CAPACITY: usize = 4096;

/// Gives a burst's entry storage back once the wheel is empty again.
fn release_storage_if_idle(wheel: &mut Wheel<Arc<TimerEntry>>) {
    if wheel.is_empty() && wheel.capacity() > RETAINED_CAPACITY {
        wheel.shrink_to_fit();
    }
}

/// The shared time state of one runtime.
#[derive(Debug)]
pub(crate) struct TimeState {
    pub(crate) clock: Clock,
    origin: StdInstant,
    state: Mutex<State>,
    /// A lower bound on the wheel's next *hint* (`Wheel::next_deadline`, which may precede the
    /// true deadline), so the busy-worker zero-timeout park can skip the lock when nothing is
    /// due. Lowered under `state` by inserts and resets; refreshed after firing.
    next_due: AtomicU64,
}

#[derive(Debug)]
struct State {
    wheel: Wheel<Arc<TimerEntry>>,
    parked_until: Option<u64>,
    shutdown: bool,
}

/// What happened to a registration.
#[derive(Debug)]
pub(crate) enum Registered {
    Filed(TimerKey),
    ShutDown,
}

/// How a park should proceed, computed before blocking.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParkPlan {
    /// How long to block (`None` = until unparked).
    pub(crate) timeout: Option<Duration>,
    /// Paused clock, idle scheduler, timers pending: if nothing wakes the driver during the
    /// zero-timeout park, jump the clock to the next deadline.
    pub(crate) auto_advance: bool,
    /// `parked_until` was set and must be cleared after the park.
    announced: bool,
}

impl TimeState {
    pub(crate) fn new() -> TimeState {
        let origin = StdInstant::now();
        TimeState {
            clock: Clock::new(origin),
            origin,
            state: Mutex::new(State {
                wheel: Wheel::new(),
                parked_until: None,
                shutdown: false,
            }),
            next_due: AtomicU64::new(NEVER),
        }
    }

    /// Pauses the clock on this driver's tick grid.
    pub(crate) fn pause(&self) {
        self.clock.pause(self.origin);
    }

    /// The tick `deadline` falls in, rounded up; [`NEVER`] for far-future deadlines.
    pub(crate) fn deadline_tick(&self, deadline: StdInstant) -> u64 {
        let since = deadline.saturating_duration_since(self.origin);
        if since >= FAR_FUTURE {
            return NEVER;
        }
        let ms = since.as_millis() + u128::from(!since.subsec_nanos().is_multiple_of(1_000_000));
        u64::try_from(ms).unwrap_or(NEVER)
    }

    /// The clock's current tick, rounded down.
    pub(crate) fn now_tick(&self) -> u64 {
        let since = self.clock.now().saturating_duration_since(self.origin);
        u64::try_from(since.as_millis()).unwrap_or(NEVER - 1)
    }

    fn tick_instant(&self, tick: u64) -> Option<StdInstant> {
        self.origin.checked_add(Duration::from_millis(tick))
    }

    /// Files `entry` at `tick`; the `bool` says whether the parked driver must be unparked.
    pub(crate) fn register(&self, tick: u64, entry: &Arc<TimerEntry>) -> (Registered, bool) {
        let mut state = self.state.lock();
        if state.shutdown {
            return (Registered::ShutDown, false);
        }
        let key = state.wheel.insert(tick, entry.clone());
        self.lower_next_due(&state);
        (
            Registered::Filed(key),
            state.parked_until.is_some_and(|until| tick < until),
        )
    }

    /// Moves a filed timer; `None` if it already fired, else whether to unpark.
    pub(crate) fn reset(&self, key: TimerKey, tick: u64) -> Option<bool> {
        let mut state = self.state.lock();
        if !state.wheel.reset(key, tick) {
            return None;
        }
        self.lower_next_due(&state);
        Some(state.parked_until.is_some_and(|until| tick < until))
    }

    /// After an insert or reset: `next_due` must not exceed the wheel's hint, which may be a
    /// slot start before the true deadline (the wheel has to be polled then to cascade).
    fn lower_next_due(&self, state: &State) {
        let hint = state.wheel.next_deadline().unwrap_or(NEVER);
        self.next_due.fetch_min(hint, Ordering::AcqRel);
    }

    /// Removes a timer that has not fired (no-op for a fired one).
    pub(crate) fn cancel(&self, key: TimerKey) {
        let mut state = self.state.lock();
        let removed = state.wheel.remove(key);
        release_storage_if_idle(&mut state.wheel);
        drop(state);
        drop(removed); // outside the lock (rule 3): never the last reference, but cheap to honour
    }

    /// Number of timers in the wheel.
    pub(crate) fn num_timers(&self) -> usize {
        self.state.lock().wheel.len()
    }

    /// Decides how long the driver may block; `requested` is the scheduler's timeout (`None`
    /// means it has nothing to run and would block until unparked).
    pub(crate) fn plan_park(&self, requested: Option<Duration>) -> ParkPlan {
        if requested == Some(Duration::ZERO) {
            return ParkPlan {
                timeout: requested,
                auto_advance: false,
                announced: false,
            };
        }
        let paused = self.clock.is_paused();
        let mut state = self.state.lock();
        let next = state
            .wheel
            .next_deadline()
            .filter(|&tick| tick < NEVER_HINT);
        if paused {
            // Virtual time does not pass while blocked: never sleep towards a deadline.
            if next.is_some() && requested.is_none() {
                return ParkPlan {
                    timeout: Some(Duration::ZERO),
                    auto_advance: true,
                    announced: false,
                };
            }
            state.parked_until = Some(NEVER);
            return ParkPlan {
                timeout: requested,
                auto_advance: false,
                announced: true,
            };
        }
        state.parked_until = Some(next.unwrap_or(NEVER));
        drop(state);
        let until_timer = next
            .and_then(|tick| self.tick_instant(tick))
            .map(|at| at.saturating_duration_since(self.clock.now()));
        let timeout = match (requested, until_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ParkPlan {
            timeout,
            auto_advance: false,
            announced: true,
        }
    }

    /// Called after blocking: clears `parked_until`, auto-advances a paused clock if the plan
    /// allows and `quiet` (nothing unparked the driver), then fires every due timer.
    pub(crate) fn after_park(&self, plan: ParkPlan, quiet: bool) {
        if plan.auto_advance || plan.announced {
            let mut state = self.state.lock();
            state.parked_until = None;
            if plan.auto_advance && quiet {
                let next = state
                    .wheel
                    .next_deadline()
                    .filter(|&tick| tick < NEVER_HINT);
                if let Some(at) = next.and_then(|tick| self.tick_instant(tick)) {
                    self.clock.advance_paused_to(at);
                }
            }
        }
        self.fire_due();
    }

    /// Fires every timer whose deadline has passed, waking them outside the lock.
    pub(crate) fn fire_due(&self) {
        let now = self.now_tick();
        if now < self.next_due.load(Ordering::Acquire) {
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
                release_storage_if_idle(&mut state.wheel);
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

    /// Runtime shutdown: refuse new timers and fire every pending one (rule 4).
    pub(crate) fn shutdown(&self) {
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
