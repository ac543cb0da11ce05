//! `Notify`: wake one waiting task (with a stored permit) or all of them.
//!
//! # Protocol
//!
//! State lives under one lock: a stored `permit`, and a [`WaitList`] whose entries record the
//! `notify_waiters` generation they registered in and how they were notified. The generation
//! counter (`calls`) is also mirrored in an atomic so a [`Notified`] can capture it when it is
//! *created*, without locking:
//!
//! - **NT1.** `notify_one` hands the notification to the front waiter (marking it `One`) or, with
//!   no waiter, stores the permit; a later first poll or `enable` consumes the permit.
//! - **NT2.** `notify_waiters` bumps `calls` and completes every waiter registered before the bump.
//!   A `Notified` created before the bump but not yet polled sees the changed counter on its first
//!   poll and completes too. Entries registered after the bump are left alone, so the wakeups can
//!   be batched outside the lock without waking newcomers.
//! - **NT1b.** `notify_last` is NT1 from the other end: it hands the notification to the
//!   *newest* waiter (marking it `Last`), or stores the permit.
//! - **NT3.** A future dropped after receiving a `notify_one` (`notify_last`) it never returned
//!   hands it on the same way (NT1, NT1b), so a cancelled waiter never swallows a notification.
//! - **NT4.** No waker is woken or dropped under the lock: a waker's `Drop` or `wake` may notify
//!   this very `Notify` (or send on the channel built on it). Wakers to wake are collected and
//!   woken after unlocking; a waker replaced by a newer poll's, or removed with its entry, is
//!   dropped after unlocking.
//! - **NT5 (lock-free re-poll).** A registered waiter re-polled with the waker it stored last
//!   (same [`WakerIdentity`]) needs no lock when nothing can have completed it since its last
//!   locked poll: `calls` is unchanged (no `notify_waiters`) and so is `handoffs`, which
//!   `notify_one`/`notify_last` bump (under the lock, before taking a waiter's waker) each time
//!   they hand the notification to a waiter. Both are read `Acquire`; a notify racing the read
//!   takes the waiter's stored waker, which is the one of this very poll, and wakes it after
//!   unlocking, so the next poll sees the counter move and takes the lock. A
//!   `CancellationToken`'s `cancelled()` (only `notify_waiters`) re-polled by a connection task
//!   on every wake-up then reads two atomics instead of locking the token's shared lock.

use super::waiters::{WaitList, WaiterKey};
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::util::waker_identity::WakerIdentity;
use io_driver::WakeList;
use std::sync::Arc;
use std::task::Waker;

/// Wakes tasks waiting for an event, with a one-permit memory for `notify_one`.
///
/// ```
/// use runtime::sync::Notify;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let notify = Arc::new(Notify::new());
///     let waiter = {
///         let notify = notify.clone();
///         runtime::spawn(async move {
///             notify.notified().await;
///             "woken"
///         })
///     };
///     notify.notify_one(); // stored as a permit if the task is not waiting yet
///     assert_eq!(waiter.await.unwrap(), "woken");
/// });
/// ```
#[derive(Debug, Default)]
pub struct Notify {
    calls: AtomicUsize,
    /// Notifications `notify_one`/`notify_last` handed to a waiter so far (NT5); written under
    /// the lock.
    handoffs: AtomicUsize,
    state: Mutex<State>,
}

// Unwind safety (as Tokio's `Notify`): the permit and the wait list change only under the lock
// with no user code running there (wakers are woken and dropped after unlocking, NT4), so a
// panic cannot leave them half-updated. (The lock does not poison; nothing needs it to.)
impl std::panic::RefUnwindSafe for Notify {}
impl std::panic::UnwindSafe for Notify {}

#[derive(Debug, Default)]
struct State {
    permit: bool,
    waiters: WaitList<Slot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Waiting,
    /// Chosen by `notify_one` (the oldest waiter).
    One,
    /// Chosen by `notify_last` (the newest waiter).
    Last,
    All,
}

#[derive(Debug)]
struct Slot {
    generation: usize,
    kind: Kind,
}

/// One wait on a [`Notify`], independent of how the `Notify` is reached (borrow or `Arc`):
/// primitives embedding a `Notify` in a larger `Arc` drive it with `poll_waiter` and
/// `drop_waiter` directly.
#[derive(Debug)]
pub(crate) struct Waiter {
    generation: usize,
    key: Option<WaiterKey>,
    done: bool,
    /// After a locked poll that left the waiter registered: the stored waker's identity and
    /// `handoffs` then (NT5).
    registered: Option<(WakerIdentity, usize)>,
}

impl Notify {
    /// Creates a `Notify` with no stored permit.
    ///
    /// ```
    /// let _n = runtime::sync::Notify::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A future completing at the next `notify_one` (or a stored permit) or `notify_waiters`.
    ///
    /// The future counts as waiting for `notify_waiters` from the moment it is created; for
    /// `notify_one` from its first poll or [`Notified::enable`].
    ///
    /// Cancel safety: dropping it loses nothing; a `notify_one` it had already received goes to
    /// the next waiter (or back to the permit).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = runtime::sync::Notify::new();
    /// notify.notify_one();
    /// notify.notified().await; // consumes the stored permit
    /// # });
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            waiter: self.new_waiter(),
        }
    }

    /// Like [`notified`](Self::notified) but holding an `Arc`, so the future is `'static`.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let notify = Arc::new(runtime::sync::Notify::new());
    /// let wait = notify.clone().notified_owned();
    /// notify.notify_waiters();
    /// runtime::spawn(wait).await.unwrap();
    /// # });
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        let waiter = self.new_waiter();
        OwnedNotified {
            notify: self,
            waiter,
        }
    }

    /// Wakes the longest-waiting task, or stores a permit (at most one) if none is waiting.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = runtime::sync::Notify::new();
    /// notify.notify_one();
    /// notify.notify_one(); // permits do not accumulate
    /// notify.notified().await;
    /// # });
    /// ```
    pub fn notify_one(&self) {
        let waker = self.notify_one_locked(&mut self.state.lock());
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes the most recently registered waiting task (LIFO), or stores a permit (at most
    /// one) if none is waiting. Otherwise the same as [`notify_one`](Self::notify_one),
    /// including the hand-on: a woken future dropped before it completed passes the
    /// notification to the next newest waiter.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::pin::pin;
    /// let notify = runtime::sync::Notify::new();
    /// let mut first = pin!(notify.notified());
    /// let mut second = pin!(notify.notified());
    /// first.as_mut().enable();
    /// second.as_mut().enable();
    /// notify.notify_last();
    /// assert!(second.as_mut().enable(), "the newest waiter was chosen");
    /// assert!(!first.as_mut().enable());
    /// # });
    /// ```
    pub fn notify_last(&self) {
        let waker = self.notify_last_locked(&mut self.state.lock());
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes every task currently waiting; stores no permit.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = runtime::sync::Notify::new();
    /// let a = notify.notified();
    /// let b = notify.notified();
    /// notify.notify_waiters();
    /// a.await;
    /// b.await;
    /// # });
    /// ```
    pub fn notify_waiters(&self) {
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        let generation = self.calls.load(Ordering::Relaxed) + 1;
        self.calls.store(generation, Ordering::Release);
        while let Some(front) = state.waiters.front_mut() {
            if front.generation >= generation {
                break; // registered after this call (NT2)
            }
            front.kind = Kind::All;
            wakers.extend(state.waiters.pop_front().flatten());
            if wakers.is_full() {
                drop(state);
                wakers.wake_all();
                state = self.state.lock();
            }
        }
        drop(state);
        wakers.wake_all();
    }

    pub(crate) fn new_waiter(&self) -> Waiter {
        Waiter {
            generation: self.calls.load(Ordering::Acquire),
            key: None,
            done: false,
            registered: None,
        }
    }

    /// Registers (if needed) and reports whether the wait is over. `waker` is stored.
    pub(crate) fn poll_waiter(&self, w: &mut Waiter, waker: &Waker) -> bool {
        if let Some((stored, handoffs)) = w.registered
            && stored == WakerIdentity::of(waker)
            && self.calls.load(Ordering::Acquire) == w.generation
            && self.handoffs.load(Ordering::Acquire) == handoffs
        {
            // NT5: still registered with this very waker.
            return false;
        }
        self.poll_waiter_with(w, Some(waker))
    }

    /// [`Notified::enable`]: registers (if needed) without touching a waker stored by an
    /// earlier poll, so enabling a polled future cannot make it miss its wake-up.
    fn enable_waiter(&self, w: &mut Waiter) -> bool {
        self.poll_waiter_with(w, None)
    }

    fn poll_waiter_with(&self, w: &mut Waiter, waker: Option<&Waker>) -> bool {
        if w.done {
            return true;
        }
        let mut state = self.state.lock();
        // A waker let go of here (replaced or removed) is dropped after the lock (NT4).
        let mut released = None;
        let done = match w.key.take() {
            None if self.calls.load(Ordering::Acquire) != w.generation => true,
            None if std::mem::take(&mut state.permit) => true,
            None => {
                let slot = Slot {
                    generation: w.generation,
                    kind: Kind::Waiting,
                };
                let waker = waker.unwrap_or(Waker::noop());
                w.key = Some(state.waiters.push_back(slot, waker));
                false
            }
            Some(key) if state.waiters.is_linked(&key) => {
                if let Some(waker) = waker {
                    released = state.waiters.set_waker(&key, waker);
                }
                w.key = Some(key);
                false
            }
            Some(key) => {
                released = state.waiters.remove_with_waker(key).2;
                true
            }
        };
        w.registered = match (done, waker) {
            (false, Some(waker)) => Some((
                WakerIdentity::of(waker),
                self.handoffs.load(Ordering::Relaxed),
            )),
            // `enable` keeps what an earlier poll stored (and its identity).
            (false, None) => w.registered,
            (true, _) => None,
        };
        drop(state);
        drop(released);
        w.done = done;
        done
    }

    /// Abandons a wait (NT3).
    pub(crate) fn drop_waiter(&self, w: &mut Waiter) {
        w.registered = None;
        let Some(key) = w.key.take() else { return };
        let mut state = self.state.lock();
        let (slot, _, released) = state.waiters.remove_with_waker(key);
        let waker = match slot.kind {
            Kind::One => self.notify_one_locked(&mut state),
            Kind::Last => self.notify_last_locked(&mut state),
            Kind::Waiting | Kind::All => None,
        };
        drop(state);
        drop(released); // NT4
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Notify {
    fn notify_last_locked(&self, state: &mut State) -> Option<Waker> {
        match state.waiters.back_mut() {
            Some(back) => {
                back.kind = Kind::Last;
                self.handed_off();
                state.waiters.pop_back().flatten()
            }
            None => {
                state.permit = true;
                None
            }
        }
    }

    fn notify_one_locked(&self, state: &mut State) -> Option<Waker> {
        match state.waiters.front_mut() {
            Some(front) => {
                front.kind = Kind::One;
                self.handed_off();
                state.waiters.pop_front().flatten()
            }
            None => {
                state.permit = true;
                None
            }
        }
    }

    /// NT5: a waiter is about to lose its waker to a notification (called under the lock).
    fn handed_off(&self) {
        let handoffs = self.handoffs.load(Ordering::Relaxed);
        self.handoffs
            .store(handoffs.wrapping_add(1), Ordering::Release);
    }
}

mod future;
pub use future::{Notified, OwnedNotified};

#[cfg(test)]
mod tests;
