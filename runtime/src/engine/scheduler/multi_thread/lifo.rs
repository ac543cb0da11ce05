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
use crate::engine::task::raw::RawTask;
use crate::loom::sync::atomic::{AtomicPtr, Ordering};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

/// What a slot can hold: an owned pointer it can give up and take back.
pub(crate) trait SlotItem: Sized {
    /// Gives up ownership as a pointer.
    fn into_ptr(self) -> NonNull<()>;

    /// Takes ownership back.
    ///
    /// # Safety
    /// `ptr` came from [`SlotItem::into_ptr`] of the same type, and is taken back only once.
    unsafe fn from_ptr(ptr: NonNull<()>) -> Self;
}

impl SlotItem for Notified {
    fn into_ptr(self) -> NonNull<()> {
        self.into_raw().header_ptr().cast()
    }

    unsafe fn from_ptr(ptr: NonNull<()>) -> Self {
        Notified::from_raw(RawTask::from_header(ptr.cast()))
    }
}

/// A one-task slot its owner fills and empties and a thief may empty (rules L1-L3).
#[derive(Debug)]
pub(crate) struct LifoSlot<T: SlotItem = Notified> {
    task: AtomicPtr<()>,
    _item: PhantomData<T>,
}

// SAFETY: the slot owns the item it holds, and hands it to exactly one taker (rule L2), so it
// may be shared and sent between threads as the item itself may be sent.
unsafe impl<T: SlotItem + Send> Send for LifoSlot<T> {}
// SAFETY: as above (rule L2: every removal is one atomic swap).
unsafe impl<T: SlotItem + Send> Sync for LifoSlot<T> {}

impl<T: SlotItem> LifoSlot<T> {
    pub(crate) fn new() -> LifoSlot<T> {
        LifoSlot {
            task: AtomicPtr::new(ptr::null_mut()),
            _item: PhantomData,
        }
    }

    /// `true` if the slot holds no task (a thief may empty a full slot at any time).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.task.load(Ordering::Relaxed).is_null()
    }

    /// Owner: puts `task` in, returning the task it displaced (if any).
    #[inline]
    pub(crate) fn push(&self, task: T) -> Option<T> {
        let new = task.into_ptr().as_ptr();
        if self.is_empty() {
            // Rule L1: only this thread fills the slot, so it is still empty. `Release`
            // publishes the task to a thief's `Acquire` swap.
            self.task.store(new, Ordering::Release);
            None
        } else {
            // Rule L2: the previous task may have been stolen meanwhile.
            Self::take_back(self.task.swap(new, Ordering::AcqRel))
        }
    }

    /// Owner: takes the task out.
    #[inline]
    pub(crate) fn pop(&self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        Self::take_back(self.task.swap(ptr::null_mut(), Ordering::AcqRel))
    }

    /// Thief (rule L3): takes the task out of a stuck worker's slot.
    pub(crate) fn steal(&self) -> Option<T> {
        self.pop()
    }

    /// The item whose pointer a swap just took out of the slot.
    fn take_back(ptr: *mut ()) -> Option<T> {
        // SAFETY: rule L2: the swap that returned `ptr` removed it from the slot, so this
        // caller is its only taker; every non-null value in the slot came from `into_ptr`.
        NonNull::new(ptr).map(|ptr| unsafe { T::from_ptr(ptr) })
    }
}

impl<T: SlotItem> Drop for LifoSlot<T> {
    fn drop(&mut self) {
        drop(self.pop());
    }
}
