//! Benchmark support: each workload is written once against the small [`Rt`] adapter and run
//! on three runtimes with the same worker count - `runtime`, Tokio's multi-thread runtime and
//! smol's `async_executor::Executor` driven by N threads.
//!
//! The criterion benches in `benches/` and the `compare` binary both use these pieces:
//! [`Rt`] (block_on / spawn / yield_now), its three implementations in [`adapters`], the
//! runtime-neutral [`Signal`] used for ping-pong and completion notices (identical on every
//! runtime, so the comparison measures the scheduler, not a channel), and the [`Workload`]s.
//!
//! ```
//! use benches::{Rt, Workload, adapters::RuntimeRt, workloads::ChainedSpawn};
//! let rt = RuntimeRt::new(1).unwrap();
//! assert_eq!(ChainedSpawn::run(&rt), ChainedSpawn::expected());
//! ```
#![warn(missing_docs)]

pub mod adapters;
pub mod cases;
pub mod criterion_groups;
pub mod hyper_hello;
pub mod local_spawn;
pub mod measure;
pub mod memory;
pub mod report;
mod rt;
mod rt_local;
pub mod services;
mod side_tables;
mod signal;
pub mod workloads;

pub use rt::{Rt, Unwrapped};
pub use rt_local::RtLocal;
pub use services::{RtNet, RtSync, RtTime};
pub use signal::{Signal, Wait};
pub use workloads::Workload;
