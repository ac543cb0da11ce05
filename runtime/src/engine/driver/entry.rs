//! Timer entries: the state a [`Sleep`](crate::time::Sleep) shares with the driver, and [`Timer`],
//! the Sleep-side handle that registers, resets and cancels it.
//!
//! Design (no `unsafe`): the wheel's value is an `Arc<TimerEntry>`, a small mutex around
//! `{ fired, waker }`; the [`Timer`] keeps the other reference and the wheel's key.
//! - **Lazy registration.** Nothing is allocated or locked until the first poll; a deadline
//!   already reached completes without touching the wheel (a `timeout` whose future is ready
//!   at once never takes the wheel lock).
//! - **Arming before filing.** The waker is stored and `fired` cleared *before* the entry is
//!   inserted, so a fire racing with the insert always finds the waker.
//! - **Polling** locks only the entry (never the wheel): fired → `Ready`, else refresh the waker.
//!   A re-poll with the waker this [`Timer`] stored last takes no lock at all (rule E1 below).
//! - **Firing** (driver, holding the wheel lock) removes the entry from the wheel, then sets
//!   `fired` and takes the waker; it is woken after the wheel lock is released.
//! - **Cancel** (drop) is O(1): if not fired, remove by key under the wheel lock. A concurrent
//!   fire makes the key stale and the remove a no-op, so there is no leak and no double free.
//! - Lock order is wheel → entry; the entry lock is never held while taking the wheel lock.
//!
//! **E1 (lock-free re-poll).** `fired` is an atomic written only under the entry lock (by
//! `fire` and `arm`) and read without it. The [`Timer`] remembers the identity (data and vtable
//! pointers, what `Waker::will_wake` compares) of the waker it last stored in the entry. A poll
//! whose waker has that identity needs no lock: the entry still holds that waker (only a fire
//! takes it out, and a fire sets `fired` first, under the lock), so `fired == false` (`Acquire`)
//! means a later fire will wake that very waker, and `true` means the timer is done. The
//! identity is only compared, never used to wake: while the entry holds its waker the identity
//! cannot be reused by a different one (a clone keeps what it points to alive, or the two wake
//! the same thing, which is what `will_wake` promises). A loop or `select!` that re-polls a
//! pending `Sleep` (a connection task with an idle deadline, `timeout` around a stream) then
//! costs one atomic load per poll instead of a lock and unlock.
//!
//! The `Arc` is reused across resets and re-registrations, so one `Sleep` allocates at most
//! once. The entry is filed in the shard of the thread that first polls it (the worker's own
//! wheel); its [`FiledKey`] names that shard, so a reset or cancel from another thread still
//! finds it.

use crate::engine::driver::{DriverHandle, FiledKey, Filing};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::util::waker_identity::WakerIdentity;
use std::task::{Context, Poll, Waker};
use std::time::Instant as StdInstant;

/// The part of a timer shared with the wheel.
#[derive(Debug, Default)]
pub(crate) struct TimerEntry {
    /// Written only with `state` locked; read without it (rule E1).
    fired: AtomicBool,
    state: Mutex<EntryState>,
}

#[derive(Debug, Default)]
struct EntryState {
    waker: Option<Waker>,
}

impl TimerEntry {
    /// Marks the entry fired and hands back its waker (called with the wheel lock held, after
    /// the entry left the wheel).
    pub(crate) fn fire(&self) -> Option<Waker> {
        let mut state = self.state.lock();
        // Rule E1: set before the waker leaves the entry (both under the lock).
        self.fired.store(true, Ordering::Release);
        state.waker.take()
    }

    /// Prepares the entry for (re-)filing: not fired, waking `waker`; returns the identity of
    /// the waker the entry now holds.
    fn arm(&self, waker: &Waker) -> WakerIdentity {
        let mut state = self.state.lock();
        self.fired.store(false, Ordering::Relaxed);
        Self::store_waker(&mut state, waker)
    }

    fn store_waker(state: &mut EntryState, waker: &Waker) -> WakerIdentity {
        match &mut state.waker {
            Some(current) if current.will_wake(waker) => WakerIdentity::of(current),
            slot => WakerIdentity::of(slot.insert(waker.clone())),
        }
    }

    /// A filed entry's poll with a waker other than the one stored last: under the lock.
    /// `Err` is the identity of the waker now stored.
    fn poll(&self, cx: &Context<'_>) -> Result<(), WakerIdentity> {
        let mut state = self.state.lock();
        if self.fired.load(Ordering::Relaxed) {
            return Ok(());
        }
        Err(Self::store_waker(&mut state, cx.waker()))
    }

    fn is_fired(&self) -> bool {
        self.fired.load(Ordering::Acquire)
    }
}

/// The Sleep-side handle of one timer.
#[derive(Debug)]
pub(crate) struct Timer {
    /// The runtime whose wheel the timer goes into: captured at creation if a runtime is
    /// current, else at the first poll.
    driver: Option<DriverHandle>,
    entry: Option<Arc<TimerEntry>>,
    /// `Some` while the entry is (or may still be) in the wheel.
    key: Option<FiledKey>,
    /// The timer completed (fired, was due on registration, or the runtime shut down).
    done: bool,
    /// The identity of the waker this timer last stored in the entry (rule E1).
    stored_waker: Option<WakerIdentity>,
}

impl Timer {
    pub(crate) fn new(driver: Option<DriverHandle>) -> Timer {
        Timer {
            driver,
            entry: None,
            key: None,
            done: false,
            stored_waker: None,
        }
    }

    /// The driver handle, looked up in the current runtime if not captured yet.
    fn driver(&mut self) -> &DriverHandle {
        if self.driver.is_none() {
            self.driver = crate::engine::context::current_driver();
        }
        match &self.driver {
            Some(driver) => driver,
            None => panic!(
                "a `runtime::time` timer was polled outside a runtime: create or poll it inside \
                 `Runtime::block_on` or a spawned task"
            ),
        }
    }

    /// Polls for `deadline`, registering on the first call.
    pub(crate) fn poll_at(&mut self, cx: &Context<'_>, deadline: StdInstant) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        if self.key.is_some() {
            let entry = self.entry.as_ref().expect("a filed timer has an entry");
            let fired = if self.stored_waker == Some(WakerIdentity::of(cx.waker())) {
                // Rule E1: the entry holds this very waker; no lock.
                entry.is_fired()
            } else {
                match entry.poll(cx) {
                    Ok(()) => true,
                    Err(stored) => {
                        self.stored_waker = Some(stored);
                        false
                    }
                }
            };
            if fired {
                self.key = None;
                self.done = true;
                self.stored_waker = None;
                return Poll::Ready(());
            }
            return Poll::Pending;
        }
        self.driver();
        // Borrow the fields apart instead of cloning the driver handle (an `Arc`: two locked
        // read-modify-writes per timer).
        let Timer {
            driver,
            entry,
            key,
            done,
            stored_waker,
        } = self;
        let driver = driver.as_ref().expect("`driver()` captured the handle");
        let time = driver.time();
        if deadline <= time.clock.now() {
            *done = true;
            return Poll::Ready(());
        }
        let tick = time.deadline_tick(deadline);
        let entry = entry.get_or_insert_with(Arc::default);
        *stored_waker = Some(entry.arm(cx.waker()));
        match time.register(crate::engine::context::shard_hint(), tick, entry) {
            (Filing::Filed(filed), unpark) => {
                *key = Some(filed);
                if unpark {
                    driver.unpark();
                }
                Poll::Pending
            }
            (Filing::ShutDown, _) => {
                *done = true;
                Poll::Ready(())
            }
        }
    }

    /// Moves the timer to `deadline`; the next poll waits for it.
    pub(crate) fn reset(&mut self, deadline: StdInstant) {
        self.done = false;
        let Some(key) = self.key else { return };
        let driver = self.driver.clone().expect("a filed timer has a driver");
        let time = driver.time();
        if deadline <= time.clock.now() {
            // Due already: take it out of the wheel; the next poll completes without a lock.
            time.cancel(key);
            self.key = None;
            return;
        }
        match time.reset(key, time.deadline_tick(deadline)) {
            Some(unpark) => {
                if unpark {
                    driver.unpark();
                }
            }
            // It fired just before the reset: the next poll files it again.
            None => self.key = None,
        }
    }

    /// Whether the timer completed (it fired, or was found due or shut down when polled).
    pub(crate) fn is_fired(&self) -> bool {
        self.done
            || (self.key.is_some() && self.entry.as_ref().is_some_and(|entry| entry.is_fired()))
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        if self.entry.as_ref().is_some_and(|entry| entry.is_fired()) {
            return; // the driver already removed it from the wheel
        }
        if let Some(driver) = &self.driver {
            driver.time().cancel(key);
        }
    }
}
