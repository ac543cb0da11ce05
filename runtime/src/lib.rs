//! `runtime`: a multi-threaded, work-stealing async runtime for network services.
//!
//! It runs `async` code the way `asyncio` runs coroutines, but on every core: spawned tasks
//! are spread over worker threads that steal from each other, sockets and timers are driven by
//! one reactor, and blocking work goes to a separate thread pool. Names follow Tokio where the
//! idea is the same; I/O uses the `futures-io` traits.
//!
//! ```
//! use std::time::Duration;
//!
//! #[runtime::main]
//! async fn main() {
//!     // asyncio.create_task + asyncio.gather
//!     let tasks: Vec<_> = (1..=3u64)
//!         .map(|i| runtime::spawn(async move {
//!             runtime::time::sleep(Duration::from_millis(10 * i)).await;
//!             i * 10
//!         }))
//!         .collect();
//!     let mut total = 0;
//!     for task in tasks {
//!         total += task.await.expect("task panicked");
//!     }
//!     assert_eq!(total, 60);
//! }
//! ```
//!
//! # Where things are
//!
//! | you want to | use |
//! |---|---|
//! | start the runtime | [`#[runtime::main]`](macro@main), [`Runtime`], [`Builder`] (also at Tokio's path, [`runtime::runtime`](mod@runtime)) |
//! | run tasks | [`spawn`], [`task`] ([`JoinHandle`](task::JoinHandle), [`JoinSet`](task::JoinSet), [`TaskGroup`](task::TaskGroup), [`spawn_blocking`](task::spawn_blocking)); `!Send` tasks: [`spawn_local`](task::spawn_local), [`LocalSet`](task::LocalSet), [`LocalRuntime`] |
//! | combine futures in one task | [`join!`], [`try_join!`], [`select!`], [`pin!`] |
//! | wait, time out, tick | [`time`] |
//! | share state, pass messages | [`sync`] (channels, locks, `Semaphore`, `Event`, `Queue`, ...) |
//! | sockets | [`net`], with the read/write traits in [`io`] |
//! | files | [`fs`] |
//! | Ctrl-C and Unix signals | [`signal`] |
//! | run child processes | [`process`] |
//! | test async code | [`#[runtime::test]`](macro@test) |
//! | find races in your code under seeded schedules, replay them | [`sim`], `#[runtime::test(simulation, seeds = N)]`, [`Builder::new_simulation`] ([guide](guide::simulation)) |
//! | run hyper, or crates written for Tokio's I/O traits | `compat` (features `hyper`, `tokio-io`) |
//!
//! # The guide
//!
//! The [`guide`] module holds the book-length documentation, every example in it tested:
//! [getting started](guide::getting_started), [from asyncio](guide::from_asyncio) (every
//! asyncio construct with its equivalent here), [cancellation](guide::cancellation) (what
//! each `.await` loses when dropped), [simulation](guide::simulation) (seeded schedules that
//! find and replay concurrency bugs) and [architecture](guide::architecture). The same
//! chapters are the markdown files in `docs/`, next to the benchmark results and the
//! verification report. `cargo run --release --example tour` runs all of it in one program.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, missing_debug_implementations)]

pub(crate) mod loom;
// Loom-only handles on internal state machines for `loom-tests/`; not public API.
#[cfg(loom)]
#[doc(hidden)]
#[path = "loom_exports.rs"]
pub mod __loom;

// macros: the declarative macros come first so every module can use them.
#[macro_use]
mod macros;
// macros: `#[runtime::main]` and `#[runtime::test]`.
pub use runtime_macros::{main, test};
// macros: hidden support named by macro expansions (`$crate::__private`); not public API.
#[doc(hidden)]
pub use macros::support as __private;

pub(crate) mod blocking;
#[cfg(not(loom))]
pub mod guide;
pub mod sync;
pub mod task;
pub mod time;
// I/O: traits and helpers, sockets, files, signals (not modelled under loom: they make real
// system calls).
#[cfg(not(loom))]
pub mod fs;
pub mod io;
#[cfg(not(loom))]
pub mod net;
#[cfg(not(loom))]
pub mod process;
#[cfg(not(loom))]
pub mod signal;
// Ecosystem compatibility: hyper and Tokio's I/O traits over the runtime's sockets.
#[cfg(all(not(loom), any(feature = "hyper", feature = "tokio-io")))]
pub mod compat;

mod engine;
pub(crate) mod park;
pub mod runtime;
#[cfg(not(loom))]
pub mod sim;
pub(crate) mod util;

/// Task dumps: [`Handle::dump`] returns a [`Dump`].
pub use engine::dump;
pub use engine::dump::Dump;
pub use runtime::{
    Builder, EnterGuard, Handle, HistogramConfiguration, InvalidHistogramConfiguration,
    LocalOptions, LocalRuntime, LogHistogram, LogHistogramBuilder, Runtime, RuntimeMetrics,
    SlowPoll, TryCurrentError, UnhandledPanic,
};
pub use task::spawn;
