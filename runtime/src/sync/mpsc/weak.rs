//! Weak senders: [`WeakSender`] and [`WeakUnboundedSender`] reach the channel without keeping
//! it open, and [`upgrade`](WeakSender::upgrade) to a real sender while one is still alive
//! (rule CH7 in `chan.rs`).

use super::chan::Chan;
use super::{Sender, UnboundedSender};
use crate::loom::sync::Arc;
use std::fmt;

/// A sender that does not keep the channel open: once every [`Sender`] is gone the receiver
/// sees the end of the stream, and [`upgrade`](Self::upgrade) returns `None`.
///
/// Made by [`Sender::downgrade`]. Use it where a task must be able to send without being
/// the reason the receiver keeps waiting (a back-reference to one's own mailbox).
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::channel::<u8>(1);
/// let weak = tx.downgrade();
/// weak.upgrade().unwrap().send(1).await.unwrap();
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// assert_eq!(rx.recv().await, Some(1));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
pub struct WeakSender<T> {
    chan: Arc<Chan<T>>,
}

/// The unbounded channel's [`WeakSender`]; made by [`UnboundedSender::downgrade`].
///
/// ```
/// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
/// let weak = tx.downgrade();
/// weak.upgrade().unwrap().send(1).unwrap();
/// drop(tx);
/// assert!(weak.upgrade().is_none());
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct WeakUnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

fn new_weak<T>(chan: &Arc<Chan<T>>) -> Arc<Chan<T>> {
    chan.add_weak();
    chan.clone()
}

impl<T> Sender<T> {
    /// A [`WeakSender`] for this channel (it does not keep the channel open).
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    /// drop(weak);
    /// assert_eq!(tx.weak_count(), 0);
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            chan: new_weak(&self.chan),
        }
    }

    /// Number of [`Sender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// drop(tx2);
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> UnboundedSender<T> {
    /// A [`WeakUnboundedSender`] for this channel (it does not keep the channel open).
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// assert_eq!((weak.strong_count(), weak.weak_count()), (1, 1));
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            chan: new_weak(&self.chan),
        }
    }

    /// Number of [`UnboundedSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.clone().strong_count(), 2);
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakUnboundedSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// let _weak2 = weak.clone();
    /// assert_eq!(tx.weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] again, if at least one sender is still alive; `None` once all are gone
    /// (the receiver then has seen, or will see, the end of the stream).
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.try_add_tx().then(|| Sender {
            chan: self.chan.clone(),
        })
    }

    /// Number of [`Sender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.clone().weak_count(), 2);
    /// assert_eq!(weak.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`] again, if at least one is still alive.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.chan.try_add_tx().then(|| UnboundedSender {
            chan: self.chan.clone(),
        })
    }

    /// Number of [`UnboundedSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.downgrade().strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakUnboundedSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(tx.downgrade().weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            chan: new_weak(&self.chan),
        }
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            chan: new_weak(&self.chan),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.chan.drop_weak();
    }
}

impl<T> Drop for WeakUnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_weak();
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender")
            .field("strong_count", &self.strong_count())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .field("strong_count", &self.strong_count())
            .finish_non_exhaustive()
    }
}
