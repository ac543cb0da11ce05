//! The runtime's clock: the real monotonic clock, or a virtual one that only moves when told.
//!
//! A clock that was never paused or advanced reads `std::time::Instant::now()` directly (one
//! relaxed-cost atomic load on top). Once [`Clock::pause`] or [`Clock::advance`] is used the
//! clock becomes *virtual*: it reads `base + (time since unfrozen)` while running and `base`
//! while paused, under a small mutex. Every value it returns is monotonic.
//!
//! Pausing snaps `base` *up* to a whole millisecond after `origin` (it moves forward by less
//! than 1 ms), which is on the driver's 250 µs tick grid, so a paused 1 s sleep is exactly 4000
//! ticks and auto-advance lands exactly on its deadline.

use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as StdInstant};

/// A real or virtual monotonic clock.
#[derive(Debug)]
pub(crate) struct Clock {
    /// Set once the clock was paused or advanced; until then `now` skips the lock.
    is_virtual: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The clock's reading at the moment `unfrozen` was taken (or its frozen reading).
    base: StdInstant,
    /// `Some(real instant)` while the clock runs, `None` while it is paused.
    unfrozen: Option<StdInstant>,
}

impl Clock {
    /// A running clock that reads `origin` now.
    pub(crate) fn new(origin: StdInstant) -> Clock {
        Clock {
            is_virtual: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                base: origin,
                unfrozen: Some(origin),
            }),
        }
    }

    /// The current reading.
    pub(crate) fn now(&self) -> StdInstant {
        if !self.is_virtual.load(Ordering::Acquire) {
            return StdInstant::now();
        }
        self.inner.lock().now()
    }

    /// Whether the clock is paused.
    pub(crate) fn is_paused(&self) -> bool {
        self.is_virtual.load(Ordering::Acquire) && self.inner.lock().unfrozen.is_none()
    }

    /// Freezes the clock (no-op if already paused), snapping it up to a whole millisecond after `origin` (on the tick grid).
    pub(crate) fn pause(&self, origin: StdInstant) {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_none() {
            return;
        }
        let now = inner.now();
        inner.base = snap_up(origin, now);
        inner.unfrozen = None;
        self.is_virtual.store(true, Ordering::Release);
    }

    /// Lets the clock run again from its current reading (no-op if it is running).
    pub(crate) fn resume(&self) {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_none() {
            inner.unfrozen = Some(StdInstant::now());
        }
    }

    /// Moves the clock forward by `by` (saturating far in the future instead of overflowing).
    pub(crate) fn advance(&self, by: Duration) {
        let mut inner = self.inner.lock();
        inner.base = add_saturating(inner.base, by);
        self.is_virtual.store(true, Ordering::Release);
    }

    /// Moves a paused clock forward to `target` if it reads earlier; returns whether it moved.
    pub(crate) fn advance_paused_to(&self, target: StdInstant) -> bool {
        let mut inner = self.inner.lock();
        if inner.unfrozen.is_some() || target <= inner.base {
            return false;
        }
        inner.base = target;
        true
    }
}

impl Inner {
    fn now(&self) -> StdInstant {
        match self.unfrozen {
            Some(unfrozen) => add_saturating(self.base, unfrozen.elapsed()),
            None => self.base,
        }
    }
}

/// How far ahead "far future" is: 30 years, the value Tokio uses for its never-firing deadlines
/// (long past any process lifetime, yet representable as an `Instant` on every platform).
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `instant + by`, or a far-future instant when that is not representable.
pub(crate) fn add_saturating(instant: StdInstant, by: Duration) -> StdInstant {
    instant
        .checked_add(by)
        .unwrap_or_else(|| far_future(instant))
}

/// An instant [`FAR_FUTURE`] after `from` (or as far as the platform allows).
pub(crate) fn far_future(from: StdInstant) -> StdInstant {
    from.checked_add(FAR_FUTURE)
        .or_else(|| from.checked_add(Duration::from_secs(86_400 * 365)))
        .unwrap_or(from)
}

/// `at` rounded up to a whole number of milliseconds after `origin`.
fn snap_up(origin: StdInstant, at: StdInstant) -> StdInstant {
    let since = at.saturating_duration_since(origin);
    let sub_ms = since.subsec_nanos() % 1_000_000;
    if sub_ms == 0 {
        return at;
    }
    add_saturating(at, Duration::from_nanos(u64::from(1_000_000 - sub_ms)))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn paused_clock_is_snapped_to_the_grid_and_frozen() {
        let origin = StdInstant::now();
        let clock = Clock::new(origin);
        std::thread::sleep(Duration::from_micros(300));
        clock.pause(origin);
        let frozen = clock.now();
        assert!(clock.is_paused());
        assert_eq!(frozen.duration_since(origin).subsec_nanos() % 1_000_000, 0);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now(), frozen);
        clock.advance(Duration::from_millis(5));
        assert_eq!(clock.now(), frozen + Duration::from_millis(5));
        assert!(!clock.advance_paused_to(frozen));
        assert!(clock.advance_paused_to(frozen + Duration::from_millis(9)));
        assert_eq!(clock.now(), frozen + Duration::from_millis(9));
        clock.resume();
        assert!(!clock.is_paused());
        assert!(clock.now() >= frozen + Duration::from_millis(9));
    }

    #[test]
    fn advance_saturates_instead_of_overflowing() {
        let origin = StdInstant::now();
        let clock = Clock::new(origin);
        clock.pause(origin);
        clock.advance(Duration::MAX);
        assert!(clock.now() > origin + Duration::from_secs(86_400 * 365));
    }
}
