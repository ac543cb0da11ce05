//! The LIFO slot: one task a worker runs next, which the watchdog can take away from a worker
//! stuck in a poll.
//!
//! The slot is one atomic pointer to a task header (null = empty) holding a `Notified`
//! reference. Rules:
//!
//! - **L1 (one filler).** Only the owning worker puts a task in. A thief only ever *empties*
//!   the slot, so an owner that has just seen it empty knows it stays empty and fills it with
//!   a plain store (no read-modify-write on the spawn/wake path).
//! - **L2 (exchange).** Every removal (the owner's pop or replace, a thief's steal) is one
//!   `swap`: whoever gets the pointer out owns its `Notified` reference, so a task is taken
//!   exactly once, never lost and never run twice.
//! - **L3 (thieves).** A thief takes the slot only from a worker the watchdog saw stuck in one
//!   poll for the heal threshold (`watchdog.rs`); the owner never waits for a thief.
//!
//! The owner's pop first loads (`Relaxed`): an empty slot, the common case in the run loop,
//! costs no swap.

use super::handle::Notified;
use crate::engine::task::raw::{Header, RawTask};
use crate::loom::sync::atomic::{AtomicPtr, Ordering};
use std::ptr::{self, NonNull};

/// A one-task slot its owner fills and empties and a thief may empty (rules L1-L3).
#[derive(Debug)]
pub(crate) struct LifoSlot {
    task: AtomicPtr<Header>,
}

impl LifoSlot {
    pub(crate) fn new() -> LifoSlot {
        LifoSlot {
            task: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// `true` if the slot holds no task (exact for the owner when it reads "full" only in the
    /// sense that a thief may empty it at any time).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.task.load(Ordering::Relaxed).is_null()
    }

    /// Owner: puts `task` in, returning the task it displaced (if any).
    #[inline]
    pub(crate) fn push(&self, task: Notified) -> Option<Notified> {
        let new = task.into_raw().header_ptr().as_ptr();
        if self.is_empty() {
            // Rule L1: only this thread fills the slot, so it is still empty. `Release`
            // publishes the task to a thief's `Acquire` swap.
            self.task.store(new, Ordering::Release);
            None
        } else {
            // Rule L2: the previous task may have been stolen meanwhile.
            from_ptr(self.task.swap(new, Ordering::AcqRel))
        }
    }

    /// Owner: takes the task out.
    #[inline]
    pub(crate) fn pop(&self) -> Option<Notified> {
        if self.is_empty() {
            return None;
        }
        from_ptr(self.task.swap(ptr::null_mut(), Ordering::AcqRel))
    }

    /// Thief (rule L3): takes the task out of a stuck worker's slot.
    pub(crate) fn steal(&self) -> Option<Notified> {
        self.pop()
    }
}

impl Drop for LifoSlot {
    fn drop(&mut self) {
        drop(self.pop());
    }
}

/// The `Notified` whose reference the slot held (rule L2: the caller took it out).
fn from_ptr(ptr: *mut Header) -> Option<Notified> {
    NonNull::new(ptr).map(|header| Notified::from_raw(RawTask::from_header(header)))
}
