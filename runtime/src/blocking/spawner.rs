//! Submitting jobs: the handle every runtime `Handle` keeps to the pool.

use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::config::{Job, Mandatory, SpawnError};
use super::control::Pushed;
use super::shared::{Entry, Shared, State, run_guarded};
use super::worker;
use crate::loom::sync::{Arc, MutexGuard};
use crate::loom::thread::{self, JoinHandle};

/// A cheap, cloneable handle that submits jobs to a [`BlockingPool`](super::BlockingPool).
///
/// It does not keep threads alive: once the pool shuts down every `spawn` returns
/// [`SpawnError::ShuttingDown`].
#[derive(Clone)]
pub(crate) struct Spawner {
    pub(super) shared: Arc<Shared>,
}

impl Spawner {
    /// Queues `job` to run on a pool thread: claims a searching thread or wakes a sleeping one
    /// if there is one, else starts a thread if below the cap, else leaves it for the next
    /// thread that finishes its job.
    ///
    /// Fails with [`SpawnError::ShuttingDown`] (job handed back) once shutdown has begun, and
    /// with [`SpawnError::NoThreads`] if starting a thread failed and no thread exists that
    /// would ever run it; every job then stranded in the queue, this one included, is dropped
    /// unrun (B4).
    pub(crate) fn spawn(&self, job: Job, mandatory: Mandatory) -> Result<(), SpawnError> {
        let shared = &self.shared;
        let entry = Entry { job, mandatory };
        match shared.control.begin_push() {
            Ok(()) => {}
            Err(true) => return Err(SpawnError::ShuttingDown(entry.job)),
            // The pusher count is full: push under the lock instead (B5).
            Err(false) => return self.spawn_locked(entry),
        }
        shared.queue.push(entry);
        match shared.control.end_push(true) {
            // B2 / B4: a thread will look at the queue after this point.
            Pushed::Claimed | Pushed::LeftForBusy => Ok(()),
            Pushed::NeedsLock => find_thread(shared, shared.state.lock()),
        }
    }

    /// The whole submission under the lock, for when the pusher count is full.
    fn spawn_locked(&self, entry: Entry) -> Result<(), SpawnError> {
        let shared = &self.shared;
        let state = shared.state.lock();
        if shared.is_shutdown() {
            return Err(SpawnError::ShuttingDown(entry.job));
        }
        // B5: shutdown drains the queue with the lock held, so this push lands before it.
        shared.queue.push(entry);
        match shared.control.end_push(false) {
            Pushed::Claimed | Pushed::LeftForBusy => Ok(()),
            Pushed::NeedsLock => find_thread(shared, state),
        }
    }

    /// Runs `job`, which runs until shutdown (a scheduler worker loop), on a thread of its
    /// own: a sleeping thread handed the job, or a new thread, even at the cap (B6). The thread
    /// no longer counts as one that will come back for the queue until the job returns. The
    /// job is mandatory: it must run to hand its core back at shutdown.
    pub(crate) fn spawn_dedicated(&self, job: Job) -> Result<(), SpawnError> {
        let shared = &self.shared;
        let mut state = shared.state.lock();
        if shared.is_shutdown() {
            return Err(SpawnError::ShuttingDown(job));
        }
        let entry = Entry {
            job,
            mandatory: Mandatory::Yes,
        };
        if shared.control.take_idle() {
            state.handoff.push_back(entry);
            state.num_dedicated += 1;
            state.num_notify += 1;
            shared.work.notify_one();
            return Ok(());
        }
        start_thread(shared, &mut state, Some(entry)).map_err(SpawnError::NoThreads)
    }

    /// Threads currently counted by the pool (busy or idle, not yet exiting).
    pub(crate) fn num_threads(&self) -> usize {
        self.shared.state.lock().num_threads
    }

    /// Threads waiting for work (searching or asleep) and not yet claimed by a submitter.
    pub(crate) fn num_idle_threads(&self) -> usize {
        let word = self.shared.control.load();
        (word.idle() + word.searching()) as usize
    }

    /// Threads asleep on the condition variable and not yet woken (tests wait on it).
    #[cfg(test)]
    pub(crate) fn num_sleeping_threads(&self) -> usize {
        self.shared.control.load().idle() as usize
    }

    /// Jobs waiting in the queue for a thread.
    pub(crate) fn queue_depth(&self) -> usize {
        self.shared.queue.len()
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("Spawner")
            .field("num_threads", &state.num_threads)
            .field("num_idle", &self.num_idle_threads())
            .field("queue_depth", &self.queue_depth())
            .field("shutdown", &self.shared.is_shutdown())
            .finish()
    }
}

/// Makes sure a thread will look at the queue after a job was pushed, when the lock-free
/// check could not (B3, B4). Called with the lock held and the job queued.
fn find_thread(shared: &Arc<Shared>, mut state: MutexGuard<'_, State>) -> Result<(), SpawnError> {
    if shared.is_shutdown() {
        // B5: the push landed before shutdown drained the queue, which dealt with the job.
        return Ok(());
    }
    if shared.queue.is_empty() {
        // A searching thread popped the job before this submitter could claim it (the queue
        // is FIFO and the push came first): nobody else needs waking or starting for it.
        return Ok(());
    }
    if shared.control.claim_searching() {
        // B2: a thread started searching since the push.
        return Ok(());
    }
    if shared.control.take_idle() {
        // B3: wake one sleeper; the counter makes its wake-up a real one.
        state.num_notify += 1;
        shared.work.notify_one();
        return Ok(());
    }
    if state.num_threads >= shared.max_threads() {
        // B4: at the cap every thread is busy and drains the queue when its job returns.
        return Ok(());
    }
    match start_thread(shared, &mut state, None) {
        Ok(()) => Ok(()),
        // B4: a thread that is not running a dedicated job will come back for the queue.
        Err(_) if state.num_threads > state.num_dedicated => Ok(()),
        Err(err) => {
            // Nobody will ever pop the queue: every job in it is stranded. Drop them all (their
            // handles report the failure) rather than leave them to hang.
            let stranded: Vec<Entry> = std::iter::from_fn(|| shared.pop()).collect();
            drop(state);
            // B8: job destructors are user code; run them unlocked.
            for entry in stranded {
                run_guarded(move || drop(entry));
            }
            Err(SpawnError::NoThreads(err))
        }
    }
}

/// Starts one pool thread and records it (B4, B7), running `first` on it before anything
/// else if given (a dedicated job, B6). Called with the lock held, so the new thread cannot
/// look at the state before its handle is stored.
pub(super) fn start_thread(
    shared: &Arc<Shared>,
    state: &mut State,
    first: Option<Entry>,
) -> io::Result<()> {
    let config = &shared.config;
    let name = catch_unwind(AssertUnwindSafe(|| (config.thread_name)())).map_err(|_| {
        io::Error::other(
            "failed to start a blocking-pool thread: the thread_name callback panicked",
        )
    })?;
    let mut builder = thread::Builder::new().name(name);
    if let Some(size) = config.stack_size {
        builder = builder.stack_size(size);
    }
    let id = state.next_id;
    let dedicated = first.is_some();
    let for_thread = Arc::clone(shared);
    let handle: JoinHandle<()> = builder
        .spawn(move || worker::run(for_thread, id, first))
        .map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("failed to start a blocking-pool thread: {err}"),
            )
        })?;
    state.next_id += 1;
    state.num_threads += 1;
    state.num_dedicated += usize::from(dedicated);
    state.num_live += 1;
    state.threads.insert(id, handle);
    shared.sync_at_cap(state);
    Ok(())
}
