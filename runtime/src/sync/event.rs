//! `Event`: asyncio's level-triggered flag; waiters pass while it is set.

use super::notify::Notify;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::task::coop;

/// A flag tasks can wait on, like `asyncio.Event`: [`set`](Event::set) wakes every waiter and
/// the event *stays set*, so later [`wait`](Event::wait)s return at once until
/// [`clear`](Event::clear).
///
/// ```
/// use runtime::sync::Event;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let ready = Arc::new(Event::new());
///     let worker = {
///         let ready = ready.clone();
///         runtime::spawn(async move {
///             ready.wait().await;
///             "started"
///         })
///     };
///     ready.set();
///     assert_eq!(worker.await.unwrap(), "started");
///     ready.wait().await; // still set
///     assert!(ready.is_set());
/// });
/// ```
#[derive(Debug, Default)]
pub struct Event {
    flag: AtomicBool,
    notify: Notify,
}

impl Event {
    /// Creates an event that is not set.
    ///
    /// ```
    /// assert!(!runtime::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes every waiting task. Setting a set event does nothing more.
    ///
    /// ```
    /// let e = runtime::sync::Event::new();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        // The flag is stored before `notify_waiters` bumps its generation, and a waiter reads
        // the generation before the flag, so a waiter sees one or the other (no lost wakeup).
        if !self.flag.swap(true, Ordering::SeqCst) {
            self.notify.notify_waiters();
        }
    }

    /// Clears the flag; later `wait`s block until the next [`set`](Self::set).
    ///
    /// ```
    /// let e = runtime::sync::Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }

    /// `true` while the flag is set.
    ///
    /// ```
    /// assert!(!runtime::sync::Event::default().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Returns once the event is set: at once if it is set now, else at the next `set` (even
    /// if it is cleared again before this task runs, as in asyncio).
    ///
    /// Cancel safety: cancel-safe; nothing is consumed.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let e = runtime::sync::Event::new();
    /// e.set();
    /// e.wait().await;
    /// e.wait().await;
    /// # });
    /// ```
    pub async fn wait(&self) {
        let notified = self.notify.notified();
        if self.is_set() {
            coop::consume_budget().await;
            return;
        }
        notified.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::test_util::{Harness, block_on};
    use std::sync::Arc;

    #[test]
    fn stays_set_until_cleared() {
        let e = Event::new();
        let mut early = Harness::new(e.wait());
        early.pending();
        e.set();
        assert_eq!(early.wakes(), 1);
        early.ready();
        for _ in 0..3 {
            Harness::new(e.wait()).ready();
        }
        e.clear();
        Harness::new(e.wait()).pending();
    }

    #[test]
    fn set_then_clear_still_releases_current_waiters() {
        let e = Event::new();
        let mut w = Harness::new(e.wait());
        w.pending();
        e.set();
        e.clear();
        w.ready();
        Harness::new(e.wait()).pending();
    }

    #[test]
    fn dropped_waiter_does_not_disturb_others() {
        let e = Event::new();
        let mut a = Harness::new(e.wait());
        let mut b = Harness::new(e.wait());
        a.pending();
        b.pending();
        drop(a);
        e.set();
        b.ready();
    }

    #[test]
    fn waiter_on_another_thread_is_released() {
        let e = Arc::new(Event::new());
        let e2 = e.clone();
        let t = std::thread::spawn(move || block_on(e2.wait()));
        e.set();
        t.join().unwrap();
        assert!(e.is_set());
    }
}
