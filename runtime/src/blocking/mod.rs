//! The blocking thread pool: the threads `spawn_blocking` jobs and the scheduler's workers
//! run on.
//!
//! This module owns only the engine — a queue of boxed jobs and the threads that drain it. The
//! task wrapping, `JoinHandle` and `block_in_place` live with the scheduler and sit on top of
//! [`Spawner::spawn`].
//!
//! # Design
//!
//! Jobs wait in a lock-free FIFO ([`Injector`](crate::loom::Injector)); the counters a submitter
//! needs live in one atomic control word (`control.rs`); a `Mutex<State>` keeps the thread
//! bookkeeping, with a condition variable (`work`) for sleeping threads and another (`exited`)
//! for a shutdown waiting on threads to leave.
//!
//! A thread that finishes a job does not sleep at once: it *searches* for a short spin
//! (crossbeam's `Backoff`), counted in the word's `searching` field. A submitter pushes its job
//! and then, in one RMW of the word, claims a searching thread if there is one. That is the
//! path under load, and it takes no lock. Only when no thread is searching does the submitter
//! lock, to wake a sleeping thread (counted in `idle`) or start a new one; at the thread cap,
//! with nobody asleep, it leaves the job for the busy threads, again without the lock. So
//! submitters contend on the lock only while threads are asleep or being started: when the pool
//! is idle, not when it is loaded.
//!
//! ## History
//!
//! The first version was Tokio's blocking-pool protocol: one `Mutex` around the
//! queue and counters, taken by every submitter and every thread for every job. Tokio's
//! 16-shard variant of it (tokio#7757) cut spawn latency at 16 threads but hung (tokio#8056)
//! over whether an idle thread could be woken or one had to be started; the rules below make
//! that decision with one RMW of one word, and the loom models in `loom-tests/tests/blocking.rs`
//! check it (submit racing a thread's search, its sleep, its keep-alive exit, and shutdown).
//!
//! # State and invariants
//!
//! `State` fields are read and written only with `Shared::state` locked; the word's fields are
//! listed in `control.rs` with who may change them. Every change of the word is an RMW, so of
//! two RMWs the later one (in the word's modification order) sees all the other thread did
//! before its own.
//!
//! - **B1 (queue).** Jobs are pushed and popped without the lock. A thread pops only while
//!   free (not running a job); it runs what it pops unlocked.
//! - **B2 (searching and claims).** `searching + claims` counts threads searching. A submitter
//!   pushes, then claims (`searching - 1, claims + 1`) in the RMW that ends its push. A
//!   searching thread leaves the count by taking up a claim if one is outstanding, else its
//!   own unit, and pops right after. So every claim is followed by a pop that comes after the
//!   claimant's push: the job is popped by that thread or was by another. A thread started or
//!   woken for a job pops once *before* it first searches: were it claimable before that look,
//!   one pop would have to answer for two jobs (loom found exactly that). So no pop ever covers
//!   two submitters, a claim never consumes a thread already running a job, and below the cap
//!   a job never waits behind a busy thread.
//! - **B3 (sleeping).** A thread goes to sleep with the lock held, moving from `searching` to
//!   `idle` in one RMW (so no submitter sees it neither searching nor asleep and starts a
//!   thread for nothing; if a claim is outstanding it takes that up and pops instead), then one
//!   more pop. A submitter whose RMW came earlier is seen by that pop; one whose RMW came later
//!   sees `idle > 0`, locks, and moves one unit from `idle` to `num_notify` before signalling
//!   `work`. A sleeper leaves the wait only by taking a unit of `num_notify` (then it searches),
//!   or when `num_notify` is zero by seeing shutdown or its keep-alive end, removing itself from
//!   `idle`; any other wake-up is spurious. `idle` changes only with the lock held.
//! - **B4 (threads and the cap).** `num_threads` counts started threads not yet exited; the
//!   word's `at_cap` flag mirrors `num_threads >= max_threads` and changes in the same lock hold.
//!   A submitter that finds nobody searching or asleep starts a thread below the cap (unless
//!   the queue is already empty again: a searcher popped its job before it could claim one). At the cap
//!   it leaves the job queued: each busy thread, when its job returns, searches (an RMW after
//!   the submitter's, so it sees the job) and pops until the queue is empty. A thread leaving on
//!   keep-alive removes itself from `idle` and updates `at_cap` in one RMW, so no submitter sees
//!   it neither asleep nor gone. If starting a thread fails and every thread runs a dedicated
//!   job, nobody would ever pop: the submitter drops every queued job (their handles report it)
//!   and returns [`SpawnError::NoThreads`].
//! - **B5 (shutdown).** The word's `shutdown` flag goes from false to true once,
//!   with the lock held. Submitters announce a push in the word's `pushers` count before it and
//!   withdraw in the RMW after it, and cannot announce once the flag is set; shutdown, in the
//!   same lock hold, waits for `pushers` to reach zero (a counted submitter never waits for the
//!   lock), then drains the queue, drops the [`Mandatory::No`] jobs and pushes back the rest. A
//!   thread exits at shutdown only from its sleep path, with the lock held, after a pop finds
//!   the queue empty, which it then stays.
//! - **B6 (dedicated jobs).** A dedicated job (a scheduler worker loop, which returns only at
//!   shutdown) never waits in the queue: under the lock it is handed to a woken sleeper
//!   (through `handoff`) or to a new thread, even at the cap, and `num_dedicated` counts it
//!   from that moment until it returns.
//! - **B7 (handles).** Each started thread's `JoinHandle` is in `threads`, in `last_exiting`, or
//!   owned by the one thread that will join it: a thread that exits on keep-alive moves its own
//!   handle to `last_exiting` and joins the handle it displaced. `num_live` counts threads that
//!   have not finished their exit sequence (stop hook, that join); shutdown waits for it to reach
//!   zero (one, on a pool thread) and then joins every stored handle.
//! - **B8 (no user code under the lock).** Jobs, their destructors and the start/stop hooks run
//!   with the lock released, each inside `catch_unwind` so a panic cannot break B1-B7. The one
//!   exception is the `thread_name` callback, called while starting a thread; it must not call
//!   back into the pool.

mod config;
mod control;
mod pool;
mod shared;
mod spawner;
mod worker;

#[cfg(all(test, not(loom)))]
mod tests;

pub(crate) use config::{
    DEFAULT_KEEP_ALIVE, DEFAULT_MAX_THREADS, Job, Mandatory, PoolConfig, SpawnError,
};
pub(crate) use pool::BlockingPool;
pub(crate) use spawner::Spawner;
