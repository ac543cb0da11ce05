//! A channel for sending exactly one value between tasks.
//!
//! Both ends share one small lock-protected cell holding the value, both wakers and the two
//! closed flags; every transition (send, sender drop, receiver close/drop) happens under it
//! and wakes the other side after unlocking.
//!
//! Cancel safety: awaiting the `Receiver` is cancel-safe (the value stays in the channel
//! until a poll returns it; if the receiver itself is dropped the value is dropped).
//! `Sender::closed` is cancel-safe.
//!
//! ```
//! # runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, rx) = runtime::sync::oneshot::channel();
//! runtime::spawn(async move { tx.send(42).unwrap() });
//! assert_eq!(rx.await, Ok(42));
//! # });
//! ```

pub mod error;

use crate::loom::sync::Arc;
use crate::loom::sync::Mutex;
use crate::task::coop;
use error::{RecvError, TryRecvError};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

/// Creates a one-value channel.
///
/// ```
/// let (tx, mut rx) = runtime::sync::oneshot::channel();
/// tx.send("v").unwrap();
/// assert_eq!(rx.try_recv(), Ok("v"));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        tx_done: false,
        rx_closed: false,
        rx_waker: None,
        tx_waker: None,
    }));
    (
        Sender {
            shared: Some(shared.clone()),
        },
        Receiver { shared },
    )
}

struct State<T> {
    value: Option<T>,
    /// The sender sent or was dropped.
    tx_done: bool,
    /// The receiver closed or was dropped.
    rx_closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

fn store(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(old) if old.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// Sends the value; consumed by [`send`](Sender::send).
///
/// ```
/// let (tx, rx) = runtime::sync::oneshot::channel::<u8>();
/// assert!(!tx.is_closed());
/// drop(rx);
/// assert!(tx.is_closed());
/// ```
pub struct Sender<T> {
    shared: Option<Arc<Mutex<State<T>>>>,
}

/// Receives the value: a future resolving to `Ok(value)`, or `Err(RecvError)` if the sender
/// was dropped first.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, rx) = runtime::sync::oneshot::channel();
/// tx.send(1).unwrap();
/// assert_eq!(rx.await, Ok(1));
/// # });
/// ```
pub struct Receiver<T> {
    shared: Arc<Mutex<State<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back if the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(3), Err(3));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let shared = self
            .shared
            .take()
            .expect("a Sender holds the channel until it sends");
        let mut state = shared.lock();
        if state.rx_closed {
            state.tx_done = true;
            return Err(value);
        }
        state.value = Some(value);
        state.tx_done = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// `true` once the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::oneshot::channel::<u8>();
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.lock().rx_closed)
    }

    /// Completes once the receiver is closed or dropped (useful to stop work nobody waits
    /// for). Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut tx, rx) = runtime::sync::oneshot::channel::<u8>();
    /// drop(rx);
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls whether the receiver is closed, registering `cx`'s waker if not.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut tx, rx) = runtime::sync::oneshot::channel::<u8>();
    /// drop(rx);
    /// std::future::poll_fn(|cx| tx.poll_closed(cx)).await;
    /// # });
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(shared) = &self.shared else {
            return Poll::Ready(());
        };
        let mut coop = ready!(coop::poll_proceed(cx));
        let mut state = shared.lock();
        if state.rx_closed {
            coop.made_progress();
            return Poll::Ready(());
        }
        store(&mut state.tx_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let mut state = shared.lock();
        state.tx_done = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value now if it was sent.
    ///
    /// ```
    /// use runtime::sync::oneshot::error::TryRecvError;
    /// let (tx, mut rx) = runtime::sync::oneshot::channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.lock();
        match state.value.take() {
            Some(value) => Ok(value),
            None if state.tx_done || state.rx_closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Closes the channel: a later `send` fails. A value sent before can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let waker = state.tx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let mut state = self.shared.lock();
        if let Some(value) = state.value.take() {
            coop.made_progress();
            return Poll::Ready(Ok(value));
        }
        if state.tx_done || state.rx_closed {
            coop.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        store(&mut state.rx_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let value = state.value.take();
        let waker = state.tx_waker.take();
        drop(state);
        drop(value);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
