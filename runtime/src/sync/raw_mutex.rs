//! The lock under [`Mutex`](super::Mutex): a word with a barging fast path and a FIFO queue of
//! waiters that are woken one at a time to retry, with a bounded barging window.
//!
//! # Why not a one-permit fair semaphore
//!
//! A strictly FIFO lock hands the lock to the front waiter on unlock. That waiter is asleep, so
//! the lock stays taken for a whole wake-up and task switch, every other task that asks
//! meanwhile queues too, and from then on *every* acquisition costs a task switch (a lock
//! convoy). Here an unlock only frees the word and wakes the front waiter to *retry*; whoever
//! asks while the word is free gets it (barging), so a task that locks again right away keeps
//! running. The same design as `async-lock`, Go's `sync.Mutex` or `parking_lot` (eventual
//! fairness), with a count instead of a clock bounding the unfairness.
//!
//! # Protocol
//!
//! `state` holds four bits; the queue is a [`WaitList`] under `waiters`:
//!
//! - `LOCKED`: someone owns the lock (a guard exists, or the lock was handed to a waiter that
//!   has not yet seen it).
//! - `QUEUED`: the wait list is non-empty.
//! - `WOKEN`: one waiter was woken to retry (unlinked, [`Grant::Retry`]) and has not come back.
//! - `HANDOFF`: the front waiter is starving; the next unlock hands the lock to it.
//!
//! Rules:
//!
//! - **RM1.** `QUEUED`, `WOKEN` and `HANDOFF` only change with the list lock held. `LOCKED` is set
//!   by a CAS that requires it clear (anyone) and cleared only by the owner.
//! - **RM2.** While an owner holds `LOCKED` and the list lock, nobody else can change `state` (RM1:
//!   the other bits need the list lock, `LOCKED` needs to be clear), so the slow unlock reads it
//!   once and writes it once.
//! - **RM3.** A waiter queues with a CAS that requires `LOCKED` set and sets `QUEUED`; an unlock
//!   clears `LOCKED` with a CAS that requires `QUEUED` clear or `WOKEN` set (else it takes the slow
//!   path and wakes the front waiter). One word, so either the unlock lands first and the waiter's
//!   CAS fails and retries the lock, or the unlock sees `QUEUED` (no lost wake-up).
//! - **RM4.** At most one waiter is in flight (`WOKEN`). An unlock that finds one wakes nobody:
//!   that waiter will retry. When it comes back it clears `WOKEN` and either takes the lock or goes
//!   back to the *front* of the queue (WL5), so the next unlock wakes it again. If it is dropped
//!   instead it passes the wake-up on to the next waiter if the lock is free.
//! - **RM5.** Bounded barging: a waiter that comes back to a taken lock [`STARVE_AFTER`] times sets
//!   `HANDOFF` when it requeues. `HANDOFF` implies `LOCKED` (it is set by a CAS requiring it), and
//!   the next unlock keeps `LOCKED` set and hands it to that waiter ([`Grant::Owner`]), clearing
//!   `HANDOFF`. So no waiter waits forever: it is at the front after those ahead of it were served
//!   or left, then woken at most `STARVE_AFTER` times.
//! - **RM6.** A waiter dropped while linked just leaves (clearing `QUEUED` if it was the last,
//!   `HANDOFF` if it was the starving one); dropped as [`Grant::Owner`] it unlocks; dropped as
//!   [`Grant::Retry`] it follows RM4.
//! - **RM7.** Wakers are called, and dropped, after the list lock is released (WL6): a waker whose
//!   `wake` or `Drop` unlocks or locks this mutex must not find the list locked.

use super::waiters::{WaitList, WaiterKey};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::task::coop;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

const LOCKED: usize = 1;
const QUEUED: usize = 2;
const WOKEN: usize = 4;
const HANDOFF: usize = 8;

/// How many times a woken waiter may find the lock taken before the lock is handed to it
/// (1 under loom, so the models reach the hand-off with few preemptions).
pub(crate) const STARVE_AFTER: u32 = crate::loom::if_loom(4, 1);

/// What a notifier wrote into an unlinked entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    /// Still queued (the entry is linked).
    Waiting,
    /// Woken to retry; this waiter is the one `WOKEN` stands for.
    Retry,
    /// The lock was handed over: the waiter owns `LOCKED`.
    Owner,
}

#[derive(Debug)]
struct Waiter {
    grant: Grant,
    /// Set with `HANDOFF`: this (front) waiter gets the lock at the next unlock.
    starving: bool,
}

#[derive(Debug)]
pub(crate) struct RawMutex {
    state: AtomicUsize,
    waiters: Mutex<WaitList<Waiter>>,
}

// Unwind safety: the lock word changes by atomic steps, and the wait list only under its lock
// with no user code running there (RM7), so a panic cannot leave either half-updated. What
// the `Mutex` guards is another matter: `Mutex<T>` stays `!RefUnwindSafe` (an unwinding holder
// may leave `T` half-modified; the lock does not poison), like Tokio's.
impl std::panic::RefUnwindSafe for RawMutex {}
impl std::panic::UnwindSafe for RawMutex {}

impl RawMutex {
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Takes the lock if it is free, even if others are queued (barging; RM5 bounds it).
    #[inline]
    pub(crate) fn try_lock(&self) -> bool {
        let mut cur = self.state.load(Ordering::Relaxed);
        while cur & LOCKED == 0 {
            match self.state.compare_exchange_weak(
                cur,
                cur | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
        false
    }

    /// Releases the lock; wakes (or hands the lock to) the front waiter if one needs it.
    #[inline]
    pub(crate) fn unlock(&self) {
        let mut cur = self.state.load(Ordering::Relaxed);
        loop {
            debug_assert!(cur & LOCKED != 0, "unlocking an unlocked mutex");
            if cur & HANDOFF != 0 || (cur & QUEUED != 0 && cur & WOKEN == 0) {
                return self.unlock_slow(self.waiters.lock());
            }
            match self.state.compare_exchange_weak(
                cur,
                cur & !LOCKED,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Unlock with the list lock held (RM2: `state` cannot change under us).
    #[inline(never)]
    fn unlock_slow(&self, mut list: MutexGuard<'_, WaitList<Waiter>>) {
        let cur = self.state.load(Ordering::Acquire);
        debug_assert!(cur & LOCKED != 0, "unlocking an unlocked mutex");
        let (grant, mut next) = if cur & HANDOFF != 0 {
            (Grant::Owner, cur & !HANDOFF)
        } else if cur & QUEUED != 0 && cur & WOKEN == 0 {
            (Grant::Retry, (cur | WOKEN) & !LOCKED)
        } else {
            // The queue emptied, or a waiter got in flight, since the fast path looked.
            self.state.store(cur & !LOCKED, Ordering::Release);
            return;
        };
        let waker = Self::pop_front(&mut list, grant);
        if list.is_empty() {
            next &= !QUEUED;
        }
        self.state.store(next, Ordering::Release);
        drop(list);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Unlinks the front waiter, telling it `grant`.
    fn pop_front(list: &mut WaitList<Waiter>, grant: Grant) -> Option<Waker> {
        let front = list
            .front_mut()
            .expect("QUEUED is set, so the list is not empty");
        front.grant = grant;
        front.starving = false;
        list.pop_front().flatten()
    }

    /// Drives one `lock()`. Each call is one budgeted operation (`coop`).
    #[inline]
    pub(crate) fn poll_lock(&self, cx: &mut Context<'_>, st: &mut LockState) -> Poll<()> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "Mutex::lock"));
        let out = match st.key.take() {
            None if self.try_lock() => Poll::Ready(()),
            None => self.enqueue(cx, st),
            Some(key) => self.poll_queued(cx, st, key),
        };
        if out.is_ready() {
            coop.made_progress();
        }
        out
    }

    /// First poll, lock taken: queue at the back, unless it was freed meanwhile (RM3).
    #[inline(never)]
    fn enqueue(&self, cx: &mut Context<'_>, st: &mut LockState) -> Poll<()> {
        let mut list = self.waiters.lock();
        let mut cur = self.state.load(Ordering::Relaxed);
        loop {
            let (next, ordering) = if cur & LOCKED == 0 {
                (cur | LOCKED, Ordering::Acquire)
            } else {
                (cur | QUEUED, Ordering::Relaxed)
            };
            match self
                .state
                .compare_exchange_weak(cur, next, ordering, Ordering::Relaxed)
            {
                Ok(_) if cur & LOCKED == 0 => return Poll::Ready(()),
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        let waiter = Waiter {
            grant: Grant::Waiting,
            starving: false,
        };
        st.key = Some(list.push_back(waiter, cx.waker()));
        Poll::Pending
    }

    #[inline(never)]
    fn poll_queued(&self, cx: &mut Context<'_>, st: &mut LockState, key: WaiterKey) -> Poll<()> {
        let mut list = self.waiters.lock();
        if list.is_linked(&key) {
            let replaced = list.set_waker(&key, cx.waker());
            st.key = Some(key);
            drop(list);
            drop(replaced); // after unlocking (RM7)
            return Poll::Pending;
        }
        match list.data_mut(&key).grant {
            Grant::Owner => {
                list.remove(key); // unlinked: the notifier took its waker
                Poll::Ready(())
            }
            Grant::Retry => {
                let (poll, replaced) = self.retry(&mut list, cx, st, key);
                drop(list);
                drop(replaced); // after unlocking (RM7)
                poll
            }
            Grant::Waiting => unreachable!("an unlinked waiter was told something"),
        }
    }

    /// A woken waiter is back (RM4): take the lock, or requeue at the front (RM5).
    /// Also returns the waker the requeue replaced, for the caller to drop after unlocking.
    fn retry(
        &self,
        list: &mut WaitList<Waiter>,
        cx: &mut Context<'_>,
        st: &mut LockState,
        key: WaiterKey,
    ) -> (Poll<()>, Option<Waker>) {
        let starving = st.losses + 1 >= STARVE_AFTER;
        let mut cur = self.state.load(Ordering::Relaxed);
        loop {
            debug_assert!(cur & WOKEN != 0 && cur & HANDOFF == 0);
            let (next, ordering) = if cur & LOCKED == 0 {
                ((cur & !WOKEN) | LOCKED, Ordering::Acquire)
            } else if starving {
                ((cur & !WOKEN) | QUEUED | HANDOFF, Ordering::Relaxed)
            } else {
                ((cur & !WOKEN) | QUEUED, Ordering::Relaxed)
            };
            match self
                .state
                .compare_exchange_weak(cur, next, ordering, Ordering::Relaxed)
            {
                Ok(_) if cur & LOCKED == 0 => {
                    list.remove(key); // unlinked: the notifier took its waker
                    return (Poll::Ready(()), None);
                }
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        st.losses += 1;
        let data = list.data_mut(&key);
        data.grant = Grant::Waiting;
        data.starving = starving;
        let replaced = list.requeue_front(&key, cx.waker());
        st.key = Some(key);
        (Poll::Pending, replaced)
    }

    /// Abandons a `lock()` (its future was dropped) per RM6.
    #[cold]
    pub(crate) fn cancel(&self, st: &mut LockState) {
        let Some(key) = st.key.take() else { return };
        let mut list = self.waiters.lock();
        let grant = list.data_mut(&key).grant;
        let (waiter, linked, waker) = list.remove_with_waker(key);
        if linked {
            let mut clear = 0;
            if list.is_empty() {
                clear |= QUEUED;
            }
            if waiter.starving {
                clear |= HANDOFF;
            }
            if clear != 0 {
                self.state.fetch_and(!clear, Ordering::Relaxed);
            }
            drop(list);
            drop(waker); // after unlocking (RM7)
            return;
        }
        match grant {
            Grant::Owner => self.unlock_slow(list),
            Grant::Retry => self.pass_on_retry(list),
            Grant::Waiting => unreachable!("an unlinked waiter was told something"),
        }
    }

    /// The in-flight waiter left without retrying (RM4): if the lock is free, wake the next
    /// waiter in its place (`WOKEN` stays set); otherwise clear `WOKEN`, so the owner's unlock
    /// wakes the next one.
    fn pass_on_retry(&self, mut list: MutexGuard<'_, WaitList<Waiter>>) {
        let mut cur = self.state.load(Ordering::Relaxed);
        loop {
            debug_assert!(cur & WOKEN != 0 && cur & HANDOFF == 0);
            if cur & LOCKED == 0 && cur & QUEUED != 0 {
                let waker = Self::pop_front(&mut list, Grant::Retry);
                if list.is_empty() {
                    self.state.fetch_and(!QUEUED, Ordering::Relaxed);
                }
                drop(list);
                if let Some(waker) = waker {
                    waker.wake();
                }
                return;
            }
            match self.state.compare_exchange_weak(
                cur,
                cur & !WOKEN,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Number of queued waiters (tests).
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.waiters.lock().len()
    }
}

/// The state of one `lock()` in flight, owned by its future.
#[derive(Debug, Default)]
pub(crate) struct LockState {
    key: Option<WaiterKey>,
    /// Times this waiter was woken and found the lock taken (RM5).
    losses: u32,
}

/// The future of `lock()`: resolves once the caller owns the lock.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub(crate) struct Lock<'a> {
    mutex: &'a RawMutex,
    st: LockState,
}

impl<'a> Lock<'a> {
    pub(crate) fn new(mutex: &'a RawMutex) -> Self {
        Self {
            mutex,
            st: LockState::default(),
        }
    }
}

impl Future for Lock<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.mutex.poll_lock(cx, &mut this.st)
    }
}

impl Drop for Lock<'_> {
    /// Inline so a completed `lock()` (no key) costs one test, not a call.
    #[inline]
    fn drop(&mut self) {
        if self.st.key.is_some() {
            self.mutex.cancel(&mut self.st);
        }
    }
}
