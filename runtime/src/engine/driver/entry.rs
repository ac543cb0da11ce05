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
//! - **Firing** (driver, holding the wheel lock) removes the entry from the wheel, then sets
//!   `fired` and takes the waker; it is woken after the wheel lock is released.
//! - **Cancel** (drop) is O(1): if not fired, remove by key under the wheel lock. A concurrent
//!   fire makes the key stale and the remove a no-op, so there is no leak and no double free.
//! - Lock order is wheel → entry; the entry lock is never held while taking the wheel lock.
//!
//! The `Arc` is reused across resets and re-registrations, so one `Sleep` allocates at most
//! once. The entry is filed in the shard of the thread that first polls it (the worker's own
//! wheel); its [`FiledKey`] names that shard, so a reset or cancel from another thread still
//! finds it.

use crate::engine::driver::{DriverHandle, FiledKey, Filing};
use crate::loom::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant as StdInstant;

/// The part of a timer shared with the wheel.
#[derive(Debug, Default)]
pub(crate) struct TimerEntry {
    state: Mutex<EntryState>,
}

#[derive(Debug, Default)]
struct EntryState {
    fired: bool,
    waker: Option<Waker>,
}

impl TimerEntry {
    /// Marks the entry fired and hands back its waker (called with the wheel lock held, after
    /// the entry left the wheel).
    pub(crate) fn fire(&self) -> Option<Waker> {
        let mut state = self.state.lock();
        state.fired = true;
        state.waker.take()
    }

    /// Prepares the entry for (re-)filing: not fired, waking `waker`.
    fn arm(&self, waker: &Waker) {
        let mut state = self.state.lock();
        state.fired = false;
        match &mut state.waker {
            Some(current) if current.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }

    fn poll(&self, cx: &Context<'_>) -> Poll<()> {
        let mut state = self.state.lock();
        if state.fired {
            return Poll::Ready(());
        }
        match &mut state.waker {
            Some(current) if current.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn is_fired(&self) -> bool {
        self.state.lock().fired
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
}

impl Timer {
    pub(crate) fn new(driver: Option<DriverHandle>) -> Timer {
        Timer {
            driver,
            entry: None,
            key: None,
            done: false,
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
            if entry.poll(cx).is_ready() {
                self.key = None;
                self.done = true;
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
        } = self;
        let driver = driver.as_ref().expect("`driver()` captured the handle");
        let time = driver.time();
        if deadline <= time.clock.now() {
            *done = true;
            return Poll::Ready(());
        }
        let tick = time.deadline_tick(deadline);
        let entry = entry.get_or_insert_with(Arc::default);
        entry.arm(cx.waker());
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
