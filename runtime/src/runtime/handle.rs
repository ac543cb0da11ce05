//! `Handle`: a cloneable reference to a runtime, usable from any thread.

use super::RuntimeMetrics;
use crate::engine::context;
use crate::engine::scheduler;
use crate::task::{Id, JoinHandle};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

/// A handle to a runtime: spawn onto it, block on it, or enter it, from any thread.
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let task = std::thread::spawn(move || handle.spawn(async { 2 })).join().unwrap();
/// assert_eq!(rt.block_on(task).unwrap(), 2);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// No runtime is current on this thread.
///
/// ```
/// let err = runtime::Handle::try_current().unwrap_err();
/// assert!(err.to_string().contains("no runtime"));
/// ```
#[derive(Debug)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("there is no runtime on this thread: call this from a task, inside `block_on`, or after `Runtime::enter`")
    }
}

impl std::error::Error for TryCurrentError {}

/// Keeps a runtime current on this thread; see [`Handle::enter`].
#[must_use = "the runtime stops being current when the guard is dropped"]
pub struct EnterGuard<'a> {
    _guard: context::SetCurrentGuard,
    _handle: PhantomData<&'a Handle>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

impl Handle {
    /// The runtime of the current thread.
    ///
    /// # Panics
    /// Outside any runtime; use [`Handle::try_current`] to get an error instead.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::Handle::current();
    ///     assert_eq!(handle.spawn(async { 1 }).await.unwrap(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("{err}"),
        }
    }

    /// The runtime of the current thread, or an error outside any runtime.
    ///
    /// ```
    /// assert!(runtime::Handle::try_current().is_err());
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async { assert!(runtime::Handle::try_current().is_ok()) });
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::with_current(|handle| handle.cloned())
            .map(|inner| Handle { inner })
            .ok_or(TryCurrentError(()))
    }

    /// Spawns a task onto this runtime.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = rt.handle().spawn(async { "done" });
    /// assert_eq!(rt.block_on(task).unwrap(), "done");
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle_spawn_on(&self.inner, future)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// ```
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        crate::task::spawn::spawn_blocking_on(&self.inner, f, crate::blocking::Mandatory::No)
    }

    /// Runs `future` to completion on the current thread (see [`crate::Runtime::block_on`]).
    ///
    /// # Panics
    /// When called from inside a runtime.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let v = std::thread::spawn(move || handle.block_on(async { 5 })).join().unwrap();
    /// assert_eq!(v, 5);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _current = context::set_current(&self.inner);
        match &self.inner {
            scheduler::Handle::MultiThread(h) => scheduler::multi_thread::block_on(h, future),
            scheduler::Handle::CurrentThread(h) => scheduler::current_thread::block_on(h, future),
        }
    }

    /// Makes this runtime current on this thread until the guard drops.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let guard = rt.handle().enter();
    /// assert!(runtime::Handle::try_current().is_ok());
    /// drop(guard);
    /// assert!(runtime::Handle::try_current().is_err());
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(&self.inner),
            _handle: PhantomData,
        }
    }

    /// Counters describing the runtime's current state.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.handle().metrics().num_workers(), 1);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }
}

/// Spawns on a scheduler, boxing futures too large to move around on the stack.
pub(crate) fn handle_spawn_on<F>(handle: &scheduler::Handle, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (join, refused) = spawn_deferring_refusal(handle, future);
    // Cancels the task (runs its destructor) if the runtime refused it.
    drop(refused);
    join
}

/// [`handle_spawn_on`] without running user code: a task refused by a shutting-down runtime
/// is returned, so a caller that borrows the thread-local context can drop (cancel) it after
/// releasing the borrow.
pub(crate) fn spawn_deferring_refusal<F>(
    handle: &scheduler::Handle,
    future: F,
) -> (JoinHandle<F::Output>, Option<crate::task::list::Refused>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // Tokio's threshold: moving a future bigger than this through several frames risks
    // overflowing small thread stacks, and boxing costs one allocation.
    const BOX_FUTURE_THRESHOLD: usize = if cfg!(debug_assertions) { 2048 } else { 16384 };
    let id = Id::next();
    if std::mem::size_of::<F>() > BOX_FUTURE_THRESHOLD {
        handle.spawn(Box::pin(future), id)
    } else {
        handle.spawn(future, id)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavor = match self.inner {
            scheduler::Handle::MultiThread(_) => "multi_thread",
            scheduler::Handle::CurrentThread(_) => "current_thread",
        };
        f.debug_struct("Handle").field("flavor", &flavor).finish()
    }
}
