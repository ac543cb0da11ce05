//! The unbounded channel's handles: sends never wait (the queue grows as needed).

use super::chan::Chan;
use super::error::SendError;
use crate::loom::sync::Arc;
use std::collections::VecDeque;
use std::fmt;

/// Creates a channel without a capacity limit: `send` never waits. Memory grows with the
/// backlog, so prefer [`channel`](super::channel) when producers can outrun the consumer.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel();
/// tx.send(1).unwrap();
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Arc::new(Chan::new(0));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver {
            chan,
            batch: VecDeque::new(),
        },
    )
}

/// The sending half of an unbounded channel.
///
/// ```
/// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
/// assert!(tx.clone().same_channel(&tx));
/// ```
pub struct UnboundedSender<T> {
    pub(super) chan: Arc<Chan<T>>,
}

/// The receiving half of an unbounded channel; a [`futures_core::Stream`].
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use futures_util::StreamExt;
/// let (tx, rx) = runtime::sync::mpsc::unbounded_channel();
/// tx.send('a').unwrap();
/// drop(tx);
/// assert_eq!(rx.collect::<String>().await, "a");
/// # });
/// ```
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
    /// Messages taken from the shared queue in one lock, handed out one by one.
    batch: VecDeque<T>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value` at once; fails, giving it back, if the receiver is closed or dropped.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.push(value, false).map_err(SendError)
    }

    super::handles::sender_methods! {
        /// Completes once the receiver is closed or dropped. Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// rx.close();
        /// tx.closed().await;
        /// # });
        /// ```
        closed;

        /// `true` once the receiver is closed or dropped.
        ///
        /// ```
        /// let (tx, rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// drop(rx);
        /// assert!(tx.is_closed());
        /// ```
        is_closed;

        /// `true` if both senders feed the same channel.
        ///
        /// ```
        /// let (a, _ra) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// let (b, _rb) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// assert!(!a.same_channel(&b));
        /// ```
        same_channel;
    }
}

super::handles::sender_impls!(UnboundedSender);

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> UnboundedReceiver<T> {
    super::handles::receiver_methods! {
        /// Receives the next message; `None` once every sender is gone (or the channel was
        /// closed) and the queue is drained. Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// drop(tx);
        /// assert_eq!(rx.recv().await, None);
        /// # });
        /// ```
        ///
        /// A task dump shows where this was called (`mpsc::Receiver::recv at src/..`).
        recv;

        /// Receives up to `limit` messages into `buf`, waiting for at least one; `0` means the
        /// stream ended (or `limit` was 0). Cancel-safe.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel();
        /// tx.send(1).unwrap();
        /// tx.send(2).unwrap();
        /// let mut buf = Vec::new();
        /// assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
        /// # });
        /// ```
        recv_many;

        /// Receives a message now if one is queued.
        ///
        /// ```
        /// use runtime::sync::mpsc::error::TryRecvError;
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        /// ```
        try_recv;

        /// Polls for the next message.
        ///
        /// ```
        /// # runtime::Runtime::new().unwrap().block_on(async {
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel();
        /// tx.send(3).unwrap();
        /// assert_eq!(std::future::poll_fn(|cx| rx.poll_recv(cx)).await, Some(3));
        /// # });
        /// ```
        poll_recv;

        /// Closes the channel: sends fail from now on; queued messages can still be received.
        ///
        /// ```
        /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel();
        /// tx.send(1).unwrap();
        /// rx.close();
        /// assert!(tx.send(2).is_err());
        /// assert_eq!(rx.try_recv(), Ok(1));
        /// ```
        close;

        /// `true` once closed, or once every sender is gone.
        ///
        /// ```
        /// let (_tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// rx.close();
        /// assert!(rx.is_closed());
        /// ```
        is_closed;

        /// Number of queued messages.
        ///
        /// ```
        /// let (tx, rx) = runtime::sync::mpsc::unbounded_channel();
        /// tx.send(()).unwrap();
        /// assert_eq!(rx.len(), 1);
        /// ```
        len;

        /// `true` when no message is queued.
        ///
        /// ```
        /// let (_tx, rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
        /// assert!(rx.is_empty());
        /// ```
        is_empty;
    }
}

super::handles::receiver_impls!(UnboundedReceiver, "UnboundedReceiver");
