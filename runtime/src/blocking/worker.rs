//! The loop each pool thread runs: search the queue without the lock, sleep under it, exit on
//! keep-alive or shutdown (rules B1-B8 in the module doc).

use std::time::Instant;

use super::shared::{Entry, Shared, State, pool_key, run_guarded, set_current};
use crate::loom::sync::{Arc, MutexGuard};
use crate::loom::thread::JoinHandle;

/// Body of pool thread `id`, which runs `first` (a dedicated job, B6) before anything else.
pub(super) fn run(shared: Arc<Shared>, id: usize, first: Option<Entry>) {
    // Declared first so it is dropped last, after the stop hook and the join (B7).
    let _live = LiveGuard { shared: &shared };
    set_current(pool_key(&shared), id);
    if let Some(hook) = &shared.config.on_thread_start {
        run_guarded(|| hook());
    }
    // A thread started for a queued job owes that job a look before it can be claimed (B2).
    let owes_a_look = first.is_none();
    if let Some(entry) = first {
        run_dedicated(&shared, entry);
    }
    let to_join = serve(&shared, id, owes_a_look);
    if let Some(hook) = &shared.config.on_thread_stop {
        run_guarded(|| hook());
    }
    if let Some(previous) = to_join {
        // The previous keep-alive exiter; it has finished or is finishing its exit sequence.
        let _ = previous.join();
    }
}

/// Runs jobs until the thread should exit; returns the handle this thread must join, if any.
///
/// `owes_a_look`: the thread was started or woken for a job someone pushed, and pops once
/// before it searches. Searching first would let a second submitter claim it, and its one pop
/// would then have to cover two jobs (B2).
fn serve(shared: &Shared, id: usize, mut owes_a_look: bool) -> Option<JoinHandle<()>> {
    loop {
        let found = if std::mem::take(&mut owes_a_look) {
            shared.pop()
        } else {
            None
        };
        // Free: look for work without the lock (B2).
        if let Some(entry) = found.or_else(|| search(shared)) {
            // B8: user code runs unlocked and cannot unwind through the accounting.
            run_guarded(entry.job);
            continue;
        }
        // Nothing found (still counted as searching): sleep under the lock (B3).
        let mut state = shared.state.lock();
        match sleep(shared, &mut state, id) {
            Woken::Search => owes_a_look = true,
            Woken::Job(entry) => {
                drop(state);
                run_guarded(entry.job);
            }
            Woken::Dedicated(entry) => {
                drop(state);
                run_dedicated(shared, entry);
            }
            Woken::Exit(to_join) => return to_join,
        }
    }
}

/// Runs a dedicated job (B6), then counts the thread as one that comes back for the queue.
fn run_dedicated(shared: &Shared, entry: Entry) {
    run_guarded(entry.job);
    shared.state.lock().num_dedicated -= 1;
}

/// Searches the queue while counted in `searching` (B2): pops when a job is visible or a
/// submitter has claimed a searching thread, for a short spin. Every claim taken up is
/// followed by a pop, so a claimant's job is looked for. Returns `None` still counted in
/// `searching`: [`sleep`] moves the thread to `idle` under the lock in one RMW, so no submitter
/// sees it neither searching nor asleep (and starts a thread it does not need).
fn search(shared: &Shared) -> Option<Entry> {
    shared.control.add_searching();
    let mut spin = Spin::new();
    loop {
        if spin.is_done() {
            return None;
        }
        if shared.control.load().claims() > 0 || !shared.queue.is_empty() {
            shared.control.stop_searching();
            if let Some(entry) = shared.pop() {
                return Some(entry);
            }
            shared.control.add_searching();
        }
        spin.snooze();
    }
}

/// What ended a thread's sleep.
enum Woken {
    /// Woken by a submitter (or shutdown began): look at the queue again, first without
    /// searching (the look is owed to that submitter).
    Search,
    /// A job found after announcing the sleep.
    Job(Entry),
    /// A dedicated job handed to this thread (B6).
    Dedicated(Entry),
    /// Leave the pool, joining this handle first if given (B7).
    Exit(Option<JoinHandle<()>>),
}

/// Sleeps until a submitter claims this thread, shutdown, or the keep-alive ends (B3-B5).
/// Called with the thread still counted in `searching` (see [`search`]).
fn sleep(shared: &Shared, state: &mut MutexGuard<'_, State>, id: usize) -> Woken {
    // B3: announce the sleep, then look once more: a push whose RMW came before ours is seen
    // here, one whose RMW came after sees us in `idle` and wakes us.
    while !shared.control.searching_to_idle() {
        // B2: a submitter claimed us first; look for its job, then try to sleep again.
        if let Some(entry) = shared.pop() {
            return Woken::Job(entry);
        }
        shared.control.add_searching();
    }
    if let Some(entry) = shared.pop() {
        // With the lock held nobody can have claimed us: the unit taken back is ours.
        let ours = shared.control.take_idle();
        debug_assert!(ours, "B3: a sleeping thread was not counted");
        return Woken::Job(entry);
    }
    if shared.is_shutdown() {
        // B5: the queue is empty and, the drain having run, stays empty.
        let ours = shared.control.take_idle();
        debug_assert!(ours, "B3: a sleeping thread was not counted");
        state.num_threads -= 1;
        shared.sync_at_cap(state);
        return Woken::Exit(None);
    }

    // An overflowing keep-alive means "never time out".
    let deadline = Instant::now().checked_add(shared.config.keep_alive);
    loop {
        let timed_out = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                shared.work.wait_timeout(state, left)
            }
            None => {
                shared.work.wait(state);
                false
            }
        };
        if state.num_notify > 0 {
            // The submitter already took us out of `idle`.
            state.num_notify -= 1;
            return match state.handoff.pop_front() {
                Some(entry) => Woken::Dedicated(entry),
                None => Woken::Search,
            };
        }
        if shared.is_shutdown() {
            let ours = shared.control.take_idle();
            debug_assert!(ours, "B3: a sleeping thread was not counted");
            // Run what mandatory jobs are left, then exit from the check above.
            return Woken::Search;
        }
        if timed_out {
            // B3/B4: leave `idle` and drop the cap flag in one change, so no submitter can see
            // this thread neither sleeping nor gone.
            state.num_threads -= 1;
            let at_cap = state.num_threads >= shared.max_threads();
            shared.control.leave_idle_and_exit(at_cap);
            // B7: leave our handle for the next exiter (or shutdown) and take the previous.
            let own = state.threads.remove(&id);
            return Woken::Exit(std::mem::replace(&mut state.last_exiting, own));
        }
        // Spurious wake-up: wait again for the rest of the keep-alive.
    }
}

/// The short wait a free thread spends searching before it sleeps: crossbeam's backoff
/// (a few spins, then a few `yield_now`s). Under loom a single look, since the protocol does
/// not depend on how long the thread searches.
struct Spin {
    #[cfg(not(loom))]
    backoff: crossbeam_utils::Backoff,
    #[cfg(loom)]
    looked: bool,
}

impl Spin {
    fn new() -> Spin {
        Spin {
            #[cfg(not(loom))]
            backoff: crossbeam_utils::Backoff::new(),
            #[cfg(loom)]
            looked: false,
        }
    }

    fn is_done(&self) -> bool {
        #[cfg(not(loom))]
        return self.backoff.is_completed();
        #[cfg(loom)]
        return self.looked;
    }

    fn snooze(&mut self) {
        #[cfg(not(loom))]
        self.backoff.snooze();
        #[cfg(loom)]
        {
            self.looked = true;
        }
    }
}

/// Marks the end of a thread's exit sequence, even if it unwinds (B7).
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
