//! Submitting jobs: the handle every runtime `Handle` keeps to the pool.

use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::config::{Job, Mandatory, SpawnError};
use super::shared::{Entry, Shared, State};
use super::worker;
use crate::loom::sync::Arc;
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
    /// Queues `job` to run on a pool thread: wakes an idle thread if there is one, else starts a
    /// thread if below the cap, else leaves it for the next thread that finishes its job.
    ///
    /// Fails with [`SpawnError::ShuttingDown`] (job handed back) once shutdown has begun, and
    /// with [`SpawnError::NoThreads`] (job dropped unrun) if starting a thread failed and no
    /// thread exists that would ever run it (B3).
    pub(crate) fn spawn(&self, job: Job, mandatory: Mandatory) -> Result<(), SpawnError> {
        self.submit(Entry {
            job,
            mandatory,
            dedicated: false,
        })
    }

    /// Like [`Spawner::spawn`] for a job that runs until shutdown (a scheduler worker loop).
    /// Its thread no longer counts as one that will drain the queue, so a later job never
    /// waits on it (B3); it is mandatory (it must run to hand its core back at shutdown).
    pub(crate) fn spawn_dedicated(&self, job: Job) -> Result<(), SpawnError> {
        self.submit(Entry {
            job,
            mandatory: Mandatory::Yes,
            dedicated: true,
        })
    }

    fn submit(&self, entry: Entry) -> Result<(), SpawnError> {
        let shared = &self.shared;
        let mut state = shared.state.lock();
        if state.shutdown {
            return Err(SpawnError::ShuttingDown(entry.job));
        }
        state.queue.push_back(entry);

        if state.num_idle > 0 {
            // B2: claim one waiting thread; the counter makes its wake-up a real one.
            state.num_idle -= 1;
            state.num_notify += 1;
            shared.work.notify_one();
            return Ok(());
        }
        if state.num_threads >= shared.max_threads() {
            // B3 (c): every thread is busy and will drain the queue when its job returns.
            return Ok(());
        }

        match start_thread(shared, &mut state) {
            Ok(()) => Ok(()),
            // B3 (c): a thread that is not dedicated will come back for it.
            Err(_) if state.num_threads > state.num_dedicated => Ok(()),
            Err(err) => {
                // Nobody will run the job: take it back. We pushed it last and have held the
                // lock since, so it is at the back.
                let entry = state.queue.pop_back();
                drop(state);
                // B6: the job's destructor is user code; run it outside the lock.
                drop(entry);
                Err(SpawnError::NoThreads(err))
            }
        }
    }

    /// Threads currently counted by the pool (busy or idle, not yet exiting).
    pub(crate) fn num_threads(&self) -> usize {
        self.shared.state.lock().num_threads
    }

    /// Threads waiting for work and not yet claimed by a submitter.
    pub(crate) fn num_idle_threads(&self) -> usize {
        self.shared.state.lock().num_idle
    }

    /// Jobs waiting in the queue for a thread.
    pub(crate) fn queue_depth(&self) -> usize {
        self.shared.state.lock().queue.len()
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("Spawner")
            .field("num_threads", &state.num_threads)
            .field("num_idle", &state.num_idle)
            .field("queue_depth", &state.queue.len())
            .field("shutdown", &state.shutdown)
            .finish()
    }
}

/// Starts one pool thread and records it (B1, B5). Called with the lock held, so the new thread
/// cannot look at the state before its handle is stored.
fn start_thread(shared: &Arc<Shared>, state: &mut State) -> io::Result<()> {
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
    let for_thread = Arc::clone(shared);
    let handle: JoinHandle<()> =
        builder
            .spawn(move || worker::run(for_thread, id))
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!("failed to start a blocking-pool thread: {err}"),
                )
            })?;
    state.next_id += 1;
    state.num_threads += 1;
    state.num_live += 1;
    state.threads.insert(id, handle);
    Ok(())
}
