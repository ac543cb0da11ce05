//! Deterministic simulation (issue 19): run async code under a seeded scheduler, find the
//! interleaving that breaks it, replay it from the seed.
//!
//! A simulation runtime ([`Builder::new_simulation`](crate::Builder::new_simulation)) runs
//! every task on one thread and lets a PRNG seeded with the seed choose which ready task runs
//! next, delay some wakes, order `select!`'s branches and run `spawn_blocking` closures;
//! time is virtual and jumps to the next timer when nothing can run. The same seed gives the
//! same schedule, the same virtual times and the same output; a *trace hash* (of the sequence
//! of polled tasks and their virtual times) shows it.
//!
//! This module holds what user code and tests use on top of it:
//!
//! - [`rand`] and [`Rng`]: seeded random numbers for the code under test (so its own choices
//!   replay too);
//! - [`run`], [`find_failure`] and [`check`]: run a closure's future under one seed, under
//!   many seeds until one fails, or as a test (what `#[runtime::test(simulation)]` expands
//!   to: prints the failing seed, its trace hash and the command replaying it);
//! - [`Faults`], [`run_with`], [`find_failure_with`] and [`check_with`]: the same under a
//!   fault plan (delayed and reordered wakes, spurious `WouldBlock` and errors on sockets,
//!   slow and failing `fs` operations); [`Run::faults`] counts what was injected
//!   ([`FaultStats`]), and each injected error carries an [`InjectedFault`];
//! - [`seed_for`]: the seed of each index, from a fixed base, so a run of 1000 seeds is the
//!   same 1000 seeds everywhere;
//! - the simulated network: [`Host`] (a machine with its own address, tasks and sockets,
//!   that can crash and restart), [`net()`](net) and [`Network`] (links with latency,
//!   jitter, bandwidth and loss: [`Link`]; partitions), [`partition`] and [`heal`].
//!
//! The guide's chapter is [`guide::simulation`](crate::guide::simulation).
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! // A lost update: read, yield, write back.
//! let failure = runtime::sim::find_failure(100, || async {
//!     let counter = Arc::new(AtomicU64::new(0));
//!     let tasks: Vec<_> = (0..2)
//!         .map(|_| {
//!             let counter = counter.clone();
//!             runtime::spawn(async move {
//!                 let seen = counter.load(Ordering::SeqCst);
//!                 runtime::task::yield_now().await;
//!                 counter.store(seen + 1, Ordering::SeqCst);
//!             })
//!         })
//!         .collect();
//!     for task in tasks {
//!         task.await.unwrap();
//!     }
//!     assert_eq!(counter.load(Ordering::SeqCst), 2, "an update was lost");
//! });
//! let failure = failure.expect("some seed interleaves the two tasks");
//! assert!(failure.message.contains("an update was lost"));
//! ```

mod faults;
mod net;
mod rng;
mod runner;
pub(crate) mod suite;

pub use crate::engine::{FaultStats, InjectedFault};
pub use faults::Faults;
pub use net::{Host, Link, Network, heal, net, partition};
pub use rng::{Rng, rand};
pub(crate) use runner::check_range;
pub use runner::{
    Failure, Outcome, Run, check, check_with, find_failure, find_failure_with, run, run_with,
    seed_for,
};
