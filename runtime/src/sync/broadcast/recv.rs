//! [`Recv`]: the future of [`Receiver::recv`], parked in the channel's wait list while no
//! value is there (rules BC1, BC2 and BC5 in `mod.rs`).

use super::error::{RecvError, TryRecvError};
use super::{Receiver, take_locked};
use crate::sync::waiters::WaiterKey;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// The future of [`Receiver::recv`].
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::broadcast::channel(1);
/// let fut: runtime::sync::broadcast::Recv<'_, u8> = rx.recv();
/// tx.send(1).unwrap();
/// assert_eq!(fut.await, Ok(1));
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    key: Option<WaiterKey>,
}

impl<'a, T> Recv<'a, T> {
    pub(super) fn new(rx: &'a mut Receiver<T>) -> Self {
        Recv { rx, key: None }
    }
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut coop = ready!(coop::poll_proceed_as(cx, "broadcast::Receiver::recv"));
        let rx = &mut *this.rx;
        let mut state = rx.shared.state.lock();
        // A waker this poll lets go of (replaced or removed); dropped after the lock (BC5).
        let released;
        let result = match take_locked(&mut rx.next, rx.shared.mask, &mut state) {
            Ok(value) => Ok(value),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Empty) => {
                released = match this.key.take() {
                    Some(key) if state.waiters.is_linked(&key) => {
                        let old = state.waiters.set_waker(&key, cx.waker());
                        this.key = Some(key);
                        old
                    }
                    stale => {
                        let old = stale.and_then(|key| state.waiters.remove_with_waker(key).2);
                        this.key = Some(state.waiters.push_back((), cx.waker()));
                        old
                    }
                };
                drop(state);
                drop(released);
                return Poll::Pending;
            }
        };
        released = this
            .key
            .take()
            .and_then(|key| state.waiters.remove_with_waker(key).2);
        drop(state);
        drop(released);
        coop.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut state = self.rx.shared.state.lock();
            let (_, _, waker) = state.waiters.remove_with_waker(key);
            drop(state);
            drop(waker); // BC5: its `Drop` may send on this channel
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
