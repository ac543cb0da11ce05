//! [`WakeList`]: wakers collected under a lock and woken after it is released.

use std::task::Waker;

/// How many wakers are collected before the lock is dropped to wake them: Tokio's value (its
/// `WakeList` holds 32), small enough to keep the lock hold short and the array on the stack,
/// large enough to amortise re-taking the lock. A timer-heavy bench would justify a change.
pub(crate) const WAKE_BATCH: usize = 32;

/// A fixed-size batch of wakers.
#[derive(Debug)]
pub(crate) struct WakeList {
    wakers: [Option<Waker>; WAKE_BATCH],
    len: usize,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: std::array::from_fn(|_| None),
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == WAKE_BATCH
    }

    /// Adds a waker; the caller checks [`is_full`](Self::is_full) first.
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(!self.is_full());
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes and clears every collected waker.
    pub(crate) fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // A panic while waking must not lose the remaining wake-ups.
        self.wake_all();
    }
}
