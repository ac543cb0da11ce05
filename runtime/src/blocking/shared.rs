//! The state shared by the pool, its spawners and its threads (rules B1-B7 in the module doc).

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::config::{Job, Mandatory, PoolConfig};
use super::control::{Control, MAX_THREADS};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::thread::JoinHandle;
use crate::loom::{Injector, Steal};

/// Everything behind the pool's `Arc`.
pub(super) struct Shared {
    /// Jobs not yet taken by a thread, oldest first; pushed and popped without the lock (B1).
    pub(super) queue: Injector<Entry>,
    /// The lock-free counters and flags (B2-B5); see `control.rs`.
    pub(super) control: Control,
    /// The thread bookkeeping; see the module doc for who changes what.
    pub(super) state: Mutex<State>,
    /// Wakes sleeping threads: one per unit of `num_notify`, all of them at shutdown (B3).
    pub(super) work: Condvar,
    /// Wakes a shutdown waiting for `num_live` to drop (B7).
    pub(super) exited: Condvar,
    /// Fixed at construction.
    pub(super) config: PoolConfig,
}

/// The part of [`Shared`] only touched with the lock held.
pub(super) struct State {
    /// Threads started and not yet exited (B4).
    pub(super) num_threads: usize,
    /// Wake-ups handed to sleeping threads and not yet taken by one (B3).
    pub(super) num_notify: usize,
    /// Threads running a dedicated job (a scheduler worker loop), which only returns at
    /// shutdown (B6).
    pub(super) num_dedicated: usize,
    /// Dedicated jobs handed to a woken sleeper, taken before the queue (B6).
    pub(super) handoff: VecDeque<Entry>,
    /// Threads that have not finished their exit sequence (B7).
    pub(super) num_live: usize,
    /// Id given to the next thread, the key in `threads`.
    pub(super) next_id: usize,
    /// Handles of started threads that have not moved themselves to `last_exiting` (B7).
    pub(super) threads: HashMap<usize, JoinHandle<()>>,
    /// Handle of the thread that most recently exited on keep-alive (B7).
    pub(super) last_exiting: Option<JoinHandle<()>>,
}

/// A queued job with its shutdown class.
pub(super) struct Entry {
    pub(super) job: Job,
    pub(super) mandatory: Mandatory,
}

impl Shared {
    pub(super) fn new(config: PoolConfig) -> Shared {
        Shared {
            queue: Injector::new(),
            control: Control::new(),
            state: Mutex::new(State {
                num_threads: 0,
                num_notify: 0,
                num_dedicated: 0,
                handoff: VecDeque::new(),
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

    /// The cap on threads: a zero setting still allows one thread (so jobs can run), and no
    /// pool runs more than [`MAX_THREADS`].
    pub(super) fn max_threads(&self) -> usize {
        self.config.max_threads.clamp(1, MAX_THREADS)
    }

    /// Takes the oldest queued job, if any.
    pub(super) fn pop(&self) -> Option<Entry> {
        loop {
            match self.queue.steal() {
                Steal::Success(entry) => return Some(entry),
                Steal::Empty => return None,
                Steal::Retry => crate::loom::hint::spin_loop(),
            }
        }
    }

    /// Whether shutdown has begun. The word's flag is set only with the lock held, so a reader
    /// holding the lock sees it exactly (B5).
    pub(super) fn is_shutdown(&self) -> bool {
        self.control.load().is_shutdown()
    }

    /// Records a change of `num_threads` in the word's cap flag (B4; lock held).
    pub(super) fn sync_at_cap(&self, state: &State) {
        self.control
            .set_at_cap(state.num_threads >= self.max_threads());
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
    let _ = CURRENT.try_with(|c| c.set(Some((pool, id))));
}

/// The id of the calling thread in the pool with key `pool`, if it is one of its threads.
pub(super) fn current_id_in(pool: usize) -> Option<usize> {
    // During thread-local destruction (a runtime dropped by a thread-local's destructor) the
    // mark is gone; a pool thread's mark is only destroyed after its last job, so `None` then.
    match CURRENT.try_with(Cell::get).ok().flatten() {
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
