//! [`Sleep`], [`sleep`] and [`sleep_until`].

use super::Instant;
use crate::engine::Timer;
use crate::task::coop;
use crate::util::instrument::{AsyncOp, Resource};
#[cfg(feature = "tracing")]
use crate::util::instrument::{Attribute, Update};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

/// Waits until `duration` has passed on the runtime's clock.
///
/// The deadline is rounded up to the timer's 250 µs resolution: the sleep never ends early and
/// (on an idle runtime) ends about a quarter of a millisecond late at most, plus wake-up
/// latency. A duration too large to add to the clock (`Duration::MAX`) is clamped to 30 years
/// (no overflow, no panic): in real time it never completes, and a paused clock auto-advances
/// to it like to any other deadline.
///
/// ```
/// use runtime::time::{Instant, sleep};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
#[cfg_attr(feature = "tracing", track_caller)]
pub fn sleep(duration: Duration) -> Sleep {
    sleep_as(duration, Resource::new("Sleep", "timer"))
}

/// [`sleep`], reported to `tracing` as `resource` (a `Timeout`'s timer is one).
pub(crate) fn sleep_as(duration: Duration, resource: Resource) -> Sleep {
    let driver = crate::engine::current_driver();
    let now = match &driver {
        Some(driver) => driver.now(),
        None => std::time::Instant::now(),
    };
    Sleep::new(Instant::from_std(now) + duration, driver, resource)
}

/// Waits until `deadline` on the runtime's clock (at once if it has passed).
///
/// ```
/// use runtime::time::{Instant, sleep_until};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let deadline = Instant::now() + Duration::from_secs(60);
///     sleep_until(deadline).await; // paused clock: jumps straight there
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
#[cfg_attr(feature = "tracing", track_caller)]
pub fn sleep_until(deadline: Instant) -> Sleep {
    sleep_until_as(deadline, Resource::new("Sleep", "timer"))
}

/// [`sleep_until`], reported to `tracing` as `resource`.
pub(crate) fn sleep_until_as(deadline: Instant, resource: Resource) -> Sleep {
    Sleep::new(deadline, crate::engine::current_driver(), resource)
}

/// A future that completes at a deadline; made by [`sleep`] and [`sleep_until`].
///
/// The timer is registered with the runtime on the first poll and cancelled in O(1) when the
/// `Sleep` is dropped. `Sleep` is `Unpin`, so it can be polled and reset without pinning.
/// Each completing poll uses one unit of the task's cooperative budget.
///
/// **After the runtime shuts down**, a pending `Sleep` completes (its waker is woken during
/// shutdown) and a new one completes on its first poll: nothing waits forever on a runtime
/// that is gone, and nothing panics.
///
/// # Panics
/// Polling a `Sleep` created outside any runtime, when no runtime is current either, panics
/// with a message saying so (there is no clock driver to register with).
///
/// ```
/// use runtime::time::{Instant, sleep};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut nap = sleep(Duration::from_secs(5));
///     assert!(!nap.is_elapsed());
///     nap.reset(Instant::now() + Duration::from_secs(1));
///     (&mut nap).await;
///     assert!(nap.is_elapsed());
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    deadline: Instant,
    timer: Timer,
    /// The `tracing` resource and its one operation (zero-sized without the feature).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    resource: Resource,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    op: AsyncOp,
}

impl Sleep {
    fn new(
        deadline: Instant,
        driver: Option<crate::engine::DriverHandle>,
        resource: Resource,
    ) -> Sleep {
        let op = resource.async_op("Sleep::new_timeout");
        let sleep = Sleep {
            deadline,
            timer: Timer::new(driver),
            resource,
            op,
        };
        sleep.trace_duration();
        sleep
    }

    /// Reports the time left to the deadline as the resource's `duration` (feature `tracing`).
    #[inline(always)]
    fn trace_duration(&self) {
        #[cfg(feature = "tracing")]
        {
            let left = self.deadline.saturating_duration_since(Instant::now());
            let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
            self.resource
                .update_u64(Attribute::Duration, ms, Update::Set);
        }
    }

    /// The instant this sleep completes at.
    ///
    /// ```
    /// use runtime::time::{Instant, sleep_until};
    /// let at = Instant::now() + std::time::Duration::from_secs(1);
    /// assert_eq!(sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the sleep has completed: its timer fired, or a poll found the deadline reached.
    ///
    /// A `Sleep` that was never polled (or was reset since) is not elapsed, even if its deadline
    /// has passed: the deadline is checked by polling, and a reset re-arms it.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::task::{Context, Waker};
    /// use std::time::Duration;
    ///
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut nap = runtime::time::sleep(Duration::from_millis(10));
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     assert!(std::pin::Pin::new(&mut nap).poll(&mut cx).is_pending()); // timer filed
    ///     assert!(!nap.is_elapsed());
    ///     runtime::time::advance(Duration::from_millis(10)).await; // and fired
    ///     assert!(nap.is_elapsed());
    ///
    ///     let due = runtime::time::sleep(Duration::ZERO);
    ///     assert!(!due.is_elapsed()); // not polled yet
    /// });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.timer.is_fired()
    }

    /// Moves the deadline (earlier or later, even after completion); the next poll waits for
    /// the new one. O(1); the wheel lock is taken only if the timer is registered.
    ///
    /// ```
    /// use runtime::time::{Instant, sleep};
    /// use std::time::Duration;
    ///
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut nap = sleep(Duration::from_millis(10));
    ///     (&mut nap).await;
    ///     nap.reset(Instant::now() + Duration::from_millis(20));
    ///     nap.await;
    ///     assert_eq!(start.elapsed(), Duration::from_millis(30));
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        self.timer.reset(deadline.into_std());
        self.trace_duration();
    }

    #[track_caller]
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        // The budget first, outside any closure, so a dump's trace poll records the caller's
        // `.await` (`#[track_caller]` does not pass through a closure).
        let restore = ready!(coop::poll_proceed_as(cx, "sleep"));
        #[cfg(feature = "tracing")]
        {
            let Sleep {
                deadline,
                timer,
                op,
                ..
            } = self;
            op.poll("poll_elapsed", || {
                Self::poll_timer(timer, deadline, cx, restore)
            })
        }
        #[cfg(not(feature = "tracing"))]
        Self::poll_timer(&mut self.timer, &self.deadline, cx, restore)
    }

    #[inline(always)]
    fn poll_timer(
        timer: &mut Timer,
        deadline: &Instant,
        cx: &mut Context<'_>,
        mut restore: coop::RestoreOnPending,
    ) -> Poll<()> {
        let polled = timer.poll_at(cx, deadline.into_std());
        if polled.is_ready() {
            restore.made_progress();
        }
        polled
    }
}

impl Future for Sleep {
    type Output = ();

    /// `#[track_caller]`: a task dump names the `.await` of this sleep.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_elapsed(cx)
    }
}
