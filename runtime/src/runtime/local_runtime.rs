//! [`LocalRuntime`]: a current-thread runtime whose thread also runs `!Send` tasks, and its
//! [`LocalOptions`].

use super::{EnterGuard, Handle, Runtime, RuntimeMetrics};
use crate::task::{JoinHandle, LocalSet};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

/// Options only a [`LocalRuntime`] has (none yet; Tokio's `build_local` takes them too, so
/// ported code compiles).
///
/// ```
/// let rt = runtime::Builder::new_current_thread()
///     .build_local(runtime::LocalOptions::default())
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 }), 1);
/// ```
#[derive(Default, Debug)]
#[non_exhaustive]
pub struct LocalOptions {
    _not_send: PhantomData<*mut u8>,
}

/// A current-thread runtime that runs `!Send` tasks as well: [`LocalRuntime::spawn_local`]
/// and [`task::spawn_local`](crate::task::spawn_local) work anywhere inside its `block_on`,
/// and [`spawn`](crate::spawn) still spawns `Send` tasks on it. Built by
/// [`Builder::build_local`](crate::Builder::build_local); `#[runtime::main(flavor = "local")]`
/// runs `main` on one. The runtime itself is `!Send`: it stays on the thread that built it.
///
/// A local task's panic follows the builder's
/// [`unhandled_panic`](crate::Builder::unhandled_panic) setting, like a spawned task's.
///
/// Unlike Tokio's, the local tasks live in a [`LocalSet`] that `block_on` drives inside its
/// own future's poll: they are not listed by [`Handle::dump`] nor counted by
/// [`RuntimeMetrics`], and the slow-poll watchdog sees a slow local task as a slow `block_on`.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let rt = runtime::Builder::new_current_thread()
///     .build_local(runtime::LocalOptions::default())
///     .unwrap();
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// rt.block_on(async {
///     let local = runtime::task::spawn_local({
///         let seen = seen.clone();
///         async move { seen.borrow_mut().push("local") }
///     });
///     let sent = runtime::spawn(async { "send" });
///     local.await.unwrap();
///     seen.borrow_mut().push(sent.await.unwrap());
/// });
/// assert_eq!(*seen.borrow(), ["local", "send"]);
/// ```
pub struct LocalRuntime {
    /// Dropped first (in `Drop`, with the runtime entered), so local futures are dropped while
    /// their runtime still exists.
    local: Option<LocalSet>,
    /// `None` only inside `shutdown_timeout`, which consumes the runtime.
    runtime: Option<Runtime>,
}

impl LocalRuntime {
    pub(super) fn from_runtime(runtime: Runtime, _options: LocalOptions) -> LocalRuntime {
        let scheduler = crate::engine::LocalScheduler::new(Some(runtime.handle().inner.clone()));
        LocalRuntime {
            local: Some(LocalSet::with_scheduler(scheduler)),
            runtime: Some(runtime),
        }
    }

    fn runtime(&self) -> &Runtime {
        self.runtime
            .as_ref()
            .expect("the runtime lives until the local runtime drops")
    }

    /// Cancels the local tasks on this thread, with the runtime current (their destructors may
    /// use it). Idempotent.
    fn drop_local_tasks(&mut self) {
        if let Some(runtime) = &self.runtime {
            let _current = crate::engine::try_set_current(&runtime.handle().inner);
            drop(self.local.take());
        }
    }

    fn local(&self) -> &LocalSet {
        self.local
            .as_ref()
            .expect("the local set lives until the runtime drops")
    }

    /// Runs `future` to completion on this thread, with the runtime's local and `Send` tasks.
    ///
    /// # Panics
    /// Inside another runtime, like [`Runtime::block_on`].
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// let out = rt.block_on(async {
    ///     runtime::task::spawn_local(async { std::rc::Rc::new(8) }).await.unwrap()
    /// });
    /// assert_eq!(*out, 8);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let local = self.local();
        // Entered for the whole call, so `spawn_local` works in `Send` tasks too.
        let _entered = local.enter();
        self.runtime().block_on(local.run_until(future))
    }

    /// Spawns a `!Send` task on this runtime; it runs inside [`LocalRuntime::block_on`].
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// let task = rt.spawn_local(async { std::rc::Rc::new("rc").len() });
    /// assert_eq!(rt.block_on(task).unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local().spawn_local(future)
    }

    /// A handle to the runtime underneath (`Send` tasks, timers, I/O; usable from any
    /// thread).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// let task = rt.handle().spawn(async { 2 });
    /// assert_eq!(rt.block_on(task).unwrap(), 2);
    /// ```
    pub fn handle(&self) -> &Handle {
        self.runtime().handle()
    }

    /// Makes the runtime current until the guard drops (see [`Runtime::enter`]).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// let _guard = rt.enter();
    /// let task = runtime::spawn(async { 1 });
    /// assert_eq!(rt.block_on(task).unwrap(), 1);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.runtime().enter()
    }

    /// Runs a blocking closure on the runtime's blocking pool (see
    /// [`task::spawn_blocking`](crate::task::spawn_blocking)).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// let task = rt.spawn_blocking(|| (1..=10).sum::<u32>());
    /// assert_eq!(rt.block_on(task).unwrap(), 55);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.runtime().spawn_blocking(f)
    }

    /// Counters describing the runtime's current state (its `Send` tasks and worker; local
    /// tasks run inside `block_on`'s poll).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 1);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.runtime().metrics()
    }

    /// Shuts down: cancels the local tasks (dropped here), then shuts the runtime down,
    /// waiting at most `timeout` (see [`Runtime::shutdown_timeout`]).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// rt.spawn_local(std::future::pending::<()>());
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)));
    /// rt.shutdown_timeout(Duration::from_millis(10)); // returns without waiting 200 ms
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.drop_local_tasks();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(timeout);
        }
    }

    /// Shuts down without waiting for blocking tasks (see [`Runtime::shutdown_background`]).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// rt.spawn_local(std::future::pending::<()>());
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        // The local tasks first, on this thread; then the runtime shuts down as usual.
        self.drop_local_tasks();
    }
}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}
