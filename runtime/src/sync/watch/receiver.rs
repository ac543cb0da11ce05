//! The receiving half of a `watch` channel.

use super::error::RecvError;
use super::{Ref, Shared};
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::Ordering;
use crate::task::coop;
use std::fmt;
use std::future::poll_fn;

/// A receiving half: reads the latest value and waits for changes. Clone it for more
/// receivers (the clone has seen what the original has seen).
///
/// ```
/// let (tx, rx) = runtime::sync::watch::channel(1);
/// let rx2 = rx.clone();
/// tx.send(2).unwrap();
/// assert_eq!((*rx.borrow(), *rx2.borrow()), (2, 2));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    seen: u64,
    /// Set by [`Receiver::mark_changed`]: report a change regardless of `seen`.
    forced: bool,
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, seen: u64) -> Self {
        Self {
            shared,
            seen,
            forced: false,
        }
    }

    fn unseen(&self) -> bool {
        self.forced || self.shared.version.load(Ordering::SeqCst) != self.seen
    }

    /// Borrows the current value without marking it seen.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::watch::channel("v");
    /// assert_eq!(*rx.borrow(), "v");
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        Ref::new(guard, self.unseen())
    }

    /// Borrows the current value and marks it seen.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let changed = self.unseen();
        self.seen = self.shared.version.load(Ordering::SeqCst);
        self.forced = false;
        Ref::new(guard, changed)
    }

    /// Whether a value this receiver has not seen is present; `Err` once every sender is
    /// gone (as in Tokio).
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(RecvError(()));
        }
        Ok(self.unseen())
    }

    /// Makes the next [`changed`](Self::changed) return at once.
    ///
    /// ```
    /// let (_tx, mut rx) = runtime::sync::watch::channel(0);
    /// rx.mark_changed();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn mark_changed(&mut self) {
        self.forced = true;
    }

    /// Marks the current value seen without borrowing it.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// rx.mark_unchanged();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version.load(Ordering::SeqCst);
        self.forced = false;
    }

    /// Waits for a value this receiver has not seen and marks it seen. Fails once every
    /// sender is gone and nothing new is unseen.
    ///
    /// Cancel safety: cancel-safe; a dropped `changed` marks nothing seen.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::watch::channel(0);
    /// tx.send(5).unwrap();
    /// rx.changed().await.unwrap();
    /// assert_eq!(*rx.borrow(), 5);
    /// # });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            // One budget unit per check, taken before anything is read: a task out of budget
            // yields here having marked nothing seen (cancel safety), and a check that ends
            // the wait, with a value or with the close, keeps it spent (coop).
            let mut coop = poll_fn(coop::poll_proceed).await;
            let notified = self.shared.changed.notified(); // before the reads (WT2)
            if self.unseen() {
                drop(notified);
                self.mark_unchanged();
                coop.made_progress();
                return Ok(());
            }
            // A value sent just before the last sender dropped may have landed after the
            // `unseen` check above: report it before reporting the close.
            if self.shared.closed.load(Ordering::SeqCst) {
                if self.unseen() {
                    continue;
                }
                coop.made_progress();
                return Err(RecvError(()));
            }
            drop(coop); // waiting is not progress: the unit goes back
            notified.await;
        }
    }

    /// Waits until the value satisfies `f` (checking the current value first), marks it seen
    /// and returns a borrow of it. Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = runtime::sync::watch::channel(0);
    /// runtime::spawn(async move {
    ///     for i in 1..=3 { tx.send(i).unwrap(); }
    /// });
    /// assert_eq!(*rx.wait_for(|v| *v == 3).await.unwrap(), 3);
    /// # });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        loop {
            // Budget as in `changed`: taken before the check, kept when the wait ends.
            let mut coop = poll_fn(coop::poll_proceed).await;
            let notified = self.shared.changed.notified();
            {
                let guard = self.shared.value.read();
                self.seen = self.shared.version.load(Ordering::SeqCst);
                self.forced = false;
                if f(&guard) {
                    drop(guard);
                    coop.made_progress();
                    break;
                }
            }
            if self.shared.closed.load(Ordering::SeqCst) && !self.unseen() {
                coop.made_progress();
                return Err(RecvError(()));
            }
            drop(coop);
            notified.await;
        }
        // Re-borrow outside the loop (the borrow checker cannot see the early break).
        Ok(Ref::new(self.shared.value.read(), true))
    }

    /// `true` if both receivers belong to the same channel.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::watch::channel(0);
    /// assert!(rx.same_channel(&rx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.rx_count.fetch_add(1, Ordering::SeqCst);
        Self {
            shared: self.shared.clone(),
            seen: self.seen,
            forced: self.forced,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.rx_count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.rx_gone.notify_waiters(); // WT3
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}
