//! The one `RawWakerVTable` shared by every task.
//!
//! A waker's data pointer is the task header. Cloning adds a reference; `wake_by_ref` adds one
//! only on the idle-to-notified edge (where a `Notified` is minted); `wake` reuses the waker's
//! own reference. The waker handed to `poll` is *borrowed*: it owns no reference and is never
//! dropped, so a future that only calls `wake_by_ref` causes no reference-count traffic.

use super::instrument::waker_op;
use super::raw::{Header, RawTask};
use super::state::ToNotified;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker for the task at `header` that owns no reference; valid while the caller holds one.
pub(crate) fn borrowed_waker(header: NonNull<Header>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(header.as_ptr().cast_const().cast(), &VTABLE);
    // SAFETY: the vtable's functions uphold the `RawWaker` contract for task headers (C1, R2,
    // R3), and the `ManuallyDrop` keeps this reference-less waker from ever running
    // `drop_waker`.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// Whether `waker` is a task waker of this crate (its data pointer is then a task header).
#[inline]
pub(crate) fn is_task_waker(waker: &Waker) -> bool {
    std::ptr::eq(waker.vtable(), &VTABLE)
}

fn task(ptr: *const ()) -> RawTask {
    // SAFETY: every waker built with `VTABLE` carries a non-null task header pointer (C1).
    RawTask::from_header(unsafe { NonNull::new_unchecked(ptr.cast_mut().cast()) })
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    waker_op(&task(ptr).header().trace, "waker.clone");
    task(ptr).state().ref_inc();
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake(ptr: *const ()) {
    let task = task(ptr);
    waker_op(&task.header().trace, "waker.wake");
    match task.state().transition_to_notified_by_val() {
        // SAFETY: the waker's reference became the new `Notified` (R3).
        ToNotified::Submit => unsafe { task.schedule() },
        // SAFETY: the waker's reference was the last one and is gone (R2).
        ToNotified::Dealloc => unsafe { task.dealloc() },
        ToNotified::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    let task = task(ptr);
    waker_op(&task.header().trace, "waker.wake_by_ref");
    if task.state().transition_to_notified_by_ref() == ToNotified::Submit {
        // SAFETY: the transition minted a reference for the new `Notified` (R3).
        unsafe { task.schedule() };
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    waker_op(&task(ptr).header().trace, "waker.drop");
    // SAFETY: a waker owns one reference (R2), given up as the waker is dropped.
    unsafe { task(ptr).drop_reference() };
}
