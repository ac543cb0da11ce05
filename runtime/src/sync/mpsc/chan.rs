//! The channel state shared by the bounded and unbounded flavours.
//!
//! # Design
//!
//! Messages sit in a `VecDeque` ring under one lock, together with the receiver's waker and
//! the closed flags. A bounded channel also has a fair [`RawSemaphore`] of `capacity` slot
//! permits: a sender takes one before pushing and the receiver returns one per message
//! popped. The receiver does not lock once per message: when its private `batch` ring (a
//! field of the receiver handle) is empty, it swaps it with the shared queue under the lock
//! and then pops from it without any lock, so senders contend with the receiver once per
//! batch rather than once per message. Since at most `capacity` messages can be queued (in
//! either ring), neither ring grows beyond `capacity` after warm-up: steady-state sends
//! allocate nothing. The lock sits on its own cache line, away from the semaphore's word
//! that both sides touch once per message. Rules:
//!
//! - **CH1.** Bounded: `queued (shared queue + batch) + permits held by senders/`Permit`s +
//!   available permits == capacity`; the receiver returns a message's permit when it hands the
//!   message out, not when it moves it into its batch.
//! - **CH2.** `rx_closed` (receiver closed or dropped) closes the semaphore, so waiting and new
//!   sends fail; outstanding [`Permit`](super::Permit)s may still push, and the receiver drains.
//! - **CH3.** The receiver sees the end of the stream (`None`) when the queue is empty and either
//!   every sender is gone, or it closed the channel and no slot permit is outstanding.
//! - **CH4.** The receiver's waker is taken under the lock and woken (or dropped) after it is
//!   released: a waker whose `wake` or `Drop` uses the channel cannot deadlock. Dropping the
//!   receiver takes its waker out, so a live sender does not keep the receiver's task alive.
//! - **CH5.** Messages keep their order: the batch is only refilled when empty, and always takes
//!   the whole shared queue, so it holds older messages than the shared queue at all times.
//! - **CH6.** Every slot permit given back to a closed semaphore may end the stream (CH3), so each
//!   way one comes back wakes the receiver: an unused `Permit` dropped ([`Chan::release_slot`]),
//!   and a queued reservation ([`Reserve`]) that fails or is dropped holding a slot handed to it
//!   before the close.
//! - **CH7.** A weak sender counts in `weak_count`, not `tx_count`: it does not keep the stream
//!   open. Upgrading adds a sender only while `tx_count > 0` (one compare-and-swap from a
//!   non-zero count), so once the last sender is gone (CH3) no sender can come back.

use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::batch_semaphore::{AcquireState, Closed, RawSemaphore};
use crate::sync::notify::Notify;
use crate::task::coop;
use crossbeam_utils::CachePadded;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

pub(super) struct Chan<T> {
    inner: CachePadded<Mutex<Inner<T>>>,
    /// Slot permits; `None` for an unbounded channel.
    pub(super) sem: Option<RawSemaphore>,
    pub(super) capacity: usize,
    tx_count: AtomicUsize,
    /// Weak senders alive (`WeakSender`, `WeakUnboundedSender`); they do not keep the
    /// stream open (CH7).
    weak_count: AtomicUsize,
    /// Woken when the receiver closes, for `Sender::closed`.
    pub(super) rx_closed_notify: Notify,
}

struct Inner<T> {
    queue: VecDeque<T>,
    rx_waker: Option<Waker>,
    rx_closed: bool,
    rx_dropped: bool,
    tx_gone: bool,
}

// Unwind safety, for every `T` (as Tokio's channel): the shared state only changes under its
// lock or by atomics, and no user code runs in between (messages and wakers are dropped, and
// wakers woken, after unlocking: CH4), so a panic cannot leave it half-updated for the other
// handles to see. Messages are only ever reached by value, through the receiver.
impl<T> std::panic::RefUnwindSafe for Chan<T> {}
impl<T> std::panic::UnwindSafe for Chan<T> {}

/// What a non-blocking receive found.
pub(super) enum TryPop<T> {
    Item(T),
    Empty,
    Done,
}

impl<T> Chan<T> {
    /// `capacity == 0` means unbounded.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            inner: CachePadded::new(Mutex::new(Inner {
                queue: VecDeque::with_capacity(capacity),
                rx_waker: None,
                rx_closed: false,
                rx_dropped: false,
                tx_gone: false,
            })),
            sem: (capacity > 0).then(|| RawSemaphore::new(capacity)),
            capacity,
            tx_count: AtomicUsize::new(1),
            weak_count: AtomicUsize::new(0),
            rx_closed_notify: Notify::new(),
        }
    }

    /// Queues `value`. Gives it back if the receiver is dropped, or if it closed and the
    /// caller holds no slot permit (`with_permit == false`, the unbounded path; CH2).
    pub(super) fn push(&self, value: T, with_permit: bool) -> Result<(), T> {
        let mut inner = self.inner.lock();
        if inner.rx_dropped || (inner.rx_closed && !with_permit) {
            return Err(value);
        }
        inner.queue.push_back(value);
        let waker = inner.rx_waker.take();
        drop(inner);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Returns an unused slot permit (bounded only); may end the stream (CH6).
    pub(super) fn release_slot(&self) {
        if let Some(sem) = &self.sem {
            sem.release(1);
            self.slot_returned(sem);
        }
    }

    /// A slot permit went back to the semaphore: once closed, that may end the stream (CH3
    /// and CH6), so the receiver must look again.
    fn slot_returned(&self, sem: &RawSemaphore) {
        if sem.is_closed() {
            self.wake_rx();
        }
    }

    fn wake_rx(&self) {
        let waker = self.inner.lock().rx_waker.take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Returns `n` unused slot permits at once (bounded only); may end the stream (CH6).
    pub(super) fn release_slots(&self, n: usize) {
        if let (Some(sem), true) = (&self.sem, n > 0) {
            sem.release(n);
            self.slot_returned(sem);
        }
    }

    /// Waits for a slot permit (bounded only); fails once the receiver closed (CH2).
    pub(super) fn reserve(&self) -> Reserve<'_, T> {
        self.reserve_n(1)
    }

    /// Waits for `n` slot permits at once, FIFO among senders (bounded only; `n` must not
    /// exceed the capacity, or it would wait forever).
    pub(super) fn reserve_n(&self, n: usize) -> Reserve<'_, T> {
        Reserve {
            chan: self,
            st: AcquireState::new(n),
        }
    }

    /// Stores `cx`'s waker as the receiver's (under the lock) and returns the one it replaces,
    /// for the caller to drop after unlocking (CH4).
    fn park_rx(inner: &mut Inner<T>, cx: &Context<'_>) -> Option<Waker> {
        match &inner.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => inner.rx_waker.replace(cx.waker().clone()),
        }
    }

    fn is_done(&self, inner: &Inner<T>) -> bool {
        if inner.tx_gone {
            return true;
        }
        inner.rx_closed
            && self
                .sem
                .as_ref()
                .is_none_or(|sem| sem.available_permits() == self.capacity)
    }

    /// Refills the receiver's private `batch` (empty on entry) with everything queued, by
    /// swapping the two rings: one lock per batch instead of one per message (CH5).
    fn refill(inner: &mut Inner<T>, batch: &mut VecDeque<T>) {
        debug_assert!(
            batch.is_empty(),
            "refilling a batch that still holds messages"
        );
        std::mem::swap(&mut inner.queue, batch);
    }

    /// Receives one message if one is queued, without waiting.
    pub(super) fn try_pop(&self, batch: &mut VecDeque<T>) -> TryPop<T> {
        if batch.is_empty() {
            let mut inner = self.inner.lock();
            if inner.queue.is_empty() {
                return if self.is_done(&inner) {
                    TryPop::Done
                } else {
                    TryPop::Empty
                };
            }
            Self::refill(&mut inner, batch);
        }
        let value = batch.pop_front().expect("a refilled batch holds a message");
        self.slots_freed(1);
        TryPop::Item(value)
    }

    fn slots_freed(&self, n: usize) {
        if n == 0 {
            return;
        }
        if let Some(sem) = &self.sem {
            sem.release(n);
        }
    }

    /// Receives one message, or `None` at the end of the stream (CH3).
    pub(super) fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        batch: &mut VecDeque<T>,
    ) -> Poll<Option<T>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "mpsc::Receiver::recv"));
        if batch.is_empty() {
            let mut inner = self.inner.lock();
            if inner.queue.is_empty() {
                if self.is_done(&inner) {
                    coop.made_progress();
                    return Poll::Ready(None);
                }
                let replaced = Self::park_rx(&mut inner, cx);
                drop(inner);
                drop(replaced);
                return Poll::Pending;
            }
            Self::refill(&mut inner, batch);
        }
        let value = batch.pop_front().expect("a refilled batch holds a message");
        self.slots_freed(1);
        coop.made_progress();
        Poll::Ready(Some(value))
    }

    /// Receives up to `limit` messages into `buf`; `Ready(0)` only at the end of the stream
    /// (or when `limit == 0`).
    pub(super) fn poll_recv_many(
        &self,
        cx: &mut Context<'_>,
        batch: &mut VecDeque<T>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "mpsc::Receiver::recv_many"));
        if limit == 0 {
            coop.made_progress(); // ready at once: still one operation (a loop must yield)
            return Poll::Ready(0);
        }
        if batch.is_empty() {
            let mut inner = self.inner.lock();
            if inner.queue.is_empty() {
                if self.is_done(&inner) {
                    coop.made_progress();
                    return Poll::Ready(0);
                }
                let replaced = Self::park_rx(&mut inner, cx);
                drop(inner);
                drop(replaced);
                return Poll::Pending;
            }
            Self::refill(&mut inner, batch);
        }
        let n = batch.len().min(limit);
        buf.extend(batch.drain(..n));
        self.slots_freed(n);
        coop.made_progress();
        Poll::Ready(n)
    }

    /// Messages queued, counting the receiver's `batch`.
    pub(super) fn len(&self, batch: &VecDeque<T>) -> usize {
        self.inner.lock().queue.len() + batch.len()
    }

    pub(super) fn is_rx_closed(&self) -> bool {
        self.inner.lock().rx_closed
    }

    /// Completes once the receiver closed or was dropped (`Sender::closed`). Completing at
    /// once still spends the coop budget, so a loop over it yields.
    pub(super) async fn closed(&self) {
        loop {
            let notified = self.rx_closed_notify.notified();
            if self.is_rx_closed() {
                coop::consume_budget().await;
                return;
            }
            notified.await;
        }
    }

    /// `true` once the receiver closed or every sender is gone.
    pub(super) fn is_closed_for_rx(&self) -> bool {
        let inner = self.inner.lock();
        inner.rx_closed || inner.tx_gone
    }

    /// The receiver closes its end (CH2).
    pub(super) fn close_rx(&self) {
        let first = !std::mem::replace(&mut self.inner.lock().rx_closed, true);
        if first {
            if let Some(sem) = &self.sem {
                sem.close();
            }
            self.rx_closed_notify.notify_waiters();
        }
    }

    /// The receiver is dropped: close, then drop queued messages and the receiver's waker
    /// outside the lock (CH4).
    pub(super) fn drop_rx(&self) {
        self.close_rx();
        let (drained, waker) = {
            let mut inner = self.inner.lock();
            inner.rx_dropped = true;
            (std::mem::take(&mut inner.queue), inner.rx_waker.take())
        };
        drop(waker);
        drop(drained);
    }

    pub(super) fn add_tx(&self) {
        self.tx_count.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a sender only if one is still alive (a weak sender upgrading; CH7).
    pub(super) fn try_add_tx(&self) -> bool {
        let mut count = self.tx_count.load(Ordering::Acquire);
        while count > 0 {
            match self.tx_count.compare_exchange_weak(
                count,
                count + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => count = actual,
            }
        }
        false
    }

    /// Senders alive.
    pub(super) fn tx_count(&self) -> usize {
        self.tx_count.load(Ordering::Acquire)
    }

    /// Weak senders alive.
    pub(super) fn weak_count(&self) -> usize {
        self.weak_count.load(Ordering::Acquire)
    }

    pub(super) fn add_weak(&self) {
        self.weak_count.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn drop_weak(&self) {
        self.weak_count.fetch_sub(1, Ordering::AcqRel);
    }

    /// A sender is dropped; the last one ends the stream (CH3).
    pub(super) fn drop_tx(&self) {
        if self.tx_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            let mut inner = self.inner.lock();
            inner.tx_gone = true;
            let waker = inner.rx_waker.take();
            drop(inner);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

/// The future of [`Chan::reserve`]: a slot permit, FIFO among senders, cancel-safe.
///
/// A reservation that fails, or is dropped, after the semaphore closed may give back a slot
/// that was handed to it before the close; it then wakes the receiver (CH6), which would
/// otherwise wait forever for a slot nobody holds.
#[must_use = "futures do nothing unless polled"]
pub(super) struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    st: AcquireState,
}

impl<'a, T> Reserve<'a, T> {
    fn sem(&self) -> &'a RawSemaphore {
        self.chan
            .sem
            .as_ref()
            .expect("only a bounded channel reserves slots")
    }
}

impl<T> Future for Reserve<'_, T> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let sem = this.sem();
        let out = ready!(sem.poll_acquire(cx, &mut this.st));
        if out.is_err() {
            this.chan.slot_returned(sem);
        }
        Poll::Ready(out)
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if self.st.is_queued() {
            let sem = self.sem();
            sem.cancel_acquire(&mut self.st);
            self.chan.slot_returned(sem);
        }
    }
}
