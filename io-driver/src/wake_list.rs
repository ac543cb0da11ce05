//! [`WakeList`]: a fixed-size batch of wakers collected under a lock and woken after it.

use std::task::Waker;

/// Wakers collected per batch before the lock is released to wake them. 32 is tokio's
/// `NUM_WAKERS`: large enough that one event rarely needs two batches, small enough to live on
/// the stack. A benchmark with hundreds of waiters on one source would justify changing it.
pub(crate) const BATCH: usize = 32;

/// Up to [`BATCH`] wakers, stored inline.
pub(crate) struct WakeList {
    wakers: [Option<Waker>; BATCH],
    len: usize,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: [const { None }; BATCH],
            len: 0,
        }
    }

    /// Whether another waker can be pushed.
    pub(crate) fn can_push(&self) -> bool {
        self.len < BATCH
    }

    /// Adds a waker; the caller checks [`can_push`](Self::can_push) first.
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(self.can_push());
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Pushes `waker` if there is one.
    pub(crate) fn extend(&mut self, waker: Option<Waker>) {
        if let Some(waker) = waker {
            self.push(waker);
        }
    }

    /// Wakes and drops every collected waker; the list is empty afterwards.
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
        // Wakers never woken (only if a waker panicked mid-batch) are still owed a wake.
        self.wake_all();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn wakes_every_pushed_waker_once() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let mut list = WakeList::new();
        while list.can_push() {
            list.push(Waker::from(count.clone()));
        }
        assert_eq!(Arc::strong_count(&count), BATCH + 1);
        list.wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), BATCH);
        assert_eq!(
            Arc::strong_count(&count),
            1,
            "wakers are dropped after waking"
        );
        list.wake_all();
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            BATCH,
            "second call wakes nobody"
        );
    }
}
