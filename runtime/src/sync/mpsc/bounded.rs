//! The bounded channel's handles: `Sender`, `Receiver`, `Permit`, `OwnedPermit`.

use super::chan::Chan;
use super::error::{SendError, TrySendError};
use super::{OwnedPermit, Permit};
use crate::loom::sync::Arc;
use crate::sync::batch_semaphore::{RawSemaphore, TryAcquire};
use std::collections::VecDeque;
use std::fmt;

/// Creates a bounded channel holding at most `capacity` queued messages.
///
/// # Panics
///
/// If `capacity` is 0 (as in Tokio; use a `oneshot` or `Notify` for rendezvous).
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::channel(2);
/// tx.send("hi").await.unwrap();
/// assert_eq!(rx.recv().await, Some("hi"));
/// # });
/// ```
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc bounded channel requires capacity > 0");
    let chan = Arc::new(Chan::new(capacity));
    (
        Sender { chan: chan.clone() },
        Receiver {
            chan,
            batch: VecDeque::new(),
        },
    )
}

/// The sending half of a bounded channel; clone it for more producers.
///
/// ```
/// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(4);
/// let tx2 = tx.clone();
/// assert!(tx.same_channel(&tx2));
/// ```
pub struct Sender<T> {
    pub(super) chan: Arc<Chan<T>>,
}

/// The receiving half of a bounded channel; a [`futures_core::Stream`] of messages.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use futures_util::StreamExt;
/// let (tx, rx) = runtime::sync::mpsc::channel(4);
/// tx.send(1).await.unwrap();
/// tx.send(2).await.unwrap();
/// drop(tx);
/// assert_eq!(rx.collect::<Vec<_>>().await, [1, 2]);
/// # });
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    /// Messages taken from the shared queue in one lock, handed out one by one.
    batch: VecDeque<T>,
}

impl<T> Sender<T> {
    fn sem(&self) -> &RawSemaphore {
        self.chan
            .sem
            .as_ref()
            .expect("a bounded channel has a semaphore")
    }

    /// Sends `value`, waiting for a free slot while the channel is full.
    ///
    /// Fails, giving the value back, if the receiver is gone. Cancel safety: if the future is
    /// dropped the value was not sent and is dropped too; use [`reserve`](Self::reserve)
    /// first to keep it.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// tx.send(1).await.unwrap();
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.reserve().await {
            Ok(permit) => {
                permit.send_or_return(value).map_err(SendError)?;
                Ok(())
            }
            Err(_) => Err(SendError(value)),
        }
    }

    /// Sends now if a slot is free.
    ///
    /// ```
    /// use runtime::sync::mpsc::{channel, error::TrySendError};
    /// let (tx, rx) = channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.try_reserve() {
            Ok(permit) => permit.send_or_return(value).map_err(TrySendError::Closed),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(value)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(value)),
        }
    }

    /// Waits for a free slot and reserves it. Cancel-safe: a dropped future gives its place
    /// in line back.
    ///
    /// Fails once the receiver is closed or dropped, even if a slot was already handed to this
    /// reservation while it waited (the slot goes back; as in Tokio). A [`Permit`] obtained
    /// before the close can still send.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.reserve().await.unwrap();
    /// assert_eq!(tx.capacity(), 0);
    /// drop(permit);
    /// assert_eq!(tx.capacity(), 1);
    /// # });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match self.chan.reserve().await {
            Ok(()) => Ok(Permit { chan: &self.chan }),
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves a free slot now, if there is one.
    ///
    /// ```
    /// use runtime::sync::mpsc::{channel, error::TrySendError};
    /// let (tx, _rx) = channel::<u8>(1);
    /// let _p = tx.try_reserve().unwrap();
    /// assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.sem().try_acquire(1) {
            Ok(()) => Ok(Permit { chan: &self.chan }),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(())),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(())),
        }
    }

    /// Like [`reserve`](Self::reserve) but consuming the sender into an [`OwnedPermit`]
    /// (cancel-safe). On failure the sender is handed back inside the error.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// let permit = tx.clone().reserve_owned().await.unwrap();
    /// runtime::spawn(async move { permit.send("x"); }).await.unwrap();
    /// assert_eq!(rx.recv().await, Some("x"));
    /// # });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<Self>> {
        match self.chan.reserve().await {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(_) => Err(SendError(self)),
        }
    }

    /// Like [`try_reserve`](Self::try_reserve), consuming the sender.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// drop(permit);
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.sem().try_acquire(1) {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(self)),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(self)),
        }
    }

    super::handles::sender_methods! {
        /// Completes once the receiver is closed or dropped. Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, rx) = runtime::sync::mpsc::channel::<u8>(1);
        /// drop(rx);
        /// tx.closed().await;
        /// # });
        /// ```
        closed;

        /// `true` once the receiver is closed or dropped.
        ///
        /// ```
        /// let (tx, mut rx) = runtime::sync::mpsc::channel::<u8>(1);
        /// rx.close();
        /// assert!(tx.is_closed());
        /// ```
        is_closed;
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.sem().available_permits()
    }

    /// The capacity the channel was created with.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(3);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity
    }

    super::handles::sender_methods! {
        /// `true` if both senders feed the same channel.
        ///
        /// ```
        /// let (a, _r1) = runtime::sync::mpsc::channel::<u8>(1);
        /// let (b, _r2) = runtime::sync::mpsc::channel::<u8>(1);
        /// assert!(!a.same_channel(&b));
        /// ```
        same_channel;
    }
}

super::handles::sender_impls!(Sender);

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl<T> Receiver<T> {
    super::handles::receiver_methods! {
        /// Receives the next message; `None` once every sender is gone (or the channel was
        /// closed) and the queue is drained. Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
        /// tx.send(1).await.unwrap();
        /// drop(tx);
        /// assert_eq!(rx.recv().await, Some(1));
        /// assert_eq!(rx.recv().await, None);
        /// # });
        /// ```
        ///
        /// A task dump shows where this was called (`mpsc::Receiver::recv at src/..`).
        recv;

        /// Receives up to `limit` messages into `buf`, waiting for at least one. Returns how
        /// many were added; `0` means the stream ended (or `limit` was 0). Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::channel(4);
        /// for i in 0..3 { tx.send(i).await.unwrap(); }
        /// let mut buf = Vec::new();
        /// assert_eq!(rx.recv_many(&mut buf, 2).await, 2);
        /// assert_eq!(buf, [0, 1]);
        /// # });
        /// ```
        recv_many;

        /// Receives a message now if one is queued.
        ///
        /// ```
        /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
        /// tx.try_send(1).unwrap();
        /// assert_eq!(rx.try_recv(), Ok(1));
        /// ```
        try_recv;

        /// Polls for the next message (the building block of `recv` and `Stream`).
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
        /// tx.send(2).await.unwrap();
        /// assert_eq!(std::future::poll_fn(|cx| rx.poll_recv(cx)).await, Some(2));
        /// # });
        /// ```
        poll_recv;

        /// Closes the channel: senders fail from now on, queued messages (and those sent through
        /// outstanding permits) can still be received.
        ///
        /// ```
        /// let (tx, mut rx) = runtime::sync::mpsc::channel(2);
        /// tx.try_send(1).unwrap();
        /// rx.close();
        /// assert!(tx.try_send(2).is_err());
        /// assert_eq!(rx.try_recv(), Ok(1));
        /// ```
        close;

        /// `true` once closed, or once every sender is gone.
        ///
        /// ```
        /// let (tx, rx) = runtime::sync::mpsc::channel::<u8>(1);
        /// drop(tx);
        /// assert!(rx.is_closed());
        /// ```
        is_closed;

        /// Number of queued messages.
        ///
        /// ```
        /// let (tx, rx) = runtime::sync::mpsc::channel(2);
        /// tx.try_send(()).unwrap();
        /// assert_eq!(rx.len(), 1);
        /// ```
        len;

        /// `true` when no message is queued.
        ///
        /// ```
        /// let (_tx, rx) = runtime::sync::mpsc::channel::<u8>(2);
        /// assert!(rx.is_empty());
        /// ```
        is_empty;
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::mpsc::channel::<u8>(2);
    /// assert_eq!(rx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan
            .sem
            .as_ref()
            .map_or(0, RawSemaphore::available_permits)
    }

    /// The capacity the channel was created with.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::mpsc::channel::<u8>(2);
    /// assert_eq!(rx.max_capacity(), 2);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity
    }
}

super::handles::receiver_impls!(Receiver, "Receiver");
