//! The loop each pool thread runs: drain the queue, wait for work, exit on keep-alive or
//! shutdown (rules B1-B6 in the module doc).

use std::time::Instant;

use super::shared::{Shared, pool_key, run_guarded, set_current};
use crate::loom::sync::Arc;
use crate::loom::thread::JoinHandle;

/// Body of pool thread `id`.
pub(super) fn run(shared: Arc<Shared>, id: usize) {
    // Declared first so it is dropped last, after the stop hook and the join (B5).
    let _live = LiveGuard { shared: &shared };
    set_current(pool_key(&shared), id);
    if let Some(hook) = &shared.config.on_thread_start {
        run_guarded(|| hook());
    }
    let to_join = serve(&shared, id);
    if let Some(hook) = &shared.config.on_thread_stop {
        run_guarded(|| hook());
    }
    if let Some(previous) = to_join {
        // The previous keep-alive exiter; it has finished or is finishing its exit sequence.
        let _ = previous.join();
    }
}

/// Runs jobs until the thread should exit; returns the handle this thread must join, if any.
fn serve(shared: &Shared, id: usize) -> Option<JoinHandle<()>> {
    let mut state = shared.state.lock();
    loop {
        // Busy: run every queued job before going idle (B3).
        while let Some(entry) = state.queue.pop_front() {
            let dedicated = entry.dedicated;
            state.num_dedicated += usize::from(dedicated);
            drop(state);
            // B6: user code runs unlocked and cannot unwind through the accounting.
            run_guarded(entry.job);
            state = shared.state.lock();
            state.num_dedicated -= usize::from(dedicated);
        }
        if state.shutdown {
            // B4: the queue is empty and stays empty; nothing more to run.
            state.num_threads -= 1;
            return None;
        }

        // Idle: wait for a claimed wake-up, shutdown, or the keep-alive deadline (B2).
        state.num_idle += 1;
        // An overflowing keep-alive means "never time out".
        let deadline = Instant::now().checked_add(shared.config.keep_alive);
        loop {
            let timed_out = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    shared.work.wait_timeout(&mut state, left)
                }
                None => {
                    shared.work.wait(&mut state);
                    false
                }
            };
            if state.num_notify > 0 {
                // The submitter already took us out of `num_idle`.
                state.num_notify -= 1;
                break;
            }
            if state.shutdown {
                state.num_idle -= 1;
                break;
            }
            if timed_out {
                state.num_idle -= 1;
                debug_assert!(
                    state.queue.is_empty(),
                    "B3: an idle thread saw a queued job"
                );
                state.num_threads -= 1;
                // B5: leave our handle for the next exiter (or shutdown) and take the previous.
                let own = state.threads.remove(&id);
                return std::mem::replace(&mut state.last_exiting, own);
            }
            // Spurious wake-up: wait again for the rest of the keep-alive.
        }
    }
}

/// Marks the end of a thread's exit sequence, even if it unwinds (B5).
struct LiveGuard<'a> {
    shared: &'a Shared,
}

impl Drop for LiveGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.num_live -= 1;
        drop(state);
        self.shared.exited.notify_all();
    }
}
