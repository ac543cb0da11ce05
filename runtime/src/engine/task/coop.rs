//! Cooperative scheduling: a per-poll budget so an always-ready task yields.
//!
//! Each top-level task poll runs with a budget of `BUDGET_PER_POLL` operations on runtime
//! resources (sockets, timers, channels, join handles). Every such *leaf* calls
//! `poll_proceed` before doing work: while budget remains it is decremented; once it is spent
//! the leaf wakes its task and returns `Pending`, so the worker gets to run other tasks, poll the
//! reactor and fire timers. A leaf that returns `Pending` without doing work gets its unit back
//! (the `RestoreOnPending` guard), so polling many idle resources costs nothing.
//!
//! Outside a runtime poll (for example in a plain `futures` executor) the budget is
//! unconstrained and `poll_proceed` always says "go on".

use crate::loom::rt_thread_local;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Operations a task may perform on runtime resources in one poll before it is made to yield.
///
/// 128 is Tokio's value (tokio PR #2160): high enough to amortise a reschedule, low enough to
/// bound how long one task holds a worker. Change it only with the `yield_many` and TCP echo
/// benches in hand.
pub(crate) const BUDGET_PER_POLL: u8 = 128;

rt_thread_local! {
    /// `None` = unconstrained; `Some(n)` = `n` operations left in this poll.
    static BUDGET: Cell<Option<u8>> = Cell::new(None);
}

rt_thread_local! {
    /// Polls this thread's leaves cut short for want of budget, not yet picked up by the
    /// worker running here (its metrics `Stats` take them at maintenance and parking).
    static FORCED_YIELDS: Cell<u64> = Cell::new(0);
}

/// Takes (and resets) the count of forced yields on this thread since the last call.
#[cfg_attr(runtime_metrics_off, allow(dead_code))]
pub(crate) fn take_forced_yields() -> u64 {
    FORCED_YIELDS
        .try_with(|count| count.replace(0))
        .unwrap_or(0)
}

/// Runs `f` (one task poll) with a fresh budget, restoring the previous budget afterwards.
pub(crate) fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget_value(Some(BUDGET_PER_POLL), f)
}

/// Runs `f` with the given budget in force, restoring the previous one afterwards (also on
/// unwind).
pub(crate) fn with_budget_value<R>(budget: Option<u8>, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<u8>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = BUDGET.try_with(|b| b.set(self.0));
        }
    }
    let previous = BUDGET.try_with(|b| b.replace(budget)).unwrap_or(None);
    let _reset = Reset(previous);
    f()
}

/// The budget left in the current poll (`None` when unconstrained).
pub(crate) fn current_budget() -> Option<u8> {
    BUDGET.try_with(Cell::get).unwrap_or(None)
}

/// Asks to perform one operation on a runtime resource.
///
/// Returns `Ready(guard)` when the task may go on; the guard gives the unit back on drop unless
/// [`RestoreOnPending::made_progress`] is called. Returns `Pending` (after waking the task, so it
/// is polled again later) when the budget is spent.
///
/// `#[track_caller]`: in a task dump's trace poll (see `task/trace.rs`) the spent budget makes
/// the leaf record itself at its caller's location; [`poll_proceed_as`] also names its kind.
#[inline]
#[track_caller]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    poll_proceed_as(cx, "runtime leaf")
}

/// [`poll_proceed`] for a leaf of kind `kind` (what a task dump calls it, e.g. `"sleep"`).
#[inline]
#[track_caller]
pub(crate) fn poll_proceed_as(cx: &mut Context<'_>, kind: &'static str) -> Poll<RestoreOnPending> {
    let outcome = BUDGET.try_with(|cell| match cell.get() {
        None => Poll::Ready(RestoreOnPending(None)),
        Some(0) => Poll::Pending,
        Some(n) => {
            cell.set(Some(n - 1));
            Poll::Ready(RestoreOnPending(Some(n)))
        }
    });
    match outcome {
        Ok(Poll::Pending) => budget_spent(cx, kind),
        Ok(ready) => ready,
        Err(_) => Poll::Ready(RestoreOnPending(None)),
    }
}

/// The cold half of [`poll_proceed_as`]: the budget is spent. In a dump's trace poll the leaf
/// records itself and stays untouched (the dump reschedules the task afterwards); otherwise
/// the task is woken to yield.
#[cold]
#[track_caller]
fn budget_spent(cx: &mut Context<'_>, kind: &'static str) -> Poll<RestoreOnPending> {
    if super::trace::is_active() {
        super::trace::leaf(kind, std::panic::Location::caller());
    } else {
        #[cfg(not(runtime_metrics_off))]
        let _ = FORCED_YIELDS.try_with(|count| count.set(count.get() + 1));
        super::current_poll::wake_by_ref(cx.waker());
    }
    Poll::Pending
}

/// Gives a budget unit back when a leaf returns `Pending` without doing any work.
#[must_use = "dropping the guard restores the budget; call made_progress() once work was done"]
#[derive(Debug)]
pub(crate) struct RestoreOnPending(Option<u8>);

impl RestoreOnPending {
    /// Marks that the operation did work, so the unit stays spent.
    #[inline]
    pub(crate) fn made_progress(&mut self) {
        self.0 = None;
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(previous) = self.0 {
            let _ = BUDGET.try_with(|b| {
                if b.get().is_some() {
                    b.set(Some(previous));
                }
            });
        }
    }
}

/// Returns `true` while the current task still has budget left in this poll (always `true`
/// outside a runtime).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     assert!(runtime::task::coop::has_budget_remaining());
/// });
/// ```
pub fn has_budget_remaining() -> bool {
    current_budget().is_none_or(|n| n > 0)
}

/// Spends one unit of the current task's budget, yielding to the scheduler if it is used up.
///
/// Put it in CPU-bound loops that touch no runtime resource so they still let other tasks run.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut sum = 0u64;
///     for i in 0..10_000u64 {
///         sum += i;
///         runtime::task::coop::consume_budget().await;
///     }
///     assert_eq!(sum, 49_995_000);
/// });
/// ```
pub async fn consume_budget() {
    let mut status = Poll::Pending;
    std::future::poll_fn(move |cx| {
        if status.is_ready() {
            return status;
        }
        status = poll_proceed(cx).map(|mut restore| restore.made_progress());
        status
    })
    .await
}

/// Runs `future` with no budget: its leaves never force it to yield.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// let out = rt.block_on(runtime::task::coop::unconstrained(async { 7 }));
/// assert_eq!(out, 7);
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

pin_project_lite::pin_project! {
    /// A future that runs its inner future with the budget switched off; see [`unconstrained`].
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Unconstrained<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let future = self.project().future;
        // A dump's trace poll stays a trace poll inside: leaves must not run for real.
        let budget = if super::trace::is_active() {
            Some(0)
        } else {
            None
        };
        with_budget_value(budget, || future.poll(cx))
    }
}

/// Polls `f` as one budgeted operation: spends a unit if it makes progress.
#[track_caller]
pub(crate) fn poll_budgeted<T>(
    cx: &mut Context<'_>,
    f: impl FnOnce(&mut Context<'_>) -> Poll<T>,
) -> Poll<T> {
    let mut restore = ready!(poll_proceed(cx));
    let out = f(cx);
    if out.is_ready() {
        restore.made_progress();
    }
    out
}
