//! The engine: the schedulers, the drivers, the thread-local context and the task core, behind
//! one door.
//!
//! # Layout
//!
//! | module | what it holds |
//! |---|---|
//! | `scheduler/` | the scheduler handle ([`Handle`]), the multi-thread work-stealing flavor (`multi_thread/`: worker loop, idle coordination, parker), the current-thread flavor, and the local scheduler of `!Send` tasks (`local.rs`: [`LocalScheduler`], rule L1); `stats.rs` holds each worker's counters and their published copy, `histogram.rs` the poll-time histogram's buckets, `metrics.rs` is the metrics read-out |
//! | `driver/` | what a parked worker blocks in: the I/O park (`io.rs`, the `io_driver` reactor), the timer shards (`time.rs`, `time_shard.rs`), the timer entry a `Sleep` shares with them (`entry.rs`), the clock (`clock.rs`) and the auto-advance gate of a paused clock |
//! | `context.rs` | the thread-locals: which runtime is current, whether this thread is inside it, and the running scheduler's per-thread state |
//! | `task/` | the task core: the cell and its state word, the harness that polls it, its waker, the owned-task list, the current-poll thread-local, ids, `JoinError`, the coop budget, the join/abort references the public handles hold, and the `tracing` feature's task span and waker events (`trace.rs`) (the task protocol, rules R1-R5, J1-J6, C1-C3 and L1, is in `task/mod.rs`) |
//! | `blocking_task.rs` | a blocking closure as a task run once on the blocking pool |
//! | `config.rs` | the flavor and the settings the `Builder` fixes |
//!
//! # The door
//!
//! Every submodule is private. Code outside the engine (`runtime/` — `Runtime`, `Builder`,
//! `Handle`, `RuntimeMetrics` —, the public `task` face, `time`, `net`, `io`, `fs`, `signal`,
//! `sync`) names only the items of this file. `docs/scripts/imports.py --door engine` checks
//! it. The engine itself imports only the leaves below it: `loom`, `util`, `blocking` (the
//! pool it hands blocking work to), and the `io_driver` and `timer` crates.
//!
//! The contract, item by item:
//!
//! - **Building and running** — [`Handle::build`] makes a scheduler of a [`Flavor`] with its
//!   driver, not yet running; [`Handle::launch`] starts the workers (call once; on error the
//!   caller shuts down). [`Handle::block_on`] runs a future on the calling thread; the caller
//!   must have made the runtime current first ([`set_current`]). [`Handle::shutdown`] begins
//!   shutdown (refuses new tasks, cancels every task, stops workers and driver); it does not
//!   wait for the blocking pool, which the caller owns.
//! - **Spawning** — [`Handle::spawn`] allocates a task and queues it, returning its
//!   [`JoinRef`] and, if the runtime is shutting down, a [`Refused`] that the caller must drop
//!   *after* releasing any borrow of the thread-local context (dropping it cancels the task,
//!   which runs user destructors). [`Handle::spawn_blocking`] runs a closure once on the
//!   blocking pool as a task. A [`JoinRef`] is the task's one join-interested reference (only
//!   it reads the output); an [`AbortRef`] is a counted reference that can only cancel and
//!   observe. Neither exposes the raw task: every `unsafe` step is inside the engine.
//! - **Local tasks** (issue 20) — [`LocalScheduler`] is a `LocalSet`'s engine half: `spawn`
//!   (a `!Send` future, rule L1), `enter` (a [`LocalEnter`] guard: `spawn_local` finds it),
//!   `poll_with` (one turn of the set inside the caller's poll), `current`, `is_empty`; dropping
//!   it cancels its tasks on its thread. [`Handle::unhandled_panic`] applies a runtime's
//!   `UnhandledPanic` setting (a `LocalRuntime`'s local tasks follow it).
//! - **Current handle** — [`set_current`] (returns a [`SetCurrentGuard`]), [`with_current`],
//!   [`borrow_current`] (`unsafe`: a borrow the caller keeps in a local; no reference-count
//!   traffic and no closure; no user code may run under it), [`is_in_runtime`],
//!   [`exit_runtime`] (run blocking code marked as outside the runtime).
//! - **Hand-off** — [`hand_off_core`]: `block_in_place` on a multi-thread worker gives the
//!   worker's queue to a new thread before blocking. The worker index (which timer shard a
//!   sleep files into) stays inside: `context::shard_hint`.
//! - **Driver and timers** — [`current_driver`], [`current_now`] (the clock, with no handle
//!   clone), a [`DriverHandle`]'s `now`, `pause_clock`, `resume_clock`, `advance_clock`;
//!   [`Timer`] (what a `Sleep` holds: registration, reset and cancel in the timer shards);
//!   [`Handle::current_thread_driver`] (virtual time is per current-thread runtime);
//!   `current_reactor` (what sockets register with); [`add_saturating`] (clock arithmetic that
//!   never overflows); `current_ring` (feature `io-uring`: the runtime's io_uring, if the kernel
//!   accepted one; `fs` starts `RingOp`s on it (`IoRing::start`) from `RingRequest`s and reads
//!   their `RingCompletion`s).
//! - **Metrics** — the read-out methods on [`Handle`] (`num_workers`, `num_alive_tasks`,
//!   `global_queue_depth`, `worker_poll_count`, ...): live `Relaxed` loads, never a
//!   consistent snapshot across counters. [`HistogramConfiguration`] and [`LogHistogram`]
//!   (the poll-time histogram's buckets) are defined here and re-exported publicly by
//!   `runtime`.
//! - **Task identity and dumps** (issue 18) — every spawn passes a [`Meta`] (id, the
//!   caller's `Location`, an optional name) that the task header keeps (`Header::id`,
//!   `Header::name`, `Header::spawned_at` in `task/raw.rs`); [`name`] and [`try_name`] read it
//!   inside a task. [`Handle::dump`] lists every task ([`dump`], public as
//!   `runtime::dump`), tracing idle ones through the coop budget (`task/trace.rs`):
//!   [`trace_frame`] lets a runtime combinator record a frame, [`Located`] makes an `async
//!   fn` leaf report its caller, [`trace_is_active`] tells `join!`/`select!` to poll every
//!   branch. The coarse clock of the poll statistics is `scheduler/coarse_clock.rs`.
//! - **Simulation** (issue 19) — [`Flavor::Simulation`] builds the seeded scheduler
//!   (`scheduler/simulation/`, rules S1-S6); [`Handle::sim_trace`] reads a run's seed, trace
//!   hash, steps, virtual time and fault counts (`SimTrace`); [`sim_rand`] draws from the
//!   current simulation's user stream (`runtime::sim::rand`). The simulated network
//!   (`scheduler/simulation/net/`, rules N1-N6): [`sim_network`] is the current
//!   simulation's [`SimNetwork`] (what `runtime::net`'s sockets ask once, at creation);
//!   [`SimListener`], [`SimStream`] and [`SimUdp`] are the
//!   simulated sockets they then wrap; [`sim_current_host`] and [`sim_with_host`] read and
//!   set the host a spawn lands on; [`Link`] (public as `runtime::sim::Link`) is a link's
//!   latency, jitter, bandwidth and loss. Faults (rule S7):
//!   [`SimFaultPlan`] and [`SimChance`] (what `Builder::faults` stores), [`sim_io_faults_on`]
//!   (asked once per socket), [`sim_io_fault`] (a socket read or write's fault),
//!   [`sim_fs_fault`] (an `fs` operation's delay and error); [`FaultStats`] and
//!   [`InjectedFault`] are public as `runtime::sim`'s.
//! - **Tasks' public types** — [`Id`], [`JoinError`], [`id`], [`try_id`], [`coop`] and
//!   [`UnhandledPanic`] are defined here and re-exported publicly by `task` and the crate root;
//!   [`wake_current_by_ref`] is `yield_now`'s cheap self-wake.

mod blocking_task;
mod config;
mod context;
mod driver;
#[cfg(loom)]
pub(crate) mod loom_mirror;
mod scheduler;
mod task;

pub use config::UnhandledPanic;
pub(crate) use config::{Config, Flavor, SimConfig};
pub(crate) use context::{
    SetCurrentGuard, borrow_current, current_driver, current_now, exit_runtime, is_in_runtime,
    set_current, try_set_current, with_current,
};
pub(crate) use driver::DriverHandle;
pub(crate) use driver::clock::add_saturating;
pub(crate) use driver::entry::Timer;
pub(crate) use scheduler::Handle;
pub(crate) use scheduler::local::{LocalEnter, LocalScheduler};
#[cfg(not(loom))]
pub(crate) use scheduler::simulation::current_network as sim_network;
#[cfg(not(loom))]
pub(crate) use scheduler::simulation::current_rand as sim_rand;
#[cfg(not(loom))]
pub use scheduler::simulation::net::Link;
#[cfg(not(loom))]
pub(crate) use scheduler::simulation::net::{
    HostId as SimHostId, Network as SimNetwork, SimListener, SimStream, SimUdp,
    current_host as sim_current_host, with_host as sim_with_host,
};
#[cfg(not(loom))] // named by `runtime::sim`, not built under loom
pub(crate) use scheduler::simulation::{Chance as SimChance, FaultPlan as SimFaultPlan};
#[cfg(not(loom))] // `runtime::sim` names them; not built under loom
pub use scheduler::simulation::{FaultStats, InjectedFault};
#[cfg(not(loom))]
pub(crate) use scheduler::simulation::{
    IoFault as SimIoFault, fs_fault as sim_fs_fault, io_fault as sim_io_fault,
    io_faults_on as sim_io_faults_on,
};
pub use scheduler::watchdog::SlowPoll;
pub(crate) use scheduler::watchdog::{SlowPollHook, WatchdogConfig};
pub use scheduler::{
    HistogramConfiguration, InvalidHistogramConfiguration, LogHistogram, LogHistogramBuilder,
};
pub use task::coop;
/// Task dumps: [`Dump`](dump::Dump) and what it lists (re-exported as `runtime::dump`).
pub mod dump {
    pub use crate::engine::task::dump::{Dump, TaskDump, TaskState};
    pub use crate::engine::task::trace::Frame;
}
pub(crate) use task::list::Refused;
pub(crate) use task::trace::{Located, frame as trace_frame, is_active as trace_is_active};
pub(crate) use task::wake_current_by_ref;
pub(crate) use task::{AbortRef, JoinRef, Meta};
pub use task::{Id, JoinError, id, name, try_id, try_name};

/// Hands the current worker's core (its queue and LIFO slot) to a new thread so the calling
/// task can block this one (`block_in_place`). `Ok(false)` if this thread is not a
/// multi-thread worker (nothing to hand off); an error if the replacement thread could not
/// start (the core then stays here).
pub(crate) fn hand_off_core() -> std::io::Result<bool> {
    context::with_scheduler(|cx| match cx {
        Some(scheduler::Context::MultiThread(worker)) => worker.hand_off_core(),
        _ => Ok(false),
    })
}

/// The io_uring of the runtime this thread is in, if it has one (feature `io-uring`; `fs`
/// submits its reads and writes there, else it uses the blocking pool).
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
pub(crate) fn current_ring() -> Option<crate::loom::sync::Arc<driver::uring::Ring>> {
    context::with_current_borrowed(|handle| handle.driver().ring().cloned()).flatten()
}

/// The io_uring the current runtime's `TcpStream`s read and write through
/// (`Builder::io_uring_sockets`), if it has one and the switch is on.
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
pub(crate) fn current_socket_ring() -> Option<crate::loom::sync::Arc<driver::uring::Ring>> {
    context::with_current_borrowed(|handle| handle.driver().ring().filter(|r| r.sockets()).cloned())
        .flatten()
}

/// Whether this thread runs `ring`'s runtime (a multi-thread worker, or the thread in a
/// current-thread `block_on`): it then flushes deferred SQEs before it blocks, so a ring
/// socket may start its operations with `IoRing::start_deferred`.
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
pub(crate) fn runs_ring(ring: &crate::loom::sync::Arc<driver::uring::Ring>) -> bool {
    context::with_scheduler(|cx| cx.is_some())
        && context::with_current_borrowed(|handle| {
            handle
                .driver()
                .ring()
                .is_some_and(|r| crate::loom::sync::Arc::ptr_eq(r, ring))
        })
        .unwrap_or(false)
}

/// Operations on `handle`'s io_uring not yet completed and collected (0 without a ring),
/// including abandoned ones the kernel has not finished.
pub(crate) fn ring_in_flight(handle: &Handle) -> usize {
    #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
    return handle.driver().ring().map_or(0, |ring| ring.in_flight());
    #[cfg(not(all(feature = "io-uring", target_os = "linux", not(loom))))]
    {
        let _ = handle;
        0
    }
}

/// Whether `handle`'s runtime has an io_uring (always `false` without the `io-uring` feature,
/// off Linux, or when the kernel refused one).
pub(crate) fn has_ring(handle: &Handle) -> bool {
    #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
    return handle.driver().ring().is_some();
    #[cfg(not(all(feature = "io-uring", target_os = "linux", not(loom))))]
    {
        let _ = handle;
        false
    }
}

#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
pub(crate) use driver::uring::{
    Completion as RingCompletion, Op as RingOp, Request as RingRequest, Ring as IoRing,
};

/// The reactor of the runtime this thread is in (sockets register with it), or an error
/// saying there is none.
#[cfg(not(loom))]
pub(crate) fn current_reactor() -> std::io::Result<io_driver::Handle> {
    match current_driver() {
        Some(driver) => Ok(driver.io().clone()),
        None => Err(std::io::Error::other(
            "no runtime: I/O objects must be created inside a runtime (in block_on, a \
             task, or after Runtime::enter)",
        )),
    }
}
