//! The shared cell of a oneshot channel: one atomic state word and three unsafe slots (the
//! value and the two wakers). All of the channel's `unsafe` lives here.
//!
//! State bits ([`COMPLETE`], [`CLOSED`], [`RX_WAKER`], [`TX_WAKER`]) and who owns each slot:
//!
//! - **OS1** (value) `value` belongs to the sender while `COMPLETE` is clear, and to the receiver
//!   once it is set. The sender writes the value, then sets `COMPLETE` with a release CAS that
//!   refuses when `CLOSED` is set (it then takes its value back). The receiver reads the value only
//!   after an acquire load sees `COMPLETE`. A dropped sender sets `COMPLETE` with the slot empty.
//! - **OS2** (receiver's waker) `rx_waker` belongs to the receiver while `RX_WAKER` is clear. Once
//!   the receiver sets the bit the slot is shared read-only: the receiver may read it (`will_wake`)
//!   and the sender, after setting `COMPLETE`, wakes it by reference. To replace it the receiver
//!   clears the bit with a CAS that refuses once `COMPLETE` is set (then the value is ready and the
//!   slot stays as it is). If the receiver's `close` sets `CLOSED` while `COMPLETE` is clear,
//!   `COMPLETE` can never be set (the sender's CAS refuses), so the sender never reads the slot
//!   again: the slot is the receiver's, which drops its waker then rather than keep its task alive
//!   as long as the sender lives.
//! - **OS3** (sender's waker) `tx_waker`: the same with the roles swapped, `TX_WAKER` and `CLOSED`
//!   (set by the receiver's `close` or drop, which then wakes the sender by reference). The
//!   receiver reads the slot only in the `close` whose RMW found `COMPLETE` and `CLOSED` clear; so
//!   once the sender's CAS set `COMPLETE` (refused after `CLOSED`), the slot is the sender's, which
//!   drops its waker as it finishes.
//! - **OS4** (drop) Both sides hold an `Arc`; the slots are dropped with the cell, when neither
//!   side can touch them any more.
//!
//! Every method documents which side may call it. `Sender` and `Receiver` are not `Clone` and
//! call these with `&mut self` (or by value), so each side is one caller at a time.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

/// The sender finished: sent a value (the slot is full) or was dropped (the slot is empty).
const COMPLETE: usize = 0b0001;
/// The receiver closed the channel or was dropped.
const CLOSED: usize = 0b0010;
/// `rx_waker` holds the receiver's waker (OS2).
const RX_WAKER: usize = 0b0100;
/// `tx_waker` holds the sender's waker (OS3).
const TX_WAKER: usize = 0b1000;

/// What the receiver finds.
pub(super) enum Received<T> {
    /// The sender has not finished.
    Empty,
    /// The value was sent (and is now the receiver's).
    Value(T),
    /// The sender was dropped without sending, the value was already taken, or the receiver
    /// closed the channel before anything was sent.
    Closed,
}

pub(super) struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the slots are handed between the two sides by the state word (OS1, OS2, OS3), so at
// most one thread writes a slot and never while another reads it; the value moves between
// threads, hence `T: Send`. Wakers are `Send + Sync`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above; `&Inner` only gives the access OS1-OS3 allow.
unsafe impl<T: Send> Sync for Inner<T> {}
// Unwind safety, for every `T` (the channel hands the value over whole, by value): each slot
// changes hands by one atomic step of the state word, and no user code runs between the steps
// of a method, so a panic cannot leave the cell half-updated for the other side.
impl<T> std::panic::RefUnwindSafe for Inner<T> {}
impl<T> std::panic::UnwindSafe for Inner<T> {}

impl<T> Inner<T> {
    pub(super) fn new() -> Inner<T> {
        Inner {
            state: AtomicUsize::new(0),
            value: UnsafeCell::new(None),
            rx_waker: UnsafeCell::new(None),
            tx_waker: UnsafeCell::new(None),
        }
    }

    /// Sets `COMPLETE` unless the receiver closed first; returns the state before, or `None`
    /// if the channel was closed.
    fn complete(&self) -> Option<usize> {
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s & CLOSED == 0).then_some(s | COMPLETE)
            })
            .ok()
    }

    /// Sender side: the receiver is closed or dropped.
    pub(super) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Sender side, once: stores `value` and completes; gives it back if the receiver closed.
    pub(super) fn send(&self, value: T) -> Result<(), T> {
        // SAFETY: `COMPLETE` is clear (only this, the one sender, sets it, once), so the slot is
        // the sender's (OS1).
        self.value.with_mut(|slot| unsafe { *slot = Some(value) });
        match self.complete() {
            Some(before) => {
                self.wake_receiver(before);
                Ok(())
            }
            // SAFETY: `COMPLETE` was not set, so the slot is still the sender's (OS1).
            None => Err(self
                .value
                .with_mut(|slot| unsafe { (*slot).take() })
                .expect("the value was stored above")),
        }
    }

    /// Sender side, once, when the sender is dropped without sending.
    pub(super) fn drop_sender(&self) {
        if let Some(before) = self.complete() {
            self.wake_receiver(before);
        }
    }

    /// After setting `COMPLETE`: wakes the receiver if it published a waker, and drops the
    /// sender's own `closed` waker (nobody can wake it now; OS3).
    fn wake_receiver(&self, before: usize) {
        if before & RX_WAKER != 0 {
            // SAFETY: `RX_WAKER` is set and `COMPLETE` now too, so the receiver will not
            // replace the waker: nobody writes the slot (OS2).
            unsafe { wake_slot(&self.rx_waker) };
        }
        if before & TX_WAKER != 0 {
            // SAFETY: this side's CAS set `COMPLETE` while `CLOSED` was clear, so the
            // receiver's `close` will find `COMPLETE` and never read the slot (OS3).
            drop(unsafe { take_slot(&self.tx_waker) });
        }
    }

    /// Publishes `cx`'s waker in `slot`, guarded by `bit`, unless a `stop` bit is set. Returns
    /// the state showing a `stop` bit, or `None` once the waker is published (or the one
    /// already there wakes the same task). Called only by the side owning `slot` (OS2, OS3).
    fn register(
        &self,
        slot: &UnsafeCell<Option<Waker>>,
        bit: usize,
        stop: usize,
        cx: &Context<'_>,
    ) -> Option<usize> {
        let state = self.state.load(Ordering::Acquire);
        if state & stop != 0 {
            return Some(state);
        }
        if state & bit != 0 {
            // SAFETY: `bit` is set, so only reads happen on the slot (OS2, OS3).
            if unsafe { slot_will_wake(slot, cx.waker()) } {
                return None;
            }
            // Take the slot back to replace the waker; refused once a `stop` bit is set (the
            // other side may be reading it).
            let cleared = self
                .state
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                    (s & stop == 0).then_some(s & !bit)
                });
            if let Err(now) = cleared {
                return Some(now);
            }
        }
        // SAFETY: `bit` is clear, so the slot is this side's alone (OS2, OS3).
        slot.with_mut(|ptr| unsafe { *ptr = Some(cx.waker().clone()) });
        let before = self.state.fetch_or(bit, Ordering::AcqRel);
        (before & stop != 0).then_some(before)
    }

    /// Receiver side: takes the value if the sender finished.
    fn take_value(&self, state: usize) -> Received<T> {
        if state & COMPLETE != 0 {
            // SAFETY: `COMPLETE` was seen with acquire ordering: the slot is the receiver's (OS1).
            return match self.value.with_mut(|slot| unsafe { (*slot).take() }) {
                Some(value) => Received::Value(value),
                None => Received::Closed,
            };
        }
        if state & CLOSED != 0 {
            return Received::Closed;
        }
        Received::Empty
    }

    /// Receiver side (read-only, so `&Receiver` may call it from several threads): `true` if
    /// a sent value waits in the slot.
    pub(super) fn has_value(&self) -> bool {
        if self.state.load(Ordering::Acquire) & COMPLETE == 0 {
            return false;
        }
        // SAFETY: `COMPLETE` was seen with acquire ordering: the slot is the receiver's
        // (OS1), and this only reads it; the receiver's writes (`take_value`) need `&mut
        // Receiver`, so none runs while a `&Receiver` exists.
        self.value.with(|slot| unsafe { (*slot).is_some() })
    }

    /// Receiver side: takes the value now if it is there.
    pub(super) fn try_recv(&self) -> Received<T> {
        self.take_value(self.state.load(Ordering::Acquire))
    }

    /// Receiver side: takes the value, or registers `cx`'s waker and returns `Pending`.
    /// `CLOSED` is a stop bit too: only the receiver sets it, and a closed, empty channel
    /// will never get a value.
    pub(super) fn poll_recv(&self, cx: &Context<'_>) -> Poll<Received<T>> {
        match self.register(&self.rx_waker, RX_WAKER, COMPLETE | CLOSED, cx) {
            Some(state) => Poll::Ready(self.take_value(state)),
            None => Poll::Pending,
        }
    }

    /// Receiver side: sets `CLOSED` and wakes the sender's `closed()` if it waits (and the
    /// sender has not finished). Returns the state before.
    pub(super) fn close(&self) -> usize {
        let before = self.state.fetch_or(CLOSED, Ordering::AcqRel);
        if before & (TX_WAKER | COMPLETE | CLOSED) == TX_WAKER {
            // SAFETY: `TX_WAKER` is set and `CLOSED` now too, so the sender will not replace
            // the waker: nobody writes the slot (OS3).
            unsafe { wake_slot(&self.tx_waker) };
        }
        if before & (RX_WAKER | COMPLETE | CLOSED) == RX_WAKER {
            // SAFETY: `CLOSED` was set while `COMPLETE` was clear, so `COMPLETE` never will be
            // and the sender never reads the slot: it is the receiver's (OS2). The receiver
            // never registers again (`CLOSED` stops `register`).
            drop(unsafe { take_slot(&self.rx_waker) });
        }
        before
    }

    /// Receiver side, once, when the receiver is dropped: closes and drops a value nobody
    /// received.
    pub(super) fn drop_receiver(&self) {
        let before = self.close();
        if before & COMPLETE != 0 {
            // SAFETY: `COMPLETE` was seen (acquire via the RMW): the slot is ours (OS1).
            drop(self.value.with_mut(|slot| unsafe { (*slot).take() }));
        }
    }

    /// Sender side: `Ready` once the receiver is closed or dropped, else registers `cx`'s
    /// waker.
    pub(super) fn poll_closed(&self, cx: &Context<'_>) -> Poll<()> {
        match self.register(&self.tx_waker, TX_WAKER, CLOSED, cx) {
            Some(_) => Poll::Ready(()),
            None => Poll::Pending,
        }
    }
}

/// Wakes the waker in `slot`, if any, by reference.
///
/// # Safety
/// Nobody writes `slot` during the call.
unsafe fn wake_slot(slot: &UnsafeCell<Option<Waker>>) {
    slot.with(|ptr| {
        // SAFETY: no concurrent writer (the caller's contract, from OS2/OS3); readers may share.
        let waker = unsafe { &*ptr };
        if let Some(waker) = waker {
            waker.wake_by_ref();
        }
    });
}

/// Takes the waker out of `slot`, for the caller to drop.
///
/// # Safety
/// The caller owns `slot`: nobody else reads or writes it during the call.
unsafe fn take_slot(slot: &UnsafeCell<Option<Waker>>) -> Option<Waker> {
    // SAFETY: exclusive access (the caller's contract, from OS2/OS3).
    slot.with_mut(|ptr| unsafe { (*ptr).take() })
}

/// Whether the waker in `slot` wakes the same task as `waker`.
///
/// # Safety
/// Nobody writes `slot` during the call.
unsafe fn slot_will_wake(slot: &UnsafeCell<Option<Waker>>, waker: &Waker) -> bool {
    slot.with(|ptr| {
        // SAFETY: no concurrent writer (the caller's contract, from OS2/OS3); readers may share.
        let current = unsafe { &*ptr };
        current.as_ref().is_some_and(|w| w.will_wake(waker))
    })
}
