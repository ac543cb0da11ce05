//! `Handle`: a cloneable reference to a runtime, usable from any thread.

use super::{Id, RuntimeFlavor, RuntimeMetrics};
use crate::engine;
use crate::task::JoinHandle;
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
    pub(crate) inner: engine::Handle,
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
    _guard: engine::SetCurrentGuard,
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
        engine::with_current(|handle| handle.cloned())
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
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = engine::Meta::new(std::panic::Location::caller());
        crate::task::spawn::spawn_on(&self.inner, future, meta)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = engine::Meta::new(std::panic::Location::caller());
        crate::task::spawn::spawn_blocking_on(&self.inner, f, crate::blocking::Mandatory::No, meta)
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
        let _current = engine::set_current(&self.inner);
        self.inner.block_on(future)
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
            _guard: engine::set_current(&self.inner),
            _handle: PhantomData,
        }
    }

    /// A dump of every live task of this runtime: id, name, spawn location, state, poll
    /// statistics and, for idle tasks, where each one waits (see [`Dump`](crate::dump::Dump)).
    ///
    /// Works on both flavors and every target, from inside the runtime or from any thread.
    /// Tasks that are running (on another worker, or the caller itself) are reported as
    /// running and never polled. Each idle task is polled once in *trace mode*, on the
    /// calling thread, with the task's own waker: every runtime future it awaits records
    /// itself and returns `Pending` without registering or consuming anything, and the task
    /// is then rescheduled once (a spurious wake-up, always allowed) so nothing it waits for
    /// is lost. So a dump costs one extra poll per idle task, and code in those tasks runs on
    /// the dumping thread up to its first runtime `.await`.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// rt.block_on(async {
    ///     let (tx, mut rx) = runtime::sync::mpsc::channel::<u32>(1);
    ///     let consumer = runtime::task::Builder::new()
    ///         .name("consumer")
    ///         .spawn(async move { rx.recv().await })
    ///         .unwrap();
    ///     runtime::time::sleep(std::time::Duration::from_millis(20)).await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let task = &dump.tasks()[0];
    ///     assert_eq!(task.name(), Some("consumer"));
    ///     assert_eq!(task.trace()[0].kind(), "mpsc::Receiver::recv");
    ///     // The dump did not disturb it.
    ///     tx.send(7).await.unwrap();
    ///     assert_eq!(consumer.await.unwrap(), Some(7));
    /// });
    /// ```
    pub async fn dump(&self) -> crate::dump::Dump {
        // Completes at once, so it spends the coop budget like any runtime future.
        crate::task::coop::consume_budget().await;
        self.inner.dump()
    }

    /// Which scheduler this runtime runs.
    ///
    /// ```
    /// use runtime::runtime::{Handle, RuntimeFlavor};
    /// let rt = runtime::Runtime::new().unwrap();
    /// let flavor = rt.block_on(async { Handle::current().runtime_flavor() });
    /// assert_eq!(flavor, RuntimeFlavor::MultiThread);
    /// ```
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner.flavor() {
            engine::Flavor::CurrentThread => RuntimeFlavor::CurrentThread,
            engine::Flavor::MultiThread => RuntimeFlavor::MultiThread,
            engine::Flavor::Simulation => RuntimeFlavor::Simulation,
        }
    }

    /// The name given with [`Builder::name`](crate::Builder::name), or `None`.
    ///
    /// ```
    /// let named = runtime::Builder::new_current_thread().name("db").build().unwrap();
    /// assert_eq!(named.handle().name(), Some("db"));
    /// let plain = runtime::Runtime::new().unwrap();
    /// assert_eq!(plain.handle().name(), None);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    /// This runtime's [`Id`]: equal for every handle to the same runtime, different from
    /// every other runtime alive at the same time.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let from_task = rt.block_on(rt.spawn(async { runtime::Handle::current().id() }));
    /// assert_eq!(from_task.unwrap(), rt.handle().id());
    /// ```
    pub fn id(&self) -> Id {
        Id::new(self.inner.addr())
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

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.inner.flavor_name())
            .field("name", &self.name())
            .finish()
    }
}
