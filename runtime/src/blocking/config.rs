//! What the pool is given: jobs and their shutdown class, the configuration, and spawn errors.

use std::fmt;
use std::io;
// The hooks are immutable configuration shared by clones, not synchronization state, so they use
// `std`'s `Arc` (which supports `dyn` coercion) rather than the loom facade's.
use std::sync::Arc;
use std::time::Duration;

use crate::loom::if_loom;

/// A unit of work run once on a pool thread.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Whether a job must still run when the pool shuts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mandatory {
    /// Runs even if the pool shuts down before a thread picked it up (e.g. a file write whose
    /// caller was told it was accepted).
    Yes,
    /// Dropped unrun if the pool shuts down before a thread picked it up.
    No,
}

/// Default cap on pool threads; Tokio's `max_blocking_threads` default. Loom models stay at two
/// threads so the state space is explorable.
pub(crate) const DEFAULT_MAX_THREADS: usize = if_loom(512, 2);

/// Default idle time before a thread exits; Tokio's `thread_keep_alive` default (10 s). Time
/// does not pass under loom, so the value is irrelevant there.
pub(crate) const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// How the pool starts, names and retires its threads.
#[derive(Clone)]
pub(crate) struct PoolConfig {
    /// Most threads alive at once (the runtime adds its worker count to the user's setting).
    /// Zero is treated as one.
    pub(crate) max_threads: usize,
    /// An idle thread exits after waiting this long for work.
    pub(crate) keep_alive: Duration,
    /// Produces the name of each new thread. Called while the pool's lock is held: it must not
    /// call into the pool. A panic in it counts as a failure to start the thread.
    pub(crate) thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    /// Stack size of each thread; `None` uses `std`'s default.
    pub(crate) stack_size: Option<usize>,
    /// Run on each new thread before it takes any job. Panics are caught and ignored.
    pub(crate) on_thread_start: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Run on each thread as it exits (keep-alive or shutdown). Panics are caught and ignored.
    pub(crate) on_thread_stop: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_threads: DEFAULT_MAX_THREADS,
            keep_alive: DEFAULT_KEEP_ALIVE,
            thread_name: Arc::new(|| "runtime-blocking".to_owned()),
            stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
        }
    }
}

impl fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolConfig")
            .field("max_threads", &self.max_threads)
            .field("keep_alive", &self.keep_alive)
            .field("stack_size", &self.stack_size)
            .field("on_thread_start", &self.on_thread_start.is_some())
            .field("on_thread_stop", &self.on_thread_stop.is_some())
            .finish_non_exhaustive()
    }
}

/// Why [`Spawner::spawn`](super::Spawner::spawn) did not accept a job.
pub(crate) enum SpawnError {
    /// The pool is shutting down (or gone); the job is handed back unrun.
    ShuttingDown(Job),
    /// No thread exists and starting one failed; the job was dropped unrun.
    NoThreads(io::Error),
}

impl fmt::Debug for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::ShuttingDown(_) => f.write_str("ShuttingDown(..)"),
            SpawnError::NoThreads(err) => f.debug_tuple("NoThreads").field(err).finish(),
        }
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::ShuttingDown(_) => f.write_str("the blocking pool is shutting down"),
            SpawnError::NoThreads(err) => {
                write!(f, "no blocking-pool thread can run the job: {err}")
            }
        }
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpawnError::ShuttingDown(_) => None,
            SpawnError::NoThreads(err) => Some(err),
        }
    }
}
