//! A channel for sending exactly one value between tasks.
//!
//! Both ends share one cell (`inner.rs`): an atomic state word and slots for the value and
//! the two wakers, handed between the sides by the word's bits, so no step takes a lock: a
//! send is one compare-and-swap (plus waking the receiver if it waits), a ready receive is
//! one load.
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
mod inner;

use crate::loom::sync::Arc;
use crate::task::coop;
use crate::util::instrument::{AsyncOp, Attribute, Resource};
use error::{RecvError, TryRecvError};
use inner::{Inner, Received};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Creates a one-value channel.
///
/// ```
/// let (tx, mut rx) = runtime::sync::oneshot::channel();
/// tx.send("v").unwrap();
/// assert_eq!(rx.try_recv(), Ok("v"));
/// ```
#[cfg_attr(feature = "tracing", track_caller)]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Inner::new());
    let resource = Resource::new("Sender|Receiver", "Sync");
    resource.update_bool(Attribute::TxDropped, false);
    resource.update_bool(Attribute::RxDropped, false);
    resource.update_bool(Attribute::ValueSent, false);
    resource.update_bool(Attribute::ValueReceived, false);
    let op = resource.async_op("Receiver::await");
    (
        Sender {
            shared: Some(shared.clone()),
            resource: resource.clone(),
        },
        Receiver {
            shared,
            finished: false,
            resource,
            op,
        },
    )
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
    shared: Option<Arc<Inner<T>>>,
    /// The channel's `tracing` resource (zero-sized without the feature).
    resource: Resource,
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
    shared: Arc<Inner<T>>,
    /// A receive returned a value or the closed error: the sender is finished (or can never
    /// finish), nothing is left in the channel, so dropping needs no state change.
    finished: bool,
    /// The channel's `tracing` resource and the receive operation (zero-sized without the
    /// feature).
    resource: Resource,
    op: AsyncOp,
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
        let sent = shared.send(value);
        self.resource
            .update_bool(Attribute::ValueSent, sent.is_ok());
        sent
    }

    /// `true` once the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::oneshot::channel::<u8>();
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.is_closed())
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
        let poll = shared.poll_closed(cx);
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.drop_sender();
        }
        self.resource.update_bool(Attribute::TxDropped, true);
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
        let received = self.shared.try_recv();
        self.finished = !matches!(received, Received::Empty);
        match received {
            Received::Value(value) => {
                self.resource.update_bool(Attribute::ValueReceived, true);
                Ok(value)
            }
            Received::Closed => Err(TryRecvError::Closed),
            Received::Empty => Err(TryRecvError::Empty),
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
        self.shared.close();
    }

    /// `true` once this receiver has produced its result (a value or an error), by `.await`
    /// or by a [`try_recv`](Self::try_recv) that did not find it empty; it must not be
    /// polled again then.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::oneshot::channel();
    /// assert!(!rx.is_terminated());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_terminated(), "sent, but not received yet");
    /// assert_eq!((&mut rx).await, Ok(1));
    /// assert!(rx.is_terminated());
    /// # });
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.finished
    }

    /// `true` unless a sent value is waiting to be received: before the send, after the
    /// value was received, and when the sender was dropped without sending.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::oneshot::channel();
    /// assert!(rx.is_empty());
    /// tx.send("v").unwrap();
    /// assert!(!rx.is_empty());
    /// assert_eq!(rx.try_recv(), Ok("v"));
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.finished || !self.shared.has_value()
    }

    /// Waits for the value from synchronous code, blocking the thread.
    ///
    /// # Errors
    /// [`RecvError`] if the sender was dropped without sending.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime (inside a task or `block_on`), as
    /// Tokio's does.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let (tx, rx) = runtime::sync::oneshot::channel();
    /// let waiter = std::thread::spawn(move || rx.blocking_recv());
    /// rt.spawn(async move { tx.send(5).unwrap() });
    /// assert_eq!(waiter.join().unwrap(), Ok(5));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::sync::block::block_on("oneshot::Receiver::blocking_recv", self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    /// `#[track_caller]`: a task dump names the `.await` of this receiver.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut coop = ready!(coop::poll_proceed_as(cx, "oneshot::Receiver"));
        let received = ready!(this.op.poll("poll_recv", || this.shared.poll_recv(cx)));
        this.finished = true;
        coop.made_progress();
        Poll::Ready(match received {
            Received::Value(value) => {
                this.resource.update_bool(Attribute::ValueReceived, true);
                Ok(value)
            }
            Received::Closed | Received::Empty => Err(RecvError(())),
        })
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // After a finished receive the sender is done and the value slot is empty: closing
        // would change nothing anyone can see (saves an atomic RMW per round trip).
        if !self.finished {
            self.shared.drop_receiver();
        }
        self.resource.update_bool(Attribute::RxDropped, true);
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
