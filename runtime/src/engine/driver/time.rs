//! The time part of the driver: the clock, the timer shards (one timing wheel per worker,
//! each behind its own short mutex: `time_shard.rs`), and the rules tying them to parking.
//!
//! Time is counted in [`TICK`]s of 250 µs since `origin` (the clock's reading when the runtime
//! was built). A deadline becomes the tick it falls in, rounded **up**, and a timer fires once
//! the clock's tick (rounded down) reaches it, so a sleep never ends early and is late by at
//! most one tick plus wake-up latency. (With 1 ms ticks, a whole-millisecond sleep started
//! just after a tick-aligned wake-up, the common case of sleeping in a loop, was late by
//! nearly a full millisecond; the driver's park timeout is exact to the microsecond on Linux,
//! see `io_driver`'s precise timeout, so a finer tick pays off directly.)
//!
//! There is no horizon: the wheel files any `u64` tick (deadlines beyond its span wait in its
//! top level and are re-filed as time approaches them), so a deadline fires however far it lies
//! from `origin`. Ticks are only clamped at [`MAX_TICK`] (146 million years after `origin`).
//! `Duration::MAX` sleeps and saturated instants are 30 years ahead of the instant they were
//! computed from (`clock::far_future`): they never fire in real time, and a paused clock
//! auto-advances to them like to any other deadline. (Deadlines 30 years after `origin` used to
//! become "never", so after 20 virtual years a 15-year timeout never fired.)
//!
//! Sharding (one wheel lock for the whole runtime is a contention point: every worker takes
//! it for every sleep it registers or cancels, which is why Tokio moved to one wheel per worker): a timer is filed in the shard of the worker that
//! first polls it (threads outside the workers pick a shard by thread), and its key remembers
//! the shard, so reset and cancel go to the same lock. Whoever drives the parked driver fires
//! every shard.
//!
//! Park protocol (no lost wake-up; `parked_until` is one atomic, shards have their own locks):
//! - **TD1.** The parking thread stores `parked_until = NEVER` ("parking: any insert must unpark"),
//!   *then* reads each shard's next deadline under that shard's lock, then stores the
//!   earliest as `parked_until` and blocks at most until then. After the park it stores
//!   [`NOT_PARKED`].
//! - **TD2.** An insert or reset takes its shard's lock, files the timer, releases the lock, *then*
//!   loads `parked_until` and unparks the driver if its tick is earlier.
//! - **TD3.** Why nothing is lost: if the parker read the shard after the insert, the timeout covers
//!   the new timer. Otherwise the parker released that shard's lock before the inserter took
//!   it, so its `NEVER` store happens before the inserter's load, which sees `NEVER` (unpark)
//!   or the final value (unpark iff the new timer is earlier than the park's end) or
//!   `NOT_PARKED` (the park is over and the next one will read the shard).
//! - **TD4.** After shutdown no entry is filed: registration reports [`Filing::ShutDown`] and the
//!   caller completes its timer.

pub(crate) use super::time_shard::NEVER;
use super::time_shard::Shard;
use crate::engine::driver::clock::Clock;
use crate::engine::driver::entry::TimerEntry;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant as StdInstant};
use timer::TimerKey;

/// The timer wheels' resolution.
const TICK: Duration = Duration::from_micros(250);
const NANOS_PER_TICK: u32 = TICK.subsec_nanos();
const TICKS_PER_SEC: u64 = 1_000_000_000 / NANOS_PER_TICK as u64;
const _: () = assert!(TICK.as_secs() == 0 && 1_000_000_000 % NANOS_PER_TICK == 0);

/// Whole ticks in `d`, rounded down (constant divisors: no 128-bit division).
fn ticks_floor(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(TICKS_PER_SEC)
        .saturating_add(u64::from(d.subsec_nanos() / NANOS_PER_TICK))
}

/// The latest tick a timer is filed at: a deadline further away (only reachable with
/// `sleep_until` on an instant over 146 million years ahead) fires there. It is below [`NEVER`],
/// so every filed timer is a real deadline that a paused clock can auto-advance to.
pub(crate) const MAX_TICK: u64 = NEVER - 1;

/// `parked_until` while no thread is parked on the driver: no tick is below it, so no insert
/// unparks.
const NOT_PARKED: u64 = 0;

/// The shared time state of one runtime.
#[derive(Debug)]
pub(crate) struct TimeState {
    pub(crate) clock: Clock,
    origin: StdInstant,
    shards: Box<[Shard]>,
    /// The park protocol's announcement (rules TD1-TD3 above).
    parked_until: AtomicU64,
    /// Closed while blocking jobs are in flight: a paused clock does not auto-advance then.
    pub(crate) auto_advance_gate: crate::engine::driver::AutoAdvanceGate,
}

/// Where a filed timer lives: its shard and its key in that shard's wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FiledKey {
    shard: usize,
    key: TimerKey,
}

/// What happened to a registration.
#[derive(Debug)]
pub(crate) enum Filing {
    Filed(FiledKey),
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
    /// `parked_until` was announced and must be cleared after the park.
    announced: bool,
}

impl TimeState {
    /// Time state with `shards` wheels (one per worker; at least one).
    pub(crate) fn new(shards: usize) -> TimeState {
        let origin = StdInstant::now();
        TimeState {
            clock: Clock::new(origin),
            origin,
            shards: (0..shards.max(1)).map(|_| Shard::new()).collect(),
            parked_until: AtomicU64::new(NOT_PARKED),
            auto_advance_gate: Default::default(),
        }
    }

    /// Pauses the clock on this driver's tick grid.
    pub(crate) fn pause(&self) {
        self.clock.pause(self.origin);
    }

    /// The tick `deadline` falls in, rounded up, and at most [`MAX_TICK`].
    pub(crate) fn deadline_tick(&self, deadline: StdInstant) -> u64 {
        let since = deadline.saturating_duration_since(self.origin);
        let partial = !since.subsec_nanos().is_multiple_of(NANOS_PER_TICK);
        ticks_floor(since)
            .saturating_add(u64::from(partial))
            .min(MAX_TICK)
    }

    /// The clock's current tick, rounded down.
    pub(crate) fn now_tick(&self) -> u64 {
        let since = self.clock.now().saturating_duration_since(self.origin);
        ticks_floor(since).min(MAX_TICK)
    }

    fn tick_instant(&self, tick: u64) -> Option<StdInstant> {
        let within_second = u32::try_from(tick % TICKS_PER_SEC).ok()? * NANOS_PER_TICK;
        self.origin
            .checked_add(Duration::new(tick / TICKS_PER_SEC, within_second))
    }

    /// Whether a timer filed or moved to `tick` must unpark the driver (rule TD2: called after
    /// the shard's lock is released).
    fn must_unpark(&self, tick: u64) -> bool {
        tick < self.parked_until.load(Ordering::SeqCst)
    }

    /// Files `entry` at `tick` in the shard chosen by `shard_hint` (a worker index, or any
    /// number for other threads); the `bool` says whether the parked driver must be unparked.
    pub(crate) fn register(
        &self,
        shard_hint: usize,
        tick: u64,
        entry: &Arc<TimerEntry>,
    ) -> (Filing, bool) {
        let shard = shard_hint % self.shards.len();
        match self.shards[shard].insert(tick, entry) {
            Some(key) => (
                Filing::Filed(FiledKey { shard, key }),
                self.must_unpark(tick),
            ),
            None => (Filing::ShutDown, false),
        }
    }

    /// Moves a filed timer; `None` if it already fired, else whether to unpark.
    pub(crate) fn reset(&self, key: FiledKey, tick: u64) -> Option<bool> {
        self.shards[key.shard]
            .reset(key.key, tick)
            .then(|| self.must_unpark(tick))
    }

    /// Removes a timer that has not fired (no-op for a fired one).
    pub(crate) fn cancel(&self, key: FiledKey) {
        self.shards[key.shard].remove(key.key);
    }

    /// Number of timers filed, over every shard.
    pub(crate) fn num_timers(&self) -> usize {
        self.shards.iter().map(Shard::len).sum()
    }

    /// The earliest wheel hint over every shard.
    fn next_deadline(&self) -> Option<u64> {
        self.shards.iter().filter_map(Shard::next_deadline).min()
    }

    /// The instant of the earliest filed timer (a wheel hint: a timer may lie later), or
    /// `None` if none is filed. The simulation scheduler jumps a paused clock there when it
    /// is idle (`scheduler/simulation`, rule S3).
    pub(crate) fn next_timer_at(&self) -> Option<StdInstant> {
        self.next_deadline()
            .and_then(|tick| self.tick_instant(tick))
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
        // TD1: announce before reading the shards.
        self.parked_until.store(NEVER, Ordering::SeqCst);
        let next = self.next_deadline();
        if self.clock.is_paused() {
            // Virtual time does not pass while blocked: never sleep towards a deadline, and
            // keep `NEVER` announced so any new timer unparks. Blocking jobs in flight hold the
            // clock (the gate; read before `Driver::park` takes the `woken` flag, see its doc).
            let auto_advance =
                next.is_some() && requested.is_none() && self.auto_advance_gate.is_open();
            return ParkPlan {
                timeout: if auto_advance {
                    Some(Duration::ZERO)
                } else {
                    requested
                },
                auto_advance,
                announced: true,
            };
        }
        self.parked_until
            .store(next.unwrap_or(NEVER), Ordering::SeqCst);
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
        if plan.announced {
            self.parked_until.store(NOT_PARKED, Ordering::SeqCst);
        }
        if plan.auto_advance
            && quiet
            && let Some(at) = self
                .next_deadline()
                .and_then(|tick| self.tick_instant(tick))
        {
            self.clock.advance_paused_to(at);
        }
        self.fire_due();
    }

    /// Fires every timer whose deadline has passed, in every shard, waking them outside the
    /// shards' locks. Shards with nothing due cost one atomic load. When several shards are
    /// due (the driver ran late), the one with the earliest due timer fires first, so a late
    /// driver still wakes timers close to deadline order.
    pub(crate) fn fire_due(&self) {
        // Nothing filed anywhere: skip the clock read (a `clock_gettime` per driver turn, 1.5 %
        // of a TCP echo round trip on a runtime with no timers). A timer filed right after
        // this check is one filed after this call, which rules TD1-TD3 already cover.
        let earliest = self.shards.iter().map(Shard::next_due).min();
        if earliest.is_none_or(|due| due == NEVER) {
            return;
        }
        let now = self.now_tick();
        let due = |shard: &&Shard| shard.next_due() <= now;
        match self.shards.iter().filter(due).count() {
            0 => {}
            1 => self
                .shards
                .iter()
                .filter(due)
                .for_each(|shard| shard.fire_due(now)),
            _ => {
                let mut order: Vec<&Shard> = self.shards.iter().filter(due).collect();
                order.sort_unstable_by_key(|shard| shard.next_due());
                order.into_iter().for_each(|shard| shard.fire_due(now));
            }
        }
    }

    /// Runtime shutdown: refuse new timers and fire every pending one (rule TD4).
    pub(crate) fn shutdown(&self) {
        for shard in &self.shards {
            shard.shutdown();
        }
    }
}
