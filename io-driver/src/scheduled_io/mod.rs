//! [`ScheduledIo`]: the shared state of one registration — its readiness word and the wakers
//! of the tasks waiting on it.
//!
//! # Protocol
//!
//! - **SIO1.** The readiness word ([`ReadinessWord`]) is the single source of truth; wakers are
//!   only hints to look at it again.
//! - **SIO2.** A setter (the driver, or shutdown) first updates the word, *then* locks `waiters`
//!   and takes every matching waker. A poller locks `waiters`, re-reads the word under the lock,
//!   and only stores its waker if the word still says "not ready". Either the setter's lock comes
//!   after the poller's unlock (the setter finds the waker) or before its lock (the poller sees the
//!   new word): no lost wake-up.
//! - **SIO3.** Wakers are moved into a `WakeList` under the lock and woken after it is released, at
//!   most 32 ([`WakeList::CAPACITY`]) at a time, so user wake code never runs under our lock.
//! - **SIO4.** Two poll slots (reader, writer) keep one waker each: the last poller wins, which is
//!   what `AsyncRead`/`AsyncWrite` on one object need. Any number of `readiness()` futures wait in
//!   a separate list; each owns its slab key and removes it when it completes or is dropped.
//! - **SIO5.** A woken waiter's entry stays in the list (with no waker) until its future polls
//!   again, so a later wake in the same round does not wake it twice.

use crate::loom::sync::Mutex;
use crate::readiness::{ReadinessWord, ReadyEvent};
use crate::wake_list::WakeList;
use crate::{Direction, Interest, Ready};
use slab::Slab;
use std::fmt;
use std::task::{Context, Poll, Waker};

/// Readiness plus waiters of one registered source.
///
/// # Examples
///
/// ```
/// use io_driver::scheduled_io::ScheduledIo;
/// use io_driver::{Direction, Ready};
/// use std::task::{Context, Poll, Waker};
///
/// let io = ScheduledIo::new();
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
/// io.set_readiness(Ready::READABLE);
/// match io.poll_ready(&mut cx, Direction::Read) {
///     Poll::Ready(event) => assert!(event.ready().is_readable()),
///     Poll::Pending => unreachable!(),
/// }
/// ```
pub struct ScheduledIo {
    readiness: ReadinessWord,
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    list: Slab<Waiter>,
}

struct Waiter {
    mask: Ready,
    waker: Option<Waker>,
}

/// Stores `waker` in `slot` unless the slot already holds an equivalent one.
fn store_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(current) if current.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl ScheduledIo {
    /// Fresh state: nothing ready, nobody waiting.
    ///
    /// ```
    /// let io = io_driver::scheduled_io::ScheduledIo::new();
    /// assert!(io.readiness().load_ready().is_empty());
    /// ```
    pub fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: ReadinessWord::new(),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// The readiness word.
    ///
    /// ```
    /// let io = io_driver::scheduled_io::ScheduledIo::new();
    /// assert!(!io.readiness().is_shutdown());
    /// ```
    pub fn readiness(&self) -> &ReadinessWord {
        &self.readiness
    }

    /// SIO2, setter side: records an edge and wakes every waiter it satisfies.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Ready};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::WRITABLE);
    /// assert_eq!(io.readiness().load_ready(), Ready::WRITABLE);
    /// ```
    pub fn set_readiness(&self, ready: Ready) {
        self.readiness.set(ready);
        self.wake(ready);
    }

    /// Sets the shutdown flag and wakes every waiter; they then observe the shutdown.
    ///
    /// ```
    /// # use io_driver::scheduled_io::ScheduledIo;
    /// let io = ScheduledIo::new();
    /// io.shutdown();
    /// assert!(io.readiness().is_shutdown());
    /// ```
    pub fn shutdown(&self) {
        self.readiness.shutdown();
        self.wake(Ready::ALL);
    }

    /// RD3 (in `readiness`): clears what `event` observed unless a newer edge arrived.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Interest, Ready};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::READABLE);
    /// let seen = io.readiness().snapshot(Interest::READABLE.mask());
    /// assert!(io.clear_readiness(seen));
    /// assert!(io.readiness().load_ready().is_empty());
    /// ```
    pub fn clear_readiness(&self, event: ReadyEvent) -> bool {
        self.readiness.clear(event)
    }

    /// SIO2–SIO5: wakes the poll slots and list waiters whose interest intersects `ready`.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Ready};
    /// ScheduledIo::new().wake(Ready::ALL); // nobody waiting: nothing happens
    /// ```
    pub fn wake(&self, ready: Ready) {
        let mut waiters = self.waiters.lock();
        let reader = if ready.intersects(Interest::READABLE.mask()) {
            waiters.reader.take()
        } else {
            None
        };
        let writer = if ready.intersects(Interest::WRITABLE.mask()) {
            waiters.writer.take()
        } else {
            None
        };
        if waiters.list.is_empty() {
            // The common case (only `AsyncRead`/`AsyncWrite` pollers): no batch needed.
            drop(waiters);
            if let Some(waker) = reader {
                waker.wake();
            }
            if let Some(waker) = writer {
                waker.wake();
            }
            return;
        }
        let mut wakers = WakeList::new();
        wakers.extend(reader);
        wakers.extend(writer);
        // Entries inserted while the lock is released between batches registered after the
        // readiness update (SIO2), so they saw it; resuming past the last key is enough.
        let mut resume_from = 0;
        loop {
            let mut batch_full = false;
            for (key, waiter) in waiters
                .list
                .iter_mut()
                .filter(|(key, _)| *key >= resume_from)
            {
                if wakers.is_full() {
                    batch_full = true;
                    resume_from = key;
                    break;
                }
                if waiter.mask.intersects(ready)
                    && let Some(waker) = waiter.waker.take()
                {
                    wakers.push(waker);
                }
            }
            if !batch_full {
                break;
            }
            drop(waiters);
            wakers.wake_all();
            waiters = self.waiters.lock();
        }
        drop(waiters);
        wakers.wake_all();
    }

    /// SIO2, poller side, for one of the two poll slots (SIO4).
    ///
    /// Returns the observed event once anything in the direction's mask is set or the
    /// registration is shut down; otherwise stores the context's waker and returns `Pending`.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Direction, Ready};
    /// # use std::task::{Context, Waker};
    /// let io = ScheduledIo::new();
    /// io.set_readiness(Ready::READABLE);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
    /// assert!(io.poll_ready(&mut cx, Direction::Read).is_ready());
    /// ```
    pub fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<ReadyEvent> {
        let mask = direction.interest().mask();
        let event = self.readiness.snapshot(mask);
        if event.is_shutdown() || !event.ready().is_empty() {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let event = self.readiness.snapshot(mask);
        if event.is_shutdown() || !event.ready().is_empty() {
            return Poll::Ready(event);
        }
        let slot = match direction {
            Direction::Read => &mut waiters.reader,
            Direction::Write => &mut waiters.writer,
        };
        store_waker(slot, cx.waker());
        Poll::Pending
    }

    /// SIO2, poller side, for a list waiter (SIO4). `key` is the caller's list entry, `None`
    /// before the first `Pending`; on `Ready` the entry is removed and `key` reset to `None`.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Interest, Ready};
    /// # use std::task::{Context, Waker};
    /// let io = ScheduledIo::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut key = None;
    /// assert!(io.poll_waiter(&mut cx, Interest::WRITABLE.mask(), &mut key).is_pending());
    /// assert!(key.is_some());
    /// io.set_readiness(Ready::WRITABLE);
    /// assert!(io.poll_waiter(&mut cx, Interest::WRITABLE.mask(), &mut key).is_ready());
    /// assert!(key.is_none());
    /// ```
    pub fn poll_waiter(
        &self,
        cx: &mut Context<'_>,
        mask: Ready,
        key: &mut Option<usize>,
    ) -> Poll<ReadyEvent> {
        let event = self.readiness.snapshot(mask);
        let done = event.is_shutdown() || !event.ready().is_empty();
        if done && key.is_none() {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let event = self.readiness.snapshot(mask);
        if event.is_shutdown() || !event.ready().is_empty() {
            if let Some(key) = key.take() {
                waiters.list.try_remove(key);
            }
            return Poll::Ready(event);
        }
        match key.and_then(|key| waiters.list.get_mut(key)) {
            Some(waiter) => store_waker(&mut waiter.waker, cx.waker()),
            None => {
                let waker = Some(cx.waker().clone());
                *key = Some(waiters.list.insert(Waiter { mask, waker }));
            }
        }
        Poll::Pending
    }

    /// Removes a list waiter whose future is dropped before completing.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Interest};
    /// # use std::task::{Context, Waker};
    /// let io = ScheduledIo::new();
    /// let mut key = None;
    /// let _ = io.poll_waiter(&mut Context::from_waker(Waker::noop()), Interest::READABLE.mask(), &mut key);
    /// io.cancel_waiter(key.unwrap());
    /// ```
    pub fn cancel_waiter(&self, key: usize) {
        let removed = self.waiters.lock().list.try_remove(key);
        // Dropped outside the lock: a waker's drop may run arbitrary code.
        drop(removed);
    }

    /// Drops every stored waker (the owner is gone); breaks waker -> task -> registration cycles.
    ///
    /// ```
    /// # use io_driver::{scheduled_io::ScheduledIo, Direction};
    /// # use std::task::{Context, Waker};
    /// let io = ScheduledIo::new();
    /// let _ = io.poll_ready(&mut Context::from_waker(Waker::noop()), Direction::Read);
    /// io.clear_wakers();
    /// ```
    pub fn clear_wakers(&self) {
        let taken = std::mem::take(&mut *self.waiters.lock());
        drop(taken);
    }
}

impl Default for ScheduledIo {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ScheduledIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScheduledIo")
            .field("readiness", &self.readiness)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
