//! The pool's owner side: construction and shutdown.

use std::fmt;
use std::time::{Duration, Instant};

use super::config::{Mandatory, PoolConfig};
use super::shared::{Entry, Shared, current_id_in, pool_key, run_guarded};
use super::spawner::{Spawner, start_thread};
use crate::loom::sync::Arc;

/// The blocking thread pool, owned by the `Runtime`. Threads start lazily on the first jobs.
pub(crate) struct BlockingPool {
    spawner: Spawner,
    /// Whether [`shutdown`](Self::shutdown) ran, so `Drop` does not wait again.
    shut_down: bool,
}

impl BlockingPool {
    /// Creates a pool with no threads yet.
    pub(crate) fn new(config: PoolConfig) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                shared: Arc::new(Shared::new(config)),
            },
            shut_down: false,
        }
    }

    /// The handle that submits jobs; clone it to keep one.
    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Shuts the pool down and waits for its threads.
    ///
    /// The first call stops accepting jobs, drops every queued [`Mandatory::No`] job unrun on
    /// the calling thread (destructor panics are caught), keeps queued [`Mandatory::Yes`] jobs for
    /// the threads to run, and wakes idle threads so they exit. Every call then waits up to
    /// `timeout` (`None`: forever) for all pool threads to finish, joins them, and returns `true`;
    /// it returns `false` if the timeout elapsed first. After `true`, no pool thread runs user
    /// code any more. After `false`, threads still busy finish their current job and then run the
    /// remaining mandatory jobs before exiting on their own; a later call may wait for them again.
    ///
    /// Called from a job on one of this pool's own threads, it does not wait for (or join) that
    /// thread, which runs any still-queued mandatory jobs after the calling job returns.
    pub(crate) fn shutdown(&mut self, timeout: Option<Duration>) -> bool {
        self.shut_down = true;
        let shared = &self.spawner.shared;
        // An overflowing timeout means "forever".
        let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));

        let mut state = shared.state.lock();
        let mut dropped = Vec::new();
        // B5: set the flag, wait out the submitters already pushing (they never take the lock
        // while counted), then take the non-mandatory jobs, all in one lock hold.
        if shared.control.set_shutdown() {
            while shared.control.load().pushers() > 0 {
                crate::loom::thread::yield_now();
            }
            let mut kept = Vec::new();
            while let Some(entry) = shared.pop() {
                match entry.mandatory {
                    Mandatory::Yes => kept.push(entry),
                    Mandatory::No => dropped.push(entry),
                }
            }
            let must_run = !kept.is_empty();
            for entry in kept {
                shared.queue.push(entry);
            }
            if must_run && state.num_threads == 0 {
                // A mandatory job pushed just before the flag, with no thread yet to run it.
                if start_thread(shared, &mut state, None).is_err() {
                    dropped.extend(std::iter::from_fn(|| shared.pop()));
                }
            }
            shared.work.notify_all();
        }
        drop(state);
        // B8: job destructors are user code; run them unlocked, one panic not stopping the rest.
        for entry in dropped {
            run_guarded(move || drop::<Entry>(entry));
        }

        let own_id = current_id_in(pool_key(shared));
        // The calling thread's own exit sequence cannot finish while we wait in it.
        let own_live = usize::from(own_id.is_some());
        let mut state = shared.state.lock();
        while state.num_live > own_live {
            match deadline {
                None => shared.exited.wait(&mut state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    shared.exited.wait_timeout(&mut state, deadline - now);
                }
            }
        }
        // B7: every other thread has finished its exit sequence; collect all stored handles.
        let mut handles: Vec<_> = state.threads.drain().collect();
        handles.extend(state.last_exiting.take().map(|handle| (usize::MAX, handle)));
        drop(state);
        for (id, handle) in handles {
            if Some(id) != own_id {
                let _ = handle.join();
            }
        }
        true
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        if !self.shut_down {
            self.shutdown(None);
        }
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool")
            .field("spawner", &self.spawner)
            .field("shut_down", &self.shut_down)
            .finish()
    }
}
