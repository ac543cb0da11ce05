//! The fair, batch-acquiring semaphore core under `Semaphore`, `Mutex`, `RwLock`, `OnceCell`,
//! `Queue` and bounded `mpsc`.
//!
//! # Protocol
//!
//! `state` packs `permits << SHIFT | WAITERS | CLOSED`; the queue of waiters is a
//! [`WaitList`] under `waiters`. Invariants:
//!
//! - **BS1.** `WAITERS` is set iff the wait list is non-empty, and is only changed with the lock
//!   held.
//! - **BS2.** While `WAITERS` is set the atomic holds zero permits: every released permit is
//!   assigned to the front waiter(s) under the lock, FIFO, so a newcomer can never barge past a
//!   queued waiter (fairness). A waiter may hold a partial assignment while it waits for the rest.
//! - **BS3.** With `WAITERS` clear, acquire and release are one CAS each, no lock (the uncontended
//!   path). A releaser that sees `WAITERS` takes the lock; because the bit is set by a CAS on the
//!   same word, a release either lands in the atomic before the enqueuing acquirer's CAS (which
//!   then sees it) or sees the bit and goes through the lock (no lost wakeup).
//! - **BS4.** A future leaving the queue by `Drop` gives back every permit assigned to it, which
//!   passes a notification that raced with the drop on to the next waiter.
//! - **BS5.** Permits are conserved: `atomic + assigned-to-waiters + held by permits` only changes
//!   by `release`/`forget`.
//! - **BS6.** An acquire polled after `close` fails, even one whose permits were all assigned
//!   before the close (as in Tokio: once closed, no acquire succeeds); it gives back what it was
//!   assigned (BS5). So a closed semaphore never hands out a permit.
//! - **BS7.** Wakers are woken, and dropped, only after the wait-list lock is released (WL6): a
//!   waker whose `wake` or `Drop` releases or acquires permits re-enters it.

use super::waiters::{WaitList, WaiterKey};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::task::coop;
use io_driver::WakeList;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

const CLOSED: usize = 1;
const WAITERS: usize = 2;
const SHIFT: usize = 2;

/// Largest permit count: three bits of headroom below the flags so additions cannot wrap.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// The semaphore was closed while (or before) acquiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// Why a non-blocking acquire failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryAcquire {
    Closed,
    NoPermits,
}

/// Per-waiter data: how many permits it still lacks.
#[derive(Debug)]
struct Waiter {
    needed: usize,
}

#[derive(Debug)]
pub(crate) struct RawSemaphore {
    state: AtomicUsize,
    waiters: Mutex<WaitList<Waiter>>,
}

/// The state of one acquire in flight; owned by a future, driven by [`RawSemaphore::poll_acquire`].
#[derive(Debug)]
pub(crate) struct AcquireState {
    total: usize,
    key: Option<WaiterKey>,
}

impl AcquireState {
    pub(crate) fn new(permits: usize) -> Self {
        Self {
            total: permits,
            key: None,
        }
    }

    /// `true` while the acquire waits in (or was just served from) the queue: dropping it now
    /// has [`RawSemaphore::cancel_acquire`] work to do.
    pub(crate) fn is_queued(&self) -> bool {
        self.key.is_some()
    }
}

// Unwind safety: the count changes by atomic steps, and the wait list only under its lock with
// no user code running there (wakers are woken and dropped after unlocking, BS7), so a panic
// cannot leave either half-updated. (The lock does not poison; nothing needs it to.)
impl std::panic::RefUnwindSafe for RawSemaphore {}
impl std::panic::UnwindSafe for RawSemaphore {}

impl RawSemaphore {
    #[track_caller]
    pub(crate) fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore may hold at most {MAX_PERMITS} permits"
        );
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// [`new`](Self::new) in a `const` context (`Semaphore::const_new`, ...). Not under
    /// loom, whose primitives cannot be built in `const`.
    #[cfg(not(loom))]
    pub(crate) const fn const_new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore may hold at most usize::MAX >> 3 permits"
        );
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes `n` permits now or fails; never queues (and never barges: with waiters queued
    /// the atomic holds no permits, BS2).
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquire> {
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Err(TryAcquire::Closed);
            }
            if cur >> SHIFT < n {
                return Err(TryAcquire::NoPermits);
            }
            let next = cur - (n << SHIFT);
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Removes up to `n` available permits for good; returns how many were removed.
    pub(crate) fn forget_permits(&self, n: usize) -> usize {
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            let take = (cur >> SHIFT).min(n);
            let next = cur - (take << SHIFT);
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return take,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Returns `n` permits, serving queued waiters first (BS2 and BS3).
    #[track_caller]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.state.load(Ordering::Acquire);
        while cur & WAITERS == 0 {
            let next = Self::add_checked(cur, n);
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        self.release_locked(self.waiters.lock(), n);
    }

    #[track_caller]
    fn add_checked(state: usize, n: usize) -> usize {
        let permits = state >> SHIFT;
        assert!(
            n <= MAX_PERMITS - permits,
            "adding {n} permits to {permits} exceeds the maximum of {MAX_PERMITS}"
        );
        state + (n << SHIFT)
    }

    /// Assigns `n` permits to waiters front to back; the rest goes to the atomic once the
    /// queue is empty, clearing `WAITERS` (BS1). Also called with `n == 0` after a waiter
    /// left, just to keep BS1.
    ///
    /// The first waiter served is woken through a plain `Option<Waker>`; the 32-slot
    /// [`WakeList`] is only built if a second one is (a release of one permit, the `Mutex`
    /// unlock, never needs it).
    fn release_locked<'a>(&'a self, mut list: MutexGuard<'a, WaitList<Waiter>>, mut n: usize) {
        let mut first: Option<Waker> = None;
        let mut more: Option<WakeList> = None;
        while n > 0 {
            let Some(front) = list.front_mut() else { break };
            let take = front.needed.min(n);
            front.needed -= take;
            n -= take;
            if front.needed == 0 {
                let waker = list.pop_front().flatten();
                if first.is_none() {
                    first = waker;
                    continue;
                }
                let wakers = more.get_or_insert_with(WakeList::new);
                wakers.extend(waker);
                if wakers.is_full() {
                    drop(list);
                    if let Some(waker) = first.take() {
                        waker.wake();
                    }
                    wakers.wake_all();
                    list = self.waiters.lock();
                }
            }
        }
        if list.is_empty() {
            let mut cur = self.state.load(Ordering::Acquire);
            loop {
                let next = Self::add_checked(cur & !WAITERS, n);
                match self.state.compare_exchange_weak(
                    cur,
                    next,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(actual) => cur = actual,
                }
            }
        }
        drop(list);
        if let Some(waker) = first {
            waker.wake();
        }
        if let Some(mut wakers) = more {
            wakers.wake_all();
        }
    }

    /// Closes the semaphore: current and future acquires fail; available permits stay.
    pub(crate) fn close(&self) {
        let mut wakers = WakeList::new();
        let mut list = self.waiters.lock();
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        loop {
            // Drain in batches so no waker is called under the lock (WL6).
            while !wakers.is_full() {
                match list.pop_front() {
                    Some(waker) => wakers.extend(waker),
                    None => break,
                }
            }
            if list.is_empty() {
                break;
            }
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
        }
        self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        drop(list);
        wakers.wake_all();
    }

    /// Drives one acquire. Each call is one budgeted operation (`coop`).
    pub(crate) fn poll_acquire(
        &self,
        cx: &mut Context<'_>,
        st: &mut AcquireState,
    ) -> Poll<Result<(), Closed>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "Semaphore::acquire"));
        let out = match st.key.take() {
            None => self.first_poll(cx, st),
            Some(key) => self.poll_queued(cx, st, key),
        };
        if out.is_ready() {
            coop.made_progress();
        }
        out
    }

    fn first_poll(&self, cx: &mut Context<'_>, st: &mut AcquireState) -> Poll<Result<(), Closed>> {
        match self.try_acquire(st.total) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryAcquire::Closed) => return Poll::Ready(Err(Closed)),
            Err(TryAcquire::NoPermits) => {}
        }
        let mut list = self.waiters.lock();
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Poll::Ready(Err(Closed));
            }
            let available = cur >> SHIFT;
            let (next, taken) = if available >= st.total {
                (cur - (st.total << SHIFT), st.total)
            } else {
                ((cur & CLOSED) | WAITERS, available)
            };
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if taken == st.total => return Poll::Ready(Ok(())),
                Ok(_) => {
                    let key = list.push_back(
                        Waiter {
                            needed: st.total - taken,
                        },
                        cx.waker(),
                    );
                    st.key = Some(key);
                    return Poll::Pending;
                }
                Err(actual) => cur = actual,
            }
        }
    }

    fn poll_queued(
        &self,
        cx: &mut Context<'_>,
        st: &mut AcquireState,
        key: WaiterKey,
    ) -> Poll<Result<(), Closed>> {
        let mut list = self.waiters.lock();
        if list.is_linked(&key) {
            let replaced = list.set_waker(&key, cx.waker());
            st.key = Some(key);
            drop(list);
            drop(replaced); // after unlocking (WL6)
            return Poll::Pending;
        }
        let (Waiter { needed }, _) = list.remove(key);
        if needed == 0 && !self.is_closed() {
            return Poll::Ready(Ok(()));
        }
        // Unlinked without all permits (the semaphore was closed), or closed since they were
        // all assigned: fail (BS6) and give back the assignment so the count is conserved
        // (BS5).
        self.release_locked(list, st.total - needed);
        Poll::Ready(Err(Closed))
    }

    /// Abandons an acquire (the future was dropped), returning assigned permits (BS4).
    pub(crate) fn cancel_acquire(&self, st: &mut AcquireState) {
        let Some(key) = st.key.take() else { return };
        let mut list = self.waiters.lock();
        let (Waiter { needed }, _, waker) = list.remove_with_waker(key);
        self.release_locked(list, st.total - needed);
        drop(waker); // `release_locked` unlocked (WL6)
    }

    /// A future taking `permits` permits, FIFO; dropping it gives its place back.
    pub(crate) fn acquire(&self, permits: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            st: AcquireState::new(permits),
        }
    }

    /// Number of queued acquirers (tests and metrics).
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.waiters.lock().len()
    }
}

/// The future of [`RawSemaphore::acquire`]: resolves once all permits are assigned.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub(crate) struct Acquire<'a> {
    sem: &'a RawSemaphore,
    st: AcquireState,
}

impl Future for Acquire<'_> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.sem.poll_acquire(cx, &mut this.st)
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.sem.cancel_acquire(&mut self.st);
    }
}

#[cfg(test)]
mod tests;
