//! Loom-only handles on internal state machines, for the models in `loom-tests/`.
//!
//! Compiled only under `--cfg loom` and hidden from the docs: this is not public API. Each type
//! is a thin wrapper that forwards to the real internal item without changing its behaviour, so
//! a model drives exactly the code the runtime runs, and only what a model in `loom-tests/`
//! calls is forwarded. The engine's mirrors live inside the engine
//! (`engine/loom_mirror.rs`, behind its door); this file adds the blocking pool and the spin
//! lock and re-exports them.
//!
//! Exposed: the task state word ([`TaskState`]), the idle-worker coordinator ([`Idle`]), the
//! blocking pool ([`BlockingPool`], [`Spawner`]), the driver's sharded timer state
//! ([`TimerShards`]) and the owned-task list's shard lock ([`SpinLockedPair`]).

use crate::blocking::{self, Mandatory, PoolConfig, SpawnError};
pub use crate::engine::loom_mirror::{
    Idle, LifoSlot, Snapshot, TaskState, TimerShards, ToComplete, ToIdle, ToNotified, ToRunning,
};
use std::fmt;
use std::time::Duration;

/// A job for the blocking pool.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why the pool refused a job (mirror of `blocking::SpawnError`).
pub enum SpawnRefused {
    /// Shutting down; the job is handed back unrun.
    ShuttingDown(Job),
    /// No thread could run it; the job was dropped.
    NoThreads(std::io::Error),
}

impl fmt::Debug for SpawnRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnRefused::ShuttingDown(_) => f.write_str("ShuttingDown(..)"),
            SpawnRefused::NoThreads(err) => f.debug_tuple("NoThreads").field(err).finish(),
        }
    }
}

/// The blocking pool (`blocking/`), forwarded unchanged.
#[derive(Debug)]
pub struct BlockingPool(blocking::BlockingPool);

impl BlockingPool {
    /// A pool of at most `max_threads` threads that exit after `keep_alive` idle.
    pub fn new(max_threads: usize, keep_alive: Duration) -> BlockingPool {
        BlockingPool(blocking::BlockingPool::new(PoolConfig {
            max_threads,
            keep_alive,
            ..PoolConfig::default()
        }))
    }
    /// A handle that submits jobs.
    pub fn spawner(&self) -> Spawner {
        Spawner(self.0.spawner().clone())
    }
    /// Shuts down and waits for every thread (no timeout); returns `true` when all exited.
    pub fn shutdown(&mut self) -> bool {
        self.0.shutdown(None)
    }
}

/// Submits jobs to a [`BlockingPool`].
#[derive(Debug, Clone)]
pub struct Spawner(blocking::Spawner);

impl Spawner {
    /// Queues `job`; `mandatory` jobs still run if shutdown starts after they were accepted.
    pub fn spawn(&self, job: Job, mandatory: bool) -> Result<(), SpawnRefused> {
        let mandatory = if mandatory {
            Mandatory::Yes
        } else {
            Mandatory::No
        };
        self.0.spawn(job, mandatory).map_err(|err| match err {
            SpawnError::ShuttingDown(job) => SpawnRefused::ShuttingDown(job),
            SpawnError::NoThreads(err) => SpawnRefused::NoThreads(err),
        })
    }
    /// Runs `job`, which the pool treats as a long-running worker loop, on a thread of its own.
    pub fn spawn_dedicated(&self, job: Job) -> Result<(), SpawnRefused> {
        self.0.spawn_dedicated(job).map_err(|err| match err {
            SpawnError::ShuttingDown(job) => SpawnRefused::ShuttingDown(job),
            SpawnError::NoThreads(err) => SpawnRefused::NoThreads(err),
        })
    }
    /// Threads the pool counts (busy or idle, not exiting).
    pub fn num_threads(&self) -> usize {
        self.0.num_threads()
    }
}

/// The owned-task list's shard lock (`util::spin_lock::SpinLock`) around a counter pair.
pub struct SpinLockedPair(crate::util::spin_lock::SpinLock<(usize, usize)>);

impl SpinLockedPair {
    /// Both counters zero, unlocked.
    pub fn new() -> SpinLockedPair {
        SpinLockedPair(crate::util::spin_lock::SpinLock::new((0, 0)))
    }

    /// Under the lock: bumps the first counter, then the second (a second holder in between
    /// would be a concurrent access loom reports).
    pub fn bump(&self) {
        self.0.with(|(first, second)| {
            *first += 1;
            *second += 1;
        });
    }

    /// Under the lock: both counters.
    pub fn get(&self) -> (usize, usize) {
        self.0.with(|pair| *pair)
    }
}

impl Default for SpinLockedPair {
    fn default() -> SpinLockedPair {
        SpinLockedPair::new()
    }
}

impl fmt::Debug for SpinLockedPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpinLockedPair").finish_non_exhaustive()
    }
}

/// The watchdog's heal (a stuck worker's LIFO slot to the injector, a parked peer woken to
/// steal and take the driver), applied to every worker of `handle`'s runtime at once; returns
/// how many workers it healed.
pub fn heal_every_worker(handle: &crate::Handle) -> usize {
    crate::engine::loom_mirror::heal_every_worker(&handle.inner)
}
