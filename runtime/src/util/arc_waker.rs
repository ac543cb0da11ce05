//! Wakers backed by the facade's `Arc` (std's or loom's), so waking code can be modelled.
//!
//! `std::task::Wake` only accepts `std::sync::Arc`; under loom the facade's `Arc` is loom's, so
//! this module builds the `RawWakerVTable` by hand with the `Arc` raw-pointer API both share.
//! Invariant: a waker's data pointer always came from `Arc::into_raw` of an `Arc<W>` and owns
//! one strong count.

use crate::loom::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

/// Something a waker can poke.
pub(crate) trait ArcWake: Send + Sync + 'static {
    fn wake_by_ref(&self);
}

/// A waker that owns one strong count of `arc`.
pub(crate) fn waker<W: ArcWake>(arc: Arc<W>) -> Waker {
    let raw = RawWaker::new(Arc::into_raw(arc).cast(), vtable::<W>());
    // SAFETY: the vtable functions below implement the `RawWaker` contract for a pointer that
    // owns one strong count of an `Arc<W>` (the module invariant).
    unsafe { Waker::from_raw(raw) }
}

fn vtable<W: ArcWake>() -> &'static RawWakerVTable {
    &RawWakerVTable::new(clone::<W>, wake::<W>, wake_by_ref::<W>, drop_waker::<W>)
}

unsafe fn clone<W: ArcWake>(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` came from `Arc::into_raw` and its count is alive (module invariant); the
    // new waker owns the count added here.
    unsafe { Arc::increment_strong_count(ptr.cast::<W>()) };
    RawWaker::new(ptr, vtable::<W>())
}

unsafe fn wake<W: ArcWake>(ptr: *const ()) {
    // SAFETY: this consumes the waker, whose strong count we take back here.
    let arc = unsafe { Arc::from_raw(ptr.cast::<W>()) };
    arc.wake_by_ref();
}

unsafe fn wake_by_ref<W: ArcWake>(ptr: *const ()) {
    // SAFETY: the waker is alive, so its strong count keeps the value alive.
    unsafe { &*ptr.cast::<W>() }.wake_by_ref();
}

unsafe fn drop_waker<W: ArcWake>(ptr: *const ()) {
    // SAFETY: the waker is being dropped; release its strong count.
    drop(unsafe { Arc::from_raw(ptr.cast::<W>()) });
}
