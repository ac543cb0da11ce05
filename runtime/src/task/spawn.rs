//! `spawn`, `spawn_blocking`, `block_in_place`: the free functions behind `asyncio.create_task`
//! and `asyncio.to_thread`.

use super::JoinHandle;
use crate::blocking::Mandatory;
use crate::engine::{self, Meta};
use std::future::Future;
use std::panic::Location;

/// Spawns a task on the current runtime and returns a handle to await its output.
///
/// The task starts running right away, concurrently with the caller (like
/// `asyncio.create_task`). Dropping the [`JoinHandle`] detaches the task; it keeps running.
///
/// # Panics
/// Outside a runtime (no `block_on`, task or [`crate::Runtime::enter`] on this thread).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let tasks: Vec<_> = (0..10).map(|i| runtime::spawn(async move { i * i })).collect();
///     let mut sum = 0;
///     for task in tasks {
///         sum += task.await.unwrap();
///     }
///     assert_eq!(sum, 285);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let meta = Meta::new(Location::caller());
    // Borrow the current handle instead of cloning it: two fewer atomic read-modify-writes on
    // the runtime's shared reference count per spawn (they were 23% of the inlined spawn path
    // in the `spawn_many_local_1w` profile), and no closure around the future (no stack copy
    // of it: `engine::borrow_current`).
    // SAFETY: `current` is a local of this frame, dropped on both paths below before it ends.
    let current = unsafe { engine::borrow_current() };
    match current.as_deref().and_then(Option::as_ref) {
        Some(handle) => {
            let (join, refused) = spawn_deferring_refusal(handle, future, meta);
            // A refused task is cancelled here, after the context borrow ended: its future's
            // destructor may enter a runtime.
            drop(current);
            drop(refused);
            join
        }
        None => {
            drop(current);
            drop(future);
            panic!(
                "runtime::spawn must be called from the context of a runtime (inside block_on, a task, or after Runtime::enter)"
            )
        }
    }
}

/// Spawns on a scheduler, boxing futures too large to move around on the stack.
pub(crate) fn spawn_on<F>(handle: &engine::Handle, future: F, meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (join, refused) = spawn_deferring_refusal(handle, future, meta);
    // Cancels the task (runs its destructor) if the runtime refused it.
    drop(refused);
    join
}

/// [`spawn_on`] without running user code: a task refused by a shutting-down runtime
/// is returned, so a caller that borrows the thread-local context can drop (cancel) it after
/// releasing the borrow.
pub(crate) fn spawn_deferring_refusal<F>(
    handle: &engine::Handle,
    future: F,
    meta: Meta,
) -> (JoinHandle<F::Output>, Option<crate::engine::Refused>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // Tokio's threshold: moving a future bigger than this through several frames risks
    // overflowing small thread stacks, and boxing costs one allocation.
    const BOX_FUTURE_THRESHOLD: usize = if cfg!(debug_assertions) { 2048 } else { 16384 };
    let (join, refused) = if std::mem::size_of::<F>() > BOX_FUTURE_THRESHOLD {
        handle.spawn(Box::pin(future), meta)
    } else {
        handle.spawn(future, meta)
    };
    (JoinHandle::new(join), refused)
}

/// Runs a blocking closure on the blocking pool and returns a handle to its result
/// (`asyncio.to_thread`).
///
/// If the pool cannot start a thread (and none exists), or the runtime is shutting down, the
/// closure does not run and the handle resolves to a cancelled [`super::JoinError`].
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let sum = runtime::task::spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 5050);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = Meta::new(Location::caller());
    engine::with_current(|handle| match handle {
        Some(handle) => spawn_blocking_on(handle, f, Mandatory::No, meta),
        None => {
            panic!("runtime::task::spawn_blocking must be called from the context of a runtime")
        }
    })
}

/// Spawns `f` on `handle`'s blocking pool (see [`spawn_blocking`]).
pub(crate) fn spawn_blocking_on<F, R>(
    handle: &engine::Handle,
    f: F,
    mandatory: Mandatory,
    meta: Meta,
) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    JoinHandle::new(handle.spawn_blocking(f, mandatory, meta))
}

/// Runs a blocking closure on the current worker thread, first handing the worker's queue to
/// a new thread so other tasks keep running.
///
/// On the multi-thread runtime the rest of the calling task's current poll also runs on this
/// thread. On the current-thread runtime (where there is no other thread to take over) and
/// outside a runtime, `f` simply runs in place, blocking whatever this thread drives.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let task = runtime::spawn(async {
///         runtime::task::block_in_place(|| std::thread::sleep(std::time::Duration::from_millis(5)));
///         "done"
///     });
///     assert_eq!(task.await.unwrap(), "done");
/// });
/// ```
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    // A failure to start the replacement thread leaves the core here: `f` then blocks this
    // worker, which is slower but loses nothing.
    let _ = engine::hand_off_core();
    engine::exit_runtime(|| super::coop::with_budget_value(None, f))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use crate::{Builder, Handle};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Sets its flag when dropped, after entering `runtime` (which needs this thread's runtime
    /// context mutably).
    struct EntersOnDrop {
        runtime: Handle,
        dropped: Arc<AtomicBool>,
    }

    impl Drop for EntersOnDrop {
        fn drop(&mut self) {
            let _entered = self.runtime.enter();
            self.dropped.store(true, Ordering::SeqCst);
        }
    }

    /// `spawn` borrows the thread's context; a task refused by a shut-down runtime must be
    /// cancelled after that borrow ends, or a destructor entering a runtime would panic.
    #[test]
    fn refused_task_is_cancelled_outside_the_context_borrow() {
        let other = Builder::new_current_thread().build().unwrap();
        let runtimes = [
            Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap(),
            Builder::new_current_thread().build().unwrap(),
        ];
        for rt in runtimes {
            let handle = rt.handle().clone();
            drop(rt);
            let dropped = Arc::new(AtomicBool::new(false));
            let guard = EntersOnDrop {
                runtime: other.handle().clone(),
                dropped: dropped.clone(),
            };
            let late = {
                let _entered = handle.enter();
                super::spawn(async move {
                    let _guard = guard;
                    1
                })
            };
            let err = other.block_on(late).expect_err("spawned after shutdown");
            assert!(err.is_cancelled(), "destructor panicked: {err:?}");
            assert!(dropped.load(Ordering::SeqCst));
        }
    }

    /// Outside any runtime the future is dropped after the context borrow ends (its
    /// destructor may enter a runtime), then `spawn` panics with its own message, not a
    /// borrow error.
    #[test]
    fn spawn_outside_a_runtime_drops_the_future_outside_the_borrow_then_panics() {
        let other = Builder::new_current_thread().build().unwrap();
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = EntersOnDrop {
            runtime: other.handle().clone(),
            dropped: dropped.clone(),
        };
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::spawn(async move {
                let _guard = guard;
            })
        }))
        .expect_err("spawn outside a runtime panics");
        let message = panic
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("must be called from the context of a runtime"),
            "{message}"
        );
        assert!(dropped.load(Ordering::SeqCst));
    }
}
