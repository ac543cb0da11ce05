//! [`Timeout`], [`timeout`] and [`timeout_at`].

use super::error::Elapsed;
use super::sleep::{sleep_as, sleep_until_as};
use super::{Instant, Sleep};
use crate::engine::trace_frame;
use crate::task::coop;
use crate::util::instrument::Resource;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

/// Runs `future` with a time limit: `Ok(output)` if it finishes within `duration`, else
/// `Err(Elapsed)` — and the future is **dropped** (cancelled) the moment the limit fires, like
/// `asyncio.wait_for`.
///
/// The future is polled first, so one that is ready at once wins even with a zero duration
/// (unless the task's cooperative budget is already spent: then the timeout yields first).
/// A future that uses up the task's cooperative budget cannot starve its own timeout: the timer
/// is then polled outside the budget. A completion spends at least one unit of the task's
/// cooperative budget (one for the inner future if it spent none), so a loop over timeouts of
/// futures that are ready at once still lets other tasks run. `Duration::MAX` is clamped to a limit 30 years away.
///
/// ```
/// use runtime::time::{sleep, timeout};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 5 }).await, Ok(5));
///     let slow = sleep(Duration::from_secs(10));
///     assert!(timeout(Duration::from_secs(1), slow).await.is_err());
/// });
/// ```
#[cfg_attr(feature = "tracing", track_caller)]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    let timer = sleep_as(duration, Resource::new("Timeout", "timer"));
    Timeout::new(future.into_future(), timer)
}

/// Like [`timeout`], with an absolute deadline.
///
/// ```
/// use runtime::time::{Instant, timeout_at};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(50);
///     let result = timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(result.is_err());
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
#[cfg_attr(feature = "tracing", track_caller)]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    let timer = sleep_until_as(deadline, Resource::new("Timeout", "timer"));
    Timeout::new(future.into_future(), timer)
}

pin_project_lite::pin_project! {
    /// A future with a time limit; made by [`timeout`] and [`timeout_at`].
    ///
    /// Once it has returned (either way) the inner future is gone; polling again returns
    /// `Pending` forever.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let limited = runtime::time::timeout(Duration::from_secs(5), async { "done" });
    /// assert_eq!(rt.block_on(limited), Ok("done"));
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Timeout<F> {
        #[pin]
        future: Option<F>,
        delay: Sleep,
    }
}

impl<F> Timeout<F> {
    fn new(future: F, delay: Sleep) -> Timeout<F> {
        Timeout {
            future: Some(future),
            delay,
        }
    }

    /// The deadline after which the inner future is cancelled.
    ///
    /// ```
    /// use runtime::time::{Instant, timeout_at};
    /// let at = Instant::now();
    /// assert_eq!(timeout_at(at, async {}).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.delay.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    /// `#[track_caller]`: a task dump shows this timeout's `.await` as a frame above what
    /// the inner future waits on.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        // In a dump's trace poll: record the frame, trace the inner future under it, and
        // leave the deadline alone.
        if let Some(_frame) = trace_frame("timeout", std::panic::Location::caller()) {
            let output = ready!(future.poll(cx));
            this.future.set(None);
            return Poll::Ready(Ok(output));
        }
        // A spent budget yields before anything is polled (the unit is given back at once).
        drop(ready!(coop::poll_proceed(cx)));
        let before = coop::current_budget();
        if let Poll::Ready(output) = future.poll(cx) {
            if coop::current_budget() == before {
                // The inner future spent nothing (an `async` block ready at once): spend a
                // unit for it. One that spent its own (a channel, a socket) is not charged twice.
                spend_budget_unit(cx);
            }
            this.future.set(None);
            return Poll::Ready(Ok(output));
        }
        // If the inner future spent the budget, check the timer anyway (unbudgeted): otherwise
        // a future that is always busy would never time out.
        let delay = this.delay;
        let fired = if !coop::has_budget_remaining() {
            coop::with_budget_value(None, || delay.poll_elapsed(cx))
        } else {
            delay.poll_elapsed(cx)
        };
        if fired.is_ready() {
            this.future.set(None);
            return Poll::Ready(Err(Elapsed::new()));
        }
        Poll::Pending
    }
}

/// Spends one unit of the task's budget for a completion, so a loop over timeouts of futures
/// that are ready at once still yields. Never yields itself: the output is already in hand.
/// (A guard from `poll_proceed` held across the inner poll would, on `Pending`, restore the
/// budget to its value before that poll and erase what the inner future spent.)
fn spend_budget_unit(cx: &mut Context<'_>) {
    if coop::has_budget_remaining()
        && let Poll::Ready(mut unit) = coop::poll_proceed(cx)
    {
        unit.made_progress();
    }
}
