//! The runtime: [`Runtime`], its [`Builder`], [`Handle`]s to it, their [`Id`] and
//! [`RuntimeFlavor`], and [`RuntimeMetrics`].
//!
//! This is Tokio's `tokio::runtime` path: `runtime::runtime::Builder` is
//! `runtime::Builder`, so ported `use` lines keep working.
//!
//! ```
//! use runtime::runtime::{Builder, Handle, Runtime};
//!
//! let rt: Runtime = Builder::new_current_thread().enable_all().build().unwrap();
//! let id = rt.block_on(async { Handle::current().id() });
//! assert_eq!(id, rt.handle().id());
//! ```

mod builder;
mod builder_compat;
mod builder_sim;
mod builder_uring;
mod handle;
mod id;
mod local_runtime;
mod metrics;

pub use crate::engine::SlowPoll;
pub use crate::engine::dump;
pub use crate::engine::{
    HistogramConfiguration, InvalidHistogramConfiguration, LogHistogram, LogHistogramBuilder,
    UnhandledPanic,
};
pub use builder::Builder;
pub use handle::{EnterGuard, Handle, TryCurrentError};
pub use id::{Id, RuntimeFlavor};
pub use local_runtime::{LocalOptions, LocalRuntime};
pub use metrics::RuntimeMetrics;

use crate::blocking::{BlockingPool, PoolConfig};
use crate::engine::{self, Config, Flavor};
use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

/// An async runtime: a scheduler, its drivers and a blocking pool.
///
/// This is `asyncio.run`'s event loop, made explicit: [`Runtime::block_on`] runs a future to
/// completion while the runtime's workers run every spawned task.
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let task = runtime::spawn(async { 40 + 2 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// Dropping the runtime shuts it down in order: it stops accepting work, cancels every task
/// (their futures are dropped on runtime threads), joins the workers, and waits for blocking
/// tasks. [`Runtime::shutdown_timeout`] bounds that wait.
pub struct Runtime {
    handle: Handle,
    flavor: Flavor,
    blocking_pool: BlockingPool,
    /// Set by `shutdown_timeout`/`shutdown_background` so `Drop` does not wait again.
    shut_down: bool,
}

impl Runtime {
    /// A multi-thread runtime with one worker per CPU and every driver on.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { "ok" }), "ok");
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    pub(crate) fn from_parts(
        flavor: Flavor,
        workers: usize,
        config: Config,
        pool: PoolConfig,
    ) -> io::Result<Runtime> {
        let blocking_pool = BlockingPool::new(pool);
        let spawner = blocking_pool.spawner().clone();
        let inner = engine::Handle::build(flavor, workers, config, spawner)?;
        let mut runtime = Runtime {
            handle: Handle { inner },
            flavor,
            blocking_pool,
            shut_down: false,
        };
        if let Err(err) = runtime.handle.inner.launch() {
            runtime.shutdown_now(Some(Duration::from_secs(1)));
            return Err(err);
        }
        Ok(runtime)
    }

    /// Runs `future` to completion on the current thread and returns its output.
    ///
    /// # Panics
    /// When called from inside a runtime (a task or another `block_on`): blocking there would
    /// stall that runtime. Use `.await` instead.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { 7 * 6 }), 42);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task onto the runtime (see [`crate::spawn`]).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> crate::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on the blocking pool (see [`crate::task::spawn_blocking`]).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn_blocking(|| std::thread::current().name().map(str::to_owned));
    /// assert!(rt.block_on(handle).is_ok());
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> crate::task::JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// A handle to this runtime, usable from any thread.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// let out = std::thread::spawn(move || handle.block_on(async { 3 })).join().unwrap();
    /// assert_eq!(out, 3);
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard drops, so `spawn` works
    /// from plain synchronous code.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let task = runtime::spawn(async { 1 });
    /// assert_eq!(rt.block_on(task).unwrap(), 1);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Counters describing the runtime's current state.
    ///
    /// ```
    /// let rt = runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.metrics().num_workers(), 2);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `timeout` for workers and blocking tasks to finish.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)));
    /// rt.shutdown_timeout(Duration::from_millis(10)); // returns without waiting 200 ms
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown_now(Some(timeout));
        // The shutdown is done (or abandoned after `timeout`): `Drop` must not wait again.
        self.shut_down = true;
    }

    /// Shuts down without waiting for anything (blocking tasks keep running detached).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// rt.spawn(std::future::pending::<()>());
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    fn shutdown_now(&mut self, timeout: Option<Duration>) {
        self.handle.inner.shutdown();
        // Inside a runtime (a task dropping a runtime) we must not block: do not wait.
        let timeout = if engine::is_in_runtime() {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        self.blocking_pool.shutdown(timeout);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if !self.shut_down {
            self.shutdown_now(None);
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.flavor)
            .finish_non_exhaustive()
    }
}
