//! Reserving several slots of a bounded channel at once: [`Sender::reserve_many`],
//! [`Sender::try_reserve_many`] and the [`PermitIterator`] they return.

use super::chan::Chan;
use super::error::{SendError, TrySendError};
use super::{Permit, Sender};
use crate::sync::batch_semaphore::TryAcquire;
use std::fmt;
use std::iter::FusedIterator;

/// `n` reserved slots, handed out one [`Permit`] at a time; the slots not taken go back to
/// the channel when it is dropped.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::channel(4);
/// let mut permits = tx.reserve_many(3).await.unwrap();
/// assert_eq!(permits.len(), 3);
/// permits.next().unwrap().send("a");
/// drop(permits); // the two unused slots come back
/// assert_eq!(tx.capacity(), 3);
/// assert_eq!(rx.recv().await, Some("a"));
/// # });
/// ```
#[must_use = "dropping the iterator returns the reserved slots"]
pub struct PermitIterator<'a, T> {
    chan: &'a Chan<T>,
    left: usize,
}

impl<T> Sender<T> {
    /// Waits until `n` slots are free and reserves them together, as one request in the
    /// senders' FIFO line (it does not take them one by one, so two `reserve_many` calls
    /// cannot each hold half of what they need). Cancel-safe: a dropped future gives back
    /// its place and any slots assigned to it.
    ///
    /// # Errors
    /// [`SendError`] if the receiver is closed or dropped, or if `n` exceeds the channel's
    /// [`max_capacity`](Self::max_capacity) (it could never be served), as in Tokio.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(2);
    /// for (permit, word) in tx.reserve_many(2).await.unwrap().zip(["x", "y"]) {
    ///     permit.send(word);
    /// }
    /// assert_eq!(rx.recv().await, Some("x"));
    /// assert_eq!(rx.recv().await, Some("y"));
    /// assert!(tx.reserve_many(3).await.is_err(), "more than the capacity");
    /// # });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.max_capacity() {
            return Err(SendError(()));
        }
        match self.chan.reserve_n(n).await {
            Ok(()) => Ok(PermitIterator {
                chan: &self.chan,
                left: n,
            }),
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves `n` free slots now, or fails without waiting.
    ///
    /// # Errors
    /// [`TrySendError::Full`] if fewer than `n` slots are free now or `n` exceeds the
    /// [`max_capacity`](Self::max_capacity); [`TrySendError::Closed`] if the receiver is
    /// closed or dropped.
    ///
    /// ```
    /// use runtime::sync::mpsc::{channel, error::TrySendError};
    /// let (tx, _rx) = channel::<u8>(3);
    /// let two = tx.try_reserve_many(2).unwrap();
    /// assert!(matches!(tx.try_reserve_many(2), Err(TrySendError::Full(()))));
    /// drop(two);
    /// assert_eq!(tx.try_reserve_many(3).unwrap().len(), 3);
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        let sem = self
            .chan
            .sem
            .as_ref()
            .expect("a bounded channel has a semaphore");
        match sem.try_acquire(n) {
            Ok(()) => Ok(PermitIterator {
                chan: &self.chan,
                left: n,
            }),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(())),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(())),
        }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.left == 0 {
            return None;
        }
        // The slot moves from the iterator's count into the permit (CH1 unchanged).
        self.left -= 1;
        Some(Permit { chan: self.chan })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        self.chan.release_slots(std::mem::take(&mut self.left));
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}
