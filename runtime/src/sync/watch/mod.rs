//! A single-value channel: receivers see the latest value and wait for changes.
//!
//! # Design
//!
//! The value sits behind a reader-writer lock (`crate::loom::sync::RwLock`, not a mutex:
//! receivers may hold several borrows at once, two receivers or a receiver and its sender in
//! one expression, which a mutex would turn into a self-deadlock); a version counter (bumped
//! under that lock on every send) tells receivers whether they have seen the current value. Waiting uses a [`Notify`]:
//!
//! - **WT1.** A sender stores the value, bumps `version`, then calls `notify_waiters`.
//! - **WT2.** `changed()` creates its `Notified` before it reads `version`, so it sees either the
//!   new version or the notification (no lost wakeup), and ends with an error once every sender is
//!   gone and nothing new is unseen.
//! - **WT3.** The last receiver dropped wakes `Sender::closed` through a second `Notify`.

pub mod error;
mod receiver;

pub use receiver::Receiver;

use super::notify::Notify;
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, RwLock, RwLockReadGuard};
use crate::task::coop;
use error::SendError;
use std::fmt;
use std::future::poll_fn;
use std::ops::Deref;

/// Creates a watch channel holding `init`.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = runtime::sync::watch::channel("idle");
/// runtime::spawn(async move { tx.send("busy").unwrap() });
/// rx.changed().await.unwrap();
/// assert_eq!(*rx.borrow_and_update(), "busy");
/// # });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        version: AtomicU64::new(0),
        closed: AtomicBool::new(false),
        tx_count: AtomicUsize::new(1),
        rx_count: AtomicUsize::new(1),
        changed: Notify::new(),
        rx_gone: Notify::new(),
    });
    let rx = Receiver::new(shared.clone(), 0);
    (Sender { shared }, rx)
}

pub(super) struct Shared<T> {
    pub(super) value: RwLock<T>,
    pub(super) version: AtomicU64,
    /// Every sender is gone.
    pub(super) closed: AtomicBool,
    tx_count: AtomicUsize,
    pub(super) rx_count: AtomicUsize,
    pub(super) changed: Notify,
    pub(super) rx_gone: Notify,
}

// Unwind safety, for every `T` (as Tokio's watch channel, whose value sits behind a standard
// `RwLock`): the version and flags are atomics, the value changes only in `send_if_modified`;
// if the caller's closure panics there the value keeps what the closure wrote, the version is
// not bumped and no receiver is notified (documented on `send_if_modified`).
impl<T> std::panic::RefUnwindSafe for Shared<T> {}
impl<T> std::panic::UnwindSafe for Shared<T> {}

/// A borrow of the current value. It holds a read lock: many borrows may coexist, but
/// senders wait until they end, so keep them short and never hold one across an `.await`.
///
/// ```
/// let (tx, rx) = runtime::sync::watch::channel(1);
/// tx.send(2).unwrap();
/// let r = rx.borrow();
/// assert_eq!(*r, 2);
/// assert!(r.has_changed());
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    changed: bool,
}

impl<'a, T> Ref<'a, T> {
    pub(super) fn new(guard: RwLockReadGuard<'a, T>, changed: bool) -> Self {
        Self { guard, changed }
    }

    /// Whether the value was unseen by the receiver when borrowed (always `false` from the
    /// sender side).
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::watch::channel(0);
    /// assert!(!rx.borrow().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The sending half; clone it for more producers.
///
/// ```
/// let (tx, rx) = runtime::sync::watch::channel(0);
/// tx.send_modify(|v| *v += 1);
/// assert_eq!(*rx.borrow(), 1);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// A sender with no receivers yet (create them with [`subscribe`](Self::subscribe)).
    ///
    /// ```
    /// let tx = runtime::sync::watch::Sender::new(5);
    /// assert_eq!(*tx.subscribe().borrow(), 5);
    /// ```
    pub fn new(init: T) -> Self {
        let (tx, rx) = channel(init);
        drop(rx);
        tx
    }

    /// Stores `value` and notifies receivers; fails (giving it back) if no receiver exists.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.rx_count.load(Ordering::SeqCst) == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Stores `value` even without receivers and returns the previous value.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, mut value: T) -> T {
        self.send_modify(|old| std::mem::swap(old, &mut value));
        value
    }

    /// Modifies the value in place and notifies receivers.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Runs `modify`; notifies receivers only if it returns `true`. Returns that result.
    ///
    /// If `modify` panics, the value keeps what it wrote so far, but the change is not
    /// published: the version stays, no receiver is notified, and the panic goes on.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(1);
    /// assert!(!tx.send_if_modified(|_| false));
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut guard = self.shared.value.write();
        if !modify(&mut guard) {
            return false;
        }
        self.shared.version.fetch_add(1, Ordering::SeqCst); // WT1, under the lock
        drop(guard);
        self.shared.changed.notify_waiters();
        true
    }

    /// Borrows the current value.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::watch::channel("a");
    /// assert_eq!(*tx.borrow(), "a");
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref::new(self.shared.value.read(), false)
    }

    /// A new receiver that has seen the current value.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::watch::channel(0);
    /// let rx2 = tx.subscribe();
    /// assert!(!rx2.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.rx_count.fetch_add(1, Ordering::SeqCst);
        let guard = self.shared.value.read();
        let seen = self.shared.version.load(Ordering::SeqCst);
        drop(guard);
        Receiver::new(self.shared.clone(), seen)
    }

    /// Number of live receivers.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(0);
    /// assert_eq!(tx.receiver_count(), 1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.rx_count.load(Ordering::SeqCst)
    }

    /// `true` when no receiver exists.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(0);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Completes once every receiver is gone. Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, rx) = runtime::sync::watch::channel(0);
    /// drop(rx);
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        loop {
            // One budget unit per check, kept when it ends the wait (coop): a loop over an
            // already-closed channel still yields.
            let mut coop = poll_fn(coop::poll_proceed).await;
            let notified = self.shared.rx_gone.notified();
            if self.is_closed() {
                coop.made_progress();
                return;
            }
            drop(coop);
            notified.await;
        }
    }

    /// `true` if both handles belong to the same channel.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::watch::channel(0);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.tx_count.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.tx_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.closed.store(true, Ordering::SeqCst);
            self.shared.changed.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

#[cfg(test)]
mod tests;
