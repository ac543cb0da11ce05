//! Wakers backed by the facade's `Arc` (std's or loom's), so waking code can be modelled.
//!
//! `std::task::Wake` only accepts `std::sync::Arc`; under loom the facade's `Arc` is loom's, so
//! this module builds the `RawWakerVTable` by hand with the `Arc` raw-pointer API both share.
//!
//! # Invariants (the `unsafe` below relies on them)
//! - **AW1.** A waker's data pointer always came from `Arc::into_raw` of an `Arc<W>` and owns
//!   one strong count, which keeps the `W` alive while the waker is.
//! - **AW2.** Only `wake` and `drop_waker`, which consume their waker, take that count back;
//!   `clone` adds the count its new waker owns.

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
    // owns one strong count of an `Arc<W>` (AW1, AW2).
    unsafe { Waker::from_raw(raw) }
}

fn vtable<W: ArcWake>() -> &'static RawWakerVTable {
    &RawWakerVTable::new(clone::<W>, wake::<W>, wake_by_ref::<W>, drop_waker::<W>)
}

unsafe fn clone<W: ArcWake>(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` came from `Arc::into_raw` and its count is alive (AW1); the new waker owns
    // the count added here (AW2).
    unsafe { Arc::increment_strong_count(ptr.cast::<W>()) };
    RawWaker::new(ptr, vtable::<W>())
}

unsafe fn wake<W: ArcWake>(ptr: *const ()) {
    // SAFETY: this consumes the waker, whose strong count we take back here (AW2).
    let arc = unsafe { Arc::from_raw(ptr.cast::<W>()) };
    arc.wake_by_ref();
}

unsafe fn wake_by_ref<W: ArcWake>(ptr: *const ()) {
    // SAFETY: the waker is alive, so its strong count keeps the value alive (AW1).
    unsafe { &*ptr.cast::<W>() }.wake_by_ref();
}

unsafe fn drop_waker<W: ArcWake>(ptr: *const ()) {
    // SAFETY: the waker is being dropped; release its strong count (AW2).
    drop(unsafe { Arc::from_raw(ptr.cast::<W>()) });
}
