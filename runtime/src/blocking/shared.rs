//! The state shared by the pool, its spawners and its threads (rules B1-B6 in the module doc).

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::config::{Job, Mandatory, PoolConfig};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::thread::JoinHandle;

/// Everything behind the pool's `Arc`.
pub(super) struct Shared {
    /// The queue and counters; see the module doc for who changes what.
    pub(super) state: Mutex<State>,
    /// Wakes idle threads: one per unit of `num_notify`, all of them at shutdown (B2).
    pub(super) work: Condvar,
    /// Wakes a shutdown waiting for `num_live` to drop (B5).
    pub(super) exited: Condvar,
    /// Fixed at construction.
    pub(super) config: PoolConfig,
}

/// The mutable part of [`Shared`], only touched with the lock held.
pub(super) struct State {
    /// Jobs not yet taken by a thread, oldest first.
    pub(super) queue: VecDeque<Entry>,
    /// Set once by `BlockingPool::shutdown` (B4).
    pub(super) shutdown: bool,
    /// Threads that will drain the queue again before exiting (B1).
    pub(super) num_threads: usize,
    /// Waiting threads not yet claimed by a submitter (B2).
    pub(super) num_idle: usize,
    /// Claimed wake-ups not yet taken by a waiting thread (B2).
    pub(super) num_notify: usize,
    /// Threads running a dedicated job (a scheduler worker loop): busy until shutdown, so they
    /// do not count as threads that will come back to drain the queue (B3).
    pub(super) num_dedicated: usize,
    /// Threads that have not finished their exit sequence (B5).
    pub(super) num_live: usize,
    /// Id given to the next thread, the key in `threads`.
    pub(super) next_id: usize,
    /// Handles of started threads that have not moved themselves to `last_exiting` (B5).
    pub(super) threads: HashMap<usize, JoinHandle<()>>,
    /// Handle of the thread that most recently exited on keep-alive (B5).
    pub(super) last_exiting: Option<JoinHandle<()>>,
}

/// A queued job with its shutdown class.
pub(super) struct Entry {
    pub(super) job: Job,
    pub(super) mandatory: Mandatory,
    /// A long-running job (a worker loop); see `State::num_dedicated`.
    pub(super) dedicated: bool,
}

impl Shared {
    pub(super) fn new(config: PoolConfig) -> Shared {
        Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                shutdown: false,
                num_threads: 0,
                num_idle: 0,
                num_notify: 0,
                num_dedicated: 0,
                num_live: 0,
                next_id: 0,
                threads: HashMap::new(),
                last_exiting: None,
            }),
            work: Condvar::new(),
            exited: Condvar::new(),
            config,
        }
    }

    /// The cap on threads (a zero setting still allows one thread, so jobs can run).
    pub(super) fn max_threads(&self) -> usize {
        self.config.max_threads.max(1)
    }
}

/// Identifies a pool by the address of its `Shared`, which stays allocated while any of its
/// threads runs (each holds the `Arc`).
pub(super) fn pool_key(shared: &Arc<Shared>) -> usize {
    Arc::as_ptr(shared).addr()
}

crate::loom::rt_thread_local! {
    /// On a pool thread: its pool's key and its thread id; lets shutdown called from a job skip
    /// waiting for (and joining) its own thread.
    static CURRENT: Cell<Option<(usize, usize)>> = Cell::new(None);
}

/// Marks the calling thread as thread `id` of the pool with key `pool`.
pub(super) fn set_current(pool: usize, id: usize) {
    CURRENT.with(|c| c.set(Some((pool, id))));
}

/// The id of the calling thread in the pool with key `pool`, if it is one of its threads.
pub(super) fn current_id_in(pool: usize) -> Option<usize> {
    match CURRENT.with(Cell::get) {
        Some((key, id)) if key == pool => Some(id),
        _ => None,
    }
}

/// Runs user code (a job, a hook, a destructor), swallowing a panic so the pool's accounting
/// survives. The panic hook has already reported it; the payload is dropped guarded too.
pub(super) fn run_guarded(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }
}
