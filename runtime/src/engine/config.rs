//! What the engine is built from: the scheduler flavor and the settings fixed at build time
//! (the public `Builder` in `runtime/builder.rs` fills them in).

/// Which scheduler a runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    MultiThread,
    CurrentThread,
    /// The seeded single-thread scheduler (`Builder::new_simulation`, `scheduler/simulation`).
    Simulation,
}

/// The simulation flavor's settings (unused by the other flavors).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SimConfig {
    pub(crate) seed: u64,
    /// Virtual time after which a simulation that is still waiting on timers fails.
    pub(crate) time_limit: Option<std::time::Duration>,
    /// The fault plan (rule S7; empty: no faults).
    pub(crate) faults: super::scheduler::simulation::FaultPlan,
}

/// Scheduler settings fixed at build time.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) event_interval: u32,
    pub(crate) global_queue_interval: u32,
    pub(crate) disable_lifo_slot: bool,
    pub(crate) unhandled_panic: UnhandledPanic,
    #[allow(dead_code)]
    pub(crate) start_paused: bool,
    /// The poll-time histogram's layout; `None` leaves it off (no clock read per poll).
    pub(crate) poll_time_histogram: Option<super::scheduler::HistogramConfiguration>,
    /// Slow-poll reports and stall healing (`scheduler/watchdog`; no watchdog under loom).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) watchdog: crate::engine::scheduler::watchdog::WatchdogConfig,
    /// The runtime's name (`Builder::name`), read back by `Handle::name`.
    pub(crate) name: Option<String>,
    /// The simulation flavor's seed and limits.
    pub(crate) sim: SimConfig,
    /// Whether to try an io_uring at start-up (`Builder::io_uring`; feature `io-uring`).
    pub(crate) io_uring: bool,
    /// Whether `TcpStream`s read and write through the io_uring (`Builder::io_uring_sockets`).
    pub(crate) io_uring_sockets: bool,
}

/// What happens when a spawned task panics.
///
/// ```
/// let rt = runtime::Builder::new_current_thread()
///     .unhandled_panic(runtime::UnhandledPanic::Ignore)
///     .build()
///     .unwrap();
/// let err = rt.block_on(async { runtime::spawn(async { panic!("oops") }).await.unwrap_err() });
/// assert!(err.is_panic());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// The panic is caught and returned through the task's `JoinHandle`; the runtime goes on.
    #[default]
    Ignore,
    /// The first panic shuts the runtime down: every task is cancelled and `block_on` panics.
    ShutdownRuntime,
}
