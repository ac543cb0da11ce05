//! [`Interval`], [`interval`], [`interval_at`] and [`MissedTickBehavior`].

use super::{Instant, Sleep, sleep_until};
use std::future::poll_fn;
use std::task::{Context, Poll, ready};
use std::time::Duration;

/// How late a tick may be and still count as on time: 5 ms, Tokio's tolerance. Ordinary timer
/// lateness (well under 1 ms) then never shifts a [`MissedTickBehavior::Delay`] schedule.
const LATE_TOLERANCE: Duration = Duration::from_millis(5);

/// Ticks every `period`, the first tick completing at once.
///
/// `Duration::MAX` ticks once, then again only at its far-future deadline (30 years on).
///
/// # Panics
/// If `period` is zero (a zero period would complete every tick at once, forever).
///
/// ```
/// use runtime::time::{Instant, interval};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     let mut every = interval(Duration::from_millis(10));
///     for n in 0..3 {
///         let at = every.tick().await;
///         assert_eq!(at - start, Duration::from_millis(10 * n));
///     }
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval` period must be non-zero");
    interval_at(Instant::now(), period)
}

/// Ticks at `start`, then every `period` after it.
///
/// # Panics
/// If `period` is zero.
///
/// ```
/// use runtime::time::{Instant, interval_at};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now() + Duration::from_secs(1);
///     let mut every = interval_at(start, Duration::from_secs(2));
///     assert_eq!(every.tick().await, start);
///     assert_eq!(every.tick().await, start + Duration::from_secs(2));
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval_at` period must be non-zero");
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does after ticks were missed (a tick completed more than 5 ms late).
///
/// With period `P`, ticks due at `0, P, 2P, …` and the task looking again only at `3.5 P`:
///
/// ```
/// use runtime::time::{Instant, MissedTickBehavior, advance, interval};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let p = Duration::from_millis(10);
///     let start = Instant::now();
///     let mut every = interval(p);
///     every.set_missed_tick_behavior(MissedTickBehavior::Skip);
///     every.tick().await;
///     advance(p * 7 / 2).await;
///     assert_eq!(every.tick().await - start, p); // the late tick itself
///     assert_eq!(every.tick().await - start, p * 4); // 2P and 3P skipped
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back until caught up, then keep the original schedule
    /// (`P`, `2P`, `3P` all at `3.5P`, then `4P`). The default.
    #[default]
    Burst,
    /// Restart the schedule from the late tick: `P` at `3.5P`, then one period after that
    /// (`4.5P`, `5.5P`, …).
    Delay,
    /// Drop the missed ticks and resume on the original grid: `P` at `3.5P`, then `4P`, `5P`, ….
    Skip,
}

impl MissedTickBehavior {
    /// The next deadline after a tick due at `due` completed at `now` (late).
    fn next_after_late(self, due: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => due + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let behind = (now - due).as_nanos();
                let period_ns = period.as_nanos().max(1);
                // First grid point strictly after `now`: due + P * (floor(behind / P) + 1).
                let steps = behind / period_ns + 1;
                match u32::try_from(steps)
                    .ok()
                    .and_then(|steps| period.checked_mul(steps))
                {
                    Some(offset) => due + offset,
                    None => now + period,
                }
            }
        }
    }
}

/// A schedule of ticks; made by [`interval`] and [`interval_at`].
///
/// ```
/// use runtime::time::interval;
/// use std::time::Duration;
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut every = interval(Duration::from_secs(1));
///     assert_eq!(every.period(), Duration::from_secs(1));
///     let first = every.tick().await;
///     assert_eq!(every.tick().await - first, Duration::from_secs(1));
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for. Cancel-safe: a
    /// dropped `tick()` future loses no tick.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = runtime::time::interval(std::time::Duration::from_millis(5));
    ///     let a = every.tick().await;
    ///     let b = every.tick().await;
    ///     assert_eq!(b - a, std::time::Duration::from_millis(5));
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (for hand-written futures and streams).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = runtime::time::interval(std::time::Duration::from_secs(1));
    ///     let first = poll_fn(|cx| every.poll_tick(cx)).await;
    ///     assert!(first <= runtime::time::Instant::now());
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.delay.poll_elapsed(cx));
        let due = self.delay.deadline();
        let now = Instant::now();
        let next = if now > due + LATE_TOLERANCE {
            self.missed_tick_behavior
                .next_after_late(due, now, self.period)
        } else {
            due + self.period
        };
        self.delay.reset(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use runtime::time::{Instant, interval};
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = interval(Duration::from_secs(1));
    ///     every.tick().await;
    ///     runtime::time::advance(Duration::from_millis(300)).await;
    ///     every.reset();
    ///     let next = every.tick().await;
    ///     assert_eq!(next, Instant::now());
    ///     assert_eq!(every.period(), Duration::from_secs(1));
    /// });
    /// ```
    pub fn reset(&mut self) {
        self.delay.reset(Instant::now() + self.period);
    }

    /// Restarts the schedule with the next tick due now: the next [`tick`](Self::tick)
    /// completes at once, and the ones after follow every period from here.
    ///
    /// ```
    /// use runtime::time::{Instant, interval};
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = interval(Duration::from_secs(1));
    ///     every.tick().await;
    ///     runtime::time::advance(Duration::from_millis(300)).await;
    ///     every.reset_immediately();
    ///     let now = Instant::now();
    ///     assert_eq!(every.tick().await, now);
    ///     assert_eq!(every.tick().await, now + Duration::from_secs(1));
    /// });
    /// ```
    pub fn reset_immediately(&mut self) {
        self.delay.reset(Instant::now());
    }

    /// Restarts the schedule with the next tick due `after` from now (then every period).
    /// A duration too large to represent means "never".
    ///
    /// ```
    /// use runtime::time::{Instant, interval};
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = interval(Duration::from_secs(1));
    ///     every.tick().await;
    ///     let now = Instant::now();
    ///     every.reset_after(Duration::from_millis(250));
    ///     assert_eq!(every.tick().await, now + Duration::from_millis(250));
    ///     assert_eq!(every.tick().await, now + Duration::from_millis(1250));
    /// });
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        self.delay.reset(Instant::now() + after);
    }

    /// Restarts the schedule with the next tick due at `deadline` (then every period). A
    /// deadline already past makes the next tick complete at once.
    ///
    /// ```
    /// use runtime::time::{Instant, interval};
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = interval(Duration::from_secs(1));
    ///     every.tick().await;
    ///     let at = Instant::now() + Duration::from_secs(5);
    ///     every.reset_at(at);
    ///     assert_eq!(every.tick().await, at);
    ///     assert_eq!(every.tick().await, at + Duration::from_secs(1));
    /// });
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        self.delay.reset(deadline);
    }

    /// The current [`MissedTickBehavior`].
    ///
    /// ```
    /// let every = runtime::time::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(every.missed_tick_behavior(), runtime::time::MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens after missed ticks.
    ///
    /// ```
    /// use runtime::time::MissedTickBehavior;
    /// let mut every = runtime::time::interval(std::time::Duration::from_secs(1));
    /// every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period between ticks.
    ///
    /// ```
    /// let every = runtime::time::interval(std::time::Duration::from_millis(250));
    /// assert_eq!(every.period(), std::time::Duration::from_millis(250));
    /// ```
    pub fn period(&self) -> std::time::Duration {
        self.period
    }
}
