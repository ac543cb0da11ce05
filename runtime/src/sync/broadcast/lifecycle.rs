//! The broadcast `Sender`'s life-cycle API: a sender made without receivers
//! ([`Sender::new`]), the queue it holds ([`Sender::len`]), waiting for the last receiver to
//! go ([`Sender::closed`], rule BC6), and weak senders ([`WeakSender`], rule BC7).

use super::{Sender, Shared, new_shared};
use crate::loom::sync::Arc;
use crate::task::coop;
use std::fmt;

impl<T> Sender<T> {
    /// A sender for a new channel retaining the last `capacity` values (rounded up to a
    /// power of two), with no receiver yet: [`subscribe`](Self::subscribe) makes them, and
    /// sends fail until one exists.
    ///
    /// # Panics
    /// If `capacity` is 0 or above `usize::MAX / 2`, as [`channel`](super::channel).
    ///
    /// ```
    /// use runtime::sync::broadcast::Sender;
    /// let tx = Sender::new(8);
    /// assert!(tx.send(0).is_err(), "no receiver yet");
    /// let mut rx = tx.subscribe();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    #[track_caller]
    pub fn new(capacity: usize) -> Sender<T> {
        Sender {
            shared: new_shared(capacity, 0),
        }
    }
}

impl<T> Sender<T> {
    /// Values still queued: sent, and not yet seen by every receiver that was subscribed
    /// when it was sent (nor overwritten by later sends).
    ///
    /// ```
    /// let (tx, mut rx1) = runtime::sync::broadcast::channel(4);
    /// let mut rx2 = tx.subscribe();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(tx.len(), 2);
    /// rx1.try_recv().unwrap();
    /// assert_eq!(tx.len(), 2, "rx2 has not seen the first value");
    /// rx2.try_recv().unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let state = self.shared.state.lock();
        let retained = state.tail.min(self.shared.capacity());
        (state.tail - retained..state.tail)
            .filter(|pos| state.buf[(pos & self.shared.mask) as usize].rem > 0)
            .count()
    }

    /// `true` when no value is queued (see [`len`](Self::len)).
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::broadcast::channel(4);
    /// assert!(tx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!tx.is_empty());
    /// rx.try_recv().unwrap();
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Completes once no receiver is subscribed (every one dropped). Cancel-safe; any number
    /// of tasks may wait at once, and all complete. Completing at once still spends the
    /// cooperative budget.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// runtime::spawn(async move { drop(rx) });
    /// tx.closed().await;
    /// assert_eq!(tx.receiver_count(), 0);
    /// # });
    /// ```
    pub async fn closed(&self) {
        loop {
            // Created before the check, so the last receiver's notification reaches it (BC6).
            let notified = self.shared.no_receivers.notified();
            if self.shared.state.lock().rx_count == 0 {
                coop::consume_budget().await;
                return;
            }
            notified.await;
        }
    }

    /// A [`WeakSender`] for this channel: it does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// let weak = tx.downgrade();
    /// assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.state.lock().weak_count += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }

    /// Number of [`Sender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// assert_eq!(tx.clone().strong_count(), 2);
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().tx_count
    }

    /// Number of [`WeakSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// let _weak = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_count
    }
}

/// A broadcast sender that does not keep the channel open: when every [`Sender`] is gone the
/// receivers see `Closed`, and [`upgrade`](Self::upgrade) returns `None`.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use runtime::sync::broadcast::{self, error::RecvError};
/// let (tx, mut rx) = broadcast::channel(4);
/// let weak = tx.downgrade();
/// weak.upgrade().unwrap().send(1).unwrap();
/// drop(tx);
/// assert_eq!(rx.recv().await, Ok(1));
/// assert_eq!(rx.recv().await, Err(RecvError::Closed));
/// # });
/// ```
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> WeakSender<T> {
    /// A [`Sender`] again, if at least one is still alive.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let mut state = self.shared.state.lock();
        if state.tx_count == 0 {
            return None; // BC7: the channel closed for good
        }
        state.tx_count += 1;
        drop(state);
        Some(Sender {
            shared: self.shared.clone(),
        })
    }

    /// Number of [`Sender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().tx_count
    }

    /// Number of [`WeakSender`]s of this channel alive now.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.clone().weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_count
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().weak_count += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.state.lock().weak_count -= 1;
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}
