//! The thread-local runtime context: which runtime is current, whether this thread is inside
//! it, and (on scheduler threads) a pointer to the scheduler's per-thread state.
//!
//! # Invariants (the `unsafe` below relies on them)
//! - **CX1.** `SCHEDULER` holds a pointer only while the `set_scheduler` call that published
//!   it runs on this thread, so the context it borrowed is alive: the reset guard puts the
//!   previous value back before that borrow ends, also on unwind.
//! - **CX2.** The pointer never leaves this thread (it lives in a thread-local and is only
//!   lent out as a shared reference, inside `with_scheduler`).
//! - **CX3.** A thread-local outlives every call that found it alive on its thread: its
//!   destructor runs at thread exit, one destructor after another, never in the middle of a
//!   frame that was running when `try_with` let it in. So `borrow_current` may lend a
//!   reference to `CURRENT` that its caller keeps in a local, outside `try_with`'s closure.

use crate::engine::scheduler;
use crate::loom::rt_thread_local;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;

rt_thread_local! {
    /// The handle `Handle::current()` and `spawn` use.
    static CURRENT: RefCell<Option<scheduler::Handle>> = RefCell::new(None);
}

rt_thread_local! {
    /// `true` while this thread drives a runtime (a worker, or inside `block_on`): blocking
    /// again here would stall that runtime.
    static IN_RUNTIME: Cell<bool> = Cell::new(false);
}

rt_thread_local! {
    /// The scheduler's per-thread state while it runs on this thread (see [`set_scheduler`]).
    static SCHEDULER: Cell<Option<NonNull<scheduler::Context>>> = Cell::new(None);
}

/// Restores the previous current handle when dropped.
pub(crate) struct SetCurrentGuard {
    /// `None` when the handle could not be set (thread-locals already destroyed).
    previous: Option<Option<scheduler::Handle>>,
}

/// The panic message of an entry point used while this thread's thread-locals are destroyed.
const THREAD_LOCAL_DESTROYED: &str = "cannot enter the runtime from a thread-local destructor:      the runtime's thread-local context of this thread has already been destroyed";

/// Makes `handle` the current runtime until the guard drops.
///
/// # Panics
/// During thread-local destruction (the context is gone); shutdown paths use
/// [`try_set_current`].
#[track_caller]
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    let guard = try_set_current(handle);
    if guard.previous.is_none() {
        panic!("{THREAD_LOCAL_DESTROYED}");
    }
    guard
}

/// Makes `handle` the current runtime until the guard drops, if this thread's context still
/// exists; during thread-local destruction it does nothing (code run under it then sees no
/// current runtime). For shutdown and drop paths, which must not panic there.
pub(crate) fn try_set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    let previous = CURRENT
        .try_with(|current| current.borrow_mut().replace(handle.clone()))
        .ok();
    SetCurrentGuard { previous }
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
        }
    }
}

/// Runs `f` with the current handle, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    match CURRENT.try_with(|current| current.borrow().clone()) {
        Ok(handle) => f(handle.as_ref()),
        Err(_) => f(None),
    }
}

/// Runs `f` with a *borrow* of the current handle (no reference-count traffic, unlike
/// [`with_current`]), or returns `None` without calling it outside any runtime.
///
/// `f` must not run user code: a destructor that enters a runtime would need the context
/// mutably (`set_current`) while it is borrowed here.
pub(crate) fn with_current_borrowed<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// A borrow of the current handle for the caller's own use: `spawn`'s way to reach the
/// handle with no reference-count traffic (as [`with_current_borrowed`]) and no closure around
/// the future it spawns. `None` during thread-local destruction.
///
/// A closure that owns the future gets it copied on the stack, into the closure and again
/// into the call, and the first wide load of each copy stalls on the narrower stores with
/// which the caller has just built the future (store forwarding: a quarter of the inlined
/// spawn's samples each in `perf annotate` of `chained_spawn`). Here the future goes from
/// the caller to the task cell as a plain argument. While the borrow is held nothing may
/// replace the current handle (`set_current` would panic on the `RefCell`), so the caller
/// must not run user code under it: a future that comes back (refused, or no runtime) is
/// dropped after the borrow.
///
/// # Safety
///
/// The returned `Ref` must be dropped before the caller's stack frame ends (kept in a local,
/// never stored anywhere longer-lived): only then is `CURRENT` known to outlive it (CX3).
pub(crate) unsafe fn borrow_current<'a>() -> Option<std::cell::Ref<'a, Option<scheduler::Handle>>> {
    let current = CURRENT.try_with(std::ptr::from_ref).ok()?;
    // SAFETY: `try_with` found `CURRENT` alive on this thread, so it stays alive while any
    // frame of this thread that saw it so runs (CX3); the caller drops the `Ref` before its
    // frame ends (this function's contract), and `Ref` cannot leave the thread.
    Some(unsafe { &*current }.borrow())
}

/// Marks this thread as driving a runtime until the guard drops.
#[derive(Debug)]
pub(crate) struct EnterRuntimeGuard {
    was: bool,
}

/// Enters the runtime on this thread. Panics (with a message saying why) if the thread is
/// already driving a runtime: blocking there would stall it.
#[track_caller]
pub(crate) fn enter_runtime() -> EnterRuntimeGuard {
    let was = IN_RUNTIME
        .try_with(|flag| flag.replace(true))
        .unwrap_or_else(|_| panic!("{THREAD_LOCAL_DESTROYED}"));
    if was {
        panic!(
            "Cannot start a runtime from within a runtime. This happens because a function \
             (like `block_on`) attempted to block the current thread while the thread is being \
             used to drive asynchronous tasks. Use `.await` instead, or \
             `runtime::task::spawn_blocking` / `block_in_place` to run blocking code."
        );
    }
    EnterRuntimeGuard { was }
}

/// Leaves the runtime for the guard's lifetime (used by `block_in_place`).
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = IN_RUNTIME.try_with(|flag| flag.set(self.0));
        }
    }
    // During thread-local destruction nothing can be marked, so nothing needs resetting.
    let was = IN_RUNTIME
        .try_with(|flag| flag.replace(false))
        .unwrap_or(false);
    let _reset = Reset(was);
    f()
}

/// `true` if this thread is driving a runtime.
pub(crate) fn is_in_runtime() -> bool {
    IN_RUNTIME.try_with(Cell::get).unwrap_or(false)
}

impl Drop for EnterRuntimeGuard {
    fn drop(&mut self) {
        let was = self.was;
        let _ = IN_RUNTIME.try_with(|flag| flag.set(was));
    }
}

/// Publishes `cx` as this thread's scheduler state while `f` runs. During thread-local
/// destruction `f` runs with nothing published (tasks woken meanwhile take the remote path).
pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<NonNull<scheduler::Context>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = SCHEDULER.try_with(|slot| slot.set(self.0));
        }
    }
    match SCHEDULER.try_with(|slot| slot.replace(Some(NonNull::from(cx)))) {
        Ok(previous) => {
            let _reset = Reset(previous);
            f()
        }
        Err(_) => f(),
    }
}

/// Runs `f` with this thread's scheduler state, if a scheduler is running here.
#[inline]
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = SCHEDULER.try_with(Cell::get).ok().flatten();
    // SAFETY: the pointer is only present while `set_scheduler`'s borrow of the context is
    // alive on this thread (the reset guard clears it before the borrow ends, also on unwind:
    // CX1), and it is never shared with another thread (CX2).
    f(ptr.map(|ptr| unsafe { ptr.as_ref() }))
}

/// The current runtime's driver handle, if a runtime is current on this thread.
pub(crate) fn current_driver() -> Option<crate::engine::driver::DriverHandle> {
    // Borrowed: cloning the scheduler handle first would add two locked read-modify-writes on
    // a reference count every worker shares.
    with_current_borrowed(|handle| handle.driver().clone())
}

/// The current runtime's clock reading (paused, simulated or real), without touching any
/// reference count: `time::Instant::now` runs on hot paths (hyper reads it per frame), and a
/// handle clone there is a write to a cache line every worker shares.
pub(crate) fn current_now() -> Option<std::time::Instant> {
    with_current_borrowed(|handle| handle.driver().now())
}

/// Which timer shard this thread files into: a worker's own index on the multi-thread
/// scheduler (each worker has its own wheel), else a number fixed per thread, so threads
/// outside the workers spread over the shards.
pub(crate) fn shard_hint() -> usize {
    use super::scheduler::Context;
    with_scheduler(|cx| match cx {
        Some(Context::MultiThread(cx)) => cx.index,
        _ => thread_shard_hint(),
    })
}

/// A per-thread number for threads that are not workers (hashed thread id, computed once).
fn thread_shard_hint() -> usize {
    use std::cell::Cell;
    use std::hash::{BuildHasher, RandomState};
    crate::loom::rt_thread_local! {
        static HINT: Cell<Option<usize>> = Cell::new(None);
    }
    HINT.try_with(|hint| {
        *hint.get().get_or_insert_with(|| {
            let id = std::thread::current().id();
            // Truncation is fine: only the low bits pick a shard.
            RandomState::new().hash_one(id) as usize
        })
    })
    .unwrap_or(0)
}
