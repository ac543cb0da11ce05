//! The futures of [`Notify::notified`] and [`Notify::notified_owned`]: both drive one
//! [`Waiter`] through `poll_waiter` / `drop_waiter` (rules NT1-NT4 in `mod.rs`).

use super::{Notify, Waiter};
use crate::task::coop;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

#[track_caller]
fn poll_budgeted(notify: &Notify, w: &mut Waiter, cx: &mut Context<'_>) -> Poll<()> {
    let mut coop = ready!(coop::poll_proceed_as(cx, "Notify::notified"));
    if notify.poll_waiter(w, cx.waker()) {
        coop.made_progress();
        Poll::Ready(())
    } else {
        Poll::Pending
    }
}

/// The future of [`Notify::notified`].
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let notify = runtime::sync::Notify::new();
/// let fut: runtime::sync::futures::Notified<'_> = notify.notified();
/// notify.notify_waiters();
/// fut.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    pub(super) notify: &'a Notify,
    pub(super) waiter: Waiter,
}

impl Notified<'_> {
    /// Registers for `notify_one` without polling; returns `true` if already notified.
    ///
    /// Use it to close the gap between checking a condition and awaiting: create, enable,
    /// check, then await.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = runtime::sync::Notify::new();
    /// let mut fut = std::pin::pin!(notify.notified());
    /// assert!(!fut.as_mut().enable());
    /// notify.notify_one(); // goes to the enabled future, not to the permit
    /// fut.await;
    /// # });
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.notify.enable_waiter(&mut this.waiter)
    }
}

impl Future for Notified<'_> {
    type Output = ();

    /// `#[track_caller]`: a task dump names the `.await` of this notification.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_budgeted(this.notify, &mut this.waiter, cx)
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        self.notify.drop_waiter(&mut self.waiter);
    }
}

/// The future of [`Notify::notified_owned`]; `'static` because it holds an `Arc<Notify>`.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// let notify = Arc::new(runtime::sync::Notify::new());
/// let fut: runtime::sync::futures::OwnedNotified = notify.clone().notified_owned();
/// notify.notify_one();
/// fut.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct OwnedNotified {
    pub(super) notify: Arc<Notify>,
    pub(super) waiter: Waiter,
}

impl OwnedNotified {
    /// Same as [`Notified::enable`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let notify = Arc::new(runtime::sync::Notify::new());
    /// notify.notify_one();
    /// let mut fut = Box::pin(notify.clone().notified_owned());
    /// assert!(fut.as_mut().enable()); // took the stored permit
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        this.notify.enable_waiter(&mut this.waiter)
    }
}

impl Future for OwnedNotified {
    type Output = ();

    /// `#[track_caller]`: a task dump names the `.await` of this notification.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_budgeted(&this.notify, &mut this.waiter, cx)
    }
}

impl Drop for OwnedNotified {
    fn drop(&mut self) {
        self.notify.drop_waiter(&mut self.waiter);
    }
}
