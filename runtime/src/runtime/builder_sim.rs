//! The simulation flavor's builder methods (issue 19; the scheduler is
//! `engine/scheduler/simulation`, the user-facing tools `crate::sim`).

use super::Builder;
use crate::engine::Flavor;
use std::time::Duration;

impl Builder {
    /// A builder for a *simulation* runtime: one thread, like
    /// [`new_current_thread`](Builder::new_current_thread), but every scheduling choice is
    /// made by a PRNG seeded with `seed`, so a concurrency bug that depends on an interleaving
    /// shows up on some seeds and replays exactly on that seed.
    ///
    /// - The next task to poll is drawn among the ready ones (and the `block_on` future,
    ///   when woken), not taken in FIFO order; some wakes are delayed by a few steps.
    /// - Time is virtual: the clock starts paused and, when nothing can run, jumps to the next
    ///   timer, so an hour of `sleep`s takes microseconds. Read it with
    ///   [`runtime::time::Instant`](crate::time::Instant), not `std::time::Instant` (which
    ///   keeps real time).
    /// - [`spawn_blocking`](crate::task::spawn_blocking) closures run inline, on this
    ///   thread, as a task picked at a seeded point.
    /// - [`runtime::sim::rand`](crate::sim::rand) draws from a stream seeded by `seed`.
    /// - Task ids count from 1 in each simulation runtime, so a replay prints the same ids
    ///   (unique within the runtime; two simulation runtimes reuse them).
    /// - No watchdog thread, and of the metrics only the task counts and timers are live (the
    ///   per-worker counters stay zero).
    /// - `block_on` panics on a deadlock (nothing can run, no timer, no I/O, and its future
    ///   is not done), with a task dump saying which task waits on what.
    ///
    /// [`Handle::runtime_flavor`](crate::runtime::Handle::runtime_flavor) says
    /// [`RuntimeFlavor::Simulation`](crate::runtime::RuntimeFlavor::Simulation). To run a
    /// test body under many seeds, use `#[runtime::test(simulation, seeds = N)]` or
    /// [`runtime::sim::check`](crate::sim::check); the guide's chapter is
    /// [`guide::simulation`](crate::guide::simulation).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::time::{Instant, sleep};
    ///
    /// let rt = runtime::Builder::new_simulation(42).build().unwrap();
    /// let waited = rt.block_on(async {
    ///     let start = Instant::now();
    ///     sleep(Duration::from_secs(3600)).await; // an hour, in virtual time
    ///     start.elapsed()
    /// });
    /// assert_eq!(waited, Duration::from_secs(3600));
    /// ```
    pub fn new_simulation(seed: u64) -> Builder {
        let mut builder = Builder::new(Flavor::Simulation);
        builder.sim.seed = seed;
        builder
    }

    /// A simulation whose next timer lies more than `limit` of virtual time after the start
    /// fails: `block_on` panics with a task dump instead of jumping there. No limit by
    /// default; ignored by the other flavors.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = runtime::Builder::new_simulation(1)
    ///     .simulation_time_limit(Duration::from_secs(60))
    ///     .build()
    ///     .unwrap();
    /// let stuck = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    ///     rt.block_on(runtime::time::sleep(Duration::from_secs(61)))
    /// }));
    /// assert!(stuck.is_err());
    /// ```
    pub fn simulation_time_limit(&mut self, limit: Duration) -> &mut Builder {
        self.sim.time_limit = Some(limit);
        self
    }

    /// The faults the simulation injects ([`sim::Faults`](crate::sim::Faults): delayed and
    /// reordered wakes, spurious `WouldBlock` and errors on socket reads and writes, slow
    /// and failing `runtime::fs` operations), each drawn from a stream seeded by the seed.
    /// None by default. [`build`](Builder::build) fails with `InvalidInput` if the plan
    /// holds a probability outside `0.0..=1.0`, or if this is not a simulation builder.
    ///
    /// ```
    /// use runtime::sim::Faults;
    /// use std::time::Duration;
    ///
    /// let rt = runtime::Builder::new_simulation(3)
    ///     .faults(Faults::new().slow_fs(1.0, Duration::from_millis(50)))
    ///     .build()
    ///     .unwrap();
    /// let took = rt.block_on(async {
    ///     let start = runtime::time::Instant::now();
    ///     runtime::fs::metadata("/").await.unwrap();
    ///     start.elapsed()
    /// });
    /// assert!(took >= Duration::from_millis(1) && took <= Duration::from_millis(50));
    ///
    /// let not_sim = runtime::Builder::new_current_thread().faults(Faults::new()).build();
    /// assert_eq!(not_sim.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    #[cfg(not(loom))]
    pub fn faults(&mut self, plan: crate::sim::Faults) -> &mut Builder {
        self.sim.faults = plan.plan;
        self.faults_set = true;
        self
    }

    /// `build`'s check of the fault plan.
    #[cfg(not(loom))]
    pub(super) fn check_faults(&self) -> Result<(), String> {
        if self.faults_set && self.flavor != Flavor::Simulation {
            return Err("a fault plan (Builder::faults) needs a simulation runtime \
                        (Builder::new_simulation)"
                .to_owned());
        }
        match self.sim.faults.invalid {
            Some((name, p)) => Err(format!(
                "fault plan: `{name}` probability {p} is not in 0.0..=1.0"
            )),
            None => Ok(()),
        }
    }
}
