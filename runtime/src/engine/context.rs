//! The thread-local runtime context: which runtime is current, whether this thread is inside
//! it, and (on scheduler threads) a pointer to the scheduler's per-thread state.
//!
//! # Invariants (the `unsafe` below relies on them)
//! - **CX1.** `SCHEDULER` holds a pointer only while the `set_scheduler` call that published
//!   it runs on this thread, so the context it borrowed is alive: the reset guard puts the
//!   previous value back before that borrow ends, also on unwind.
//! - **CX2.** The pointer never leaves this thread (it lives in a thread-local and is only
//!   lent out as a shared reference, inside `with_scheduler`).

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

/// [`with_current_borrowed`] for a closure that owns what it works on (a task's future): run
/// with a borrow of the current handle, or handed back unrun (`Err(Some(f))`) outside any
/// runtime, so its captures are dropped by the caller after the borrow, never under it.
/// `Err(None)` during thread-local destruction, where `f` was dropped unrun (no borrow held).
///
/// Taking the closure by value, rather than an `Option` the closure takes its future out of,
/// copies a spawned future one time fewer on the stack and drops the `Option`'s tag store and
/// check: `spawn`'s copies of a future its caller has just built stall on store forwarding
/// (the hottest instructions of the inlined spawn in `perf annotate` of `chained_spawn`);
/// `chained_spawn` and `ping_pong_1w` took about 7 % less time per iteration.
pub(crate) fn try_with_current_borrowed<R, F>(f: F) -> Result<R, Option<F>>
where
    F: FnOnce(&scheduler::Handle) -> R,
{
    let ran = CURRENT.try_with(|current| match current.borrow().as_ref() {
        Some(handle) => Ok(f(handle)),
        None => Err(f),
    });
    match ran {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(unrun)) => Err(Some(unrun)),
        Err(_) => Err(None),
    }
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
