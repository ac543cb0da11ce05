//! Idle-worker coordination: who is searching for work, who is parked, whom to wake.
//!
//! One atomic word packs `unparked` (high bits) and `searching` (low 16 bits) so a notifier can
//! decide without a lock whether anyone needs waking; the list of parked workers lives under a
//! mutex. Rules:
//!
//! - **I1.** A notifier (after pushing work) wakes a worker only if nobody is searching and
//!   someone is parked; it re-checks under the lock and counts the woken worker as unparked
//!   *and* searching before releasing the lock.
//! - **I2.** At most half the workers search at once (`2 * searching < workers`); a throttle,
//!   not an invariant, since the check and the increment are separate.
//! - **I3 (last searcher).** A worker that stops searching because it found work, and was the
//!   last searcher, re-scans every queue after its decrement (as in I4) and wakes another
//!   worker if work is there: a notifier may have skipped waking anyone because it saw that
//!   searcher, and that notifier pushed before reading the idle word, so the re-scan sees its
//!   push. With nothing left to find it wakes nobody: a worker woken for exactly one task
//!   (a spawn from outside) no longer drags a second worker out of sleep just to search,
//!   find nothing and park again (one futex round trip per remote spawn).
//! - **I4 (last to park).** A searcher that parks as the last searcher re-scans every queue
//!   after its decrement, and wakes someone if work is there.
//! - **I5.** `unparked == workers - sleepers.len()` whenever the lock is not held.
//!
//! Pushers and parkers order their queue access and their idle-word access with `SeqCst` so
//! that in I1 vs I3 and I1 vs I4 at least one side sees the other.

use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    sleepers: Mutex<Vec<usize>>,
}

fn searching(state: usize) -> usize {
    state & SEARCH_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARK_SHIFT
}

impl Idle {
    pub(crate) fn new(num_workers: usize) -> Idle {
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    fn should_wake_someone(&self) -> bool {
        let state = self.state.load(Ordering::SeqCst);
        searching(state) == 0 && unparked(state) < self.num_workers
    }

    /// A relaxed, possibly stale hint that someone might need waking (see
    /// `Handle::notify_parked_local`).
    pub(crate) fn may_need_wakeup(&self) -> bool {
        let state = self.state.load(Ordering::Relaxed);
        searching(state) == 0 && unparked(state) < self.num_workers
    }

    /// Picks a parked worker to wake (rule I1) and counts it as unparked and searching.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_wake_someone() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_wake_someone() {
            return None;
        }
        let index = sleepers.pop()?;
        self.state
            .fetch_add((1 << UNPARK_SHIFT) | 1, Ordering::SeqCst);
        Some(index)
    }

    /// Records that worker `index` parks. Returns `true` if it was the last searcher (it must
    /// then re-scan for work, rule I4).
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let previous = self.state.fetch_sub(dec, Ordering::SeqCst);
        sleepers.push(index);
        is_searching && searching(previous) == 1
    }

    /// Tries to start searching (rule I2).
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(Ordering::SeqCst);
        if 2 * searching(state) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// Stops searching. Returns `true` if this was the last searcher (rule I3).
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let previous = self.state.fetch_sub(1, Ordering::SeqCst);
        debug_assert!(searching(previous) > 0);
        searching(previous) == 1
    }

    /// Removes `index` from the sleepers if it is there (it woke for its own reasons).
    /// Returns `true` if it was listed.
    pub(crate) fn unpark_worker_by_id(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        match sleepers.iter().position(|&i| i == index) {
            Some(position) => {
                sleepers.swap_remove(position);
                self.state.fetch_add(1 << UNPARK_SHIFT, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// `true` if `index` is still listed as parked.
    pub(crate) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }

    /// Number of workers currently searching (metrics, tests, loom models).
    #[cfg(any(test, loom))]
    pub(crate) fn num_searching(&self) -> usize {
        searching(self.state.load(Ordering::SeqCst))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn notify_wakes_only_when_someone_sleeps_and_nobody_searches() {
        let idle = Idle::new(2);
        assert_eq!(idle.worker_to_notify(), None, "everyone is awake");
        assert!(!idle.transition_worker_to_parked(0, false));
        assert_eq!(idle.worker_to_notify(), Some(0));
        assert_eq!(idle.num_searching(), 1);
        assert!(!idle.transition_worker_to_parked(1, false));
        assert_eq!(idle.worker_to_notify(), None, "a searcher exists");
        assert!(idle.transition_worker_from_searching());
        assert_eq!(idle.worker_to_notify(), Some(1));
    }

    #[test]
    fn last_searcher_to_park_is_reported() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(
            !idle.transition_worker_to_searching(),
            "at most half search"
        );
        assert!(!idle.transition_worker_to_parked(0, true));
        assert!(idle.transition_worker_to_parked(1, true));
        assert!(idle.is_parked(0) && idle.is_parked(1));
        assert!(idle.unpark_worker_by_id(0));
        assert!(!idle.unpark_worker_by_id(0));
        assert!(!idle.is_parked(0));
    }
}
