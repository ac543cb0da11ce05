//! Reserved slots of a bounded channel: `Permit` and `OwnedPermit`.

use super::Sender;
use super::chan::Chan;
use std::fmt;

/// A reserved slot in the channel: [`send`](Permit::send) cannot fail or wait. Dropping it
/// unused returns the slot.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
/// let permit = tx.reserve().await.unwrap();
/// permit.send(9);
/// assert_eq!(rx.recv().await, Some(9));
/// # });
/// ```
#[must_use = "dropping the permit returns the reserved slot"]
pub struct Permit<'a, T> {
    pub(super) chan: &'a Chan<T>,
}

/// A reserved slot owning its `Sender`; [`send`](OwnedPermit::send) returns the sender.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
/// let permit = tx.reserve_owned().await.unwrap();
/// let tx = permit.send(1);
/// assert_eq!(rx.recv().await, Some(1));
/// drop(tx);
/// # });
/// ```
#[must_use = "dropping the permit returns the reserved slot"]
pub struct OwnedPermit<T> {
    pub(super) sender: Option<Sender<T>>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot (never waits; dropped if the receiver is gone).
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(4);
    /// assert_eq!(rx.try_recv(), Ok(4));
    /// ```
    pub fn send(self, value: T) {
        let _ = self.send_or_return(value);
    }

    pub(super) fn send_or_return(self, value: T) -> Result<(), T> {
        let chan = self.chan;
        std::mem::forget(self); // the slot now belongs to the queued message
        chan.push(value, true)
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_slot();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` into the reserved slot and returns the sender.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(5);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// assert!(!tx.is_closed());
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        let _ = sender.chan.push(value, true);
        sender
    }

    /// Gives the slot back without sending; returns the sender.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let tx = tx.try_reserve_owned().unwrap().release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("an OwnedPermit holds its sender until used");
        sender.chan.release_slot();
        sender
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = &self.sender {
            sender.chan.release_slot();
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}
