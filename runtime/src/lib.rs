//! `runtime`: a multi-threaded, work-stealing async runtime for network services.
//!
//! (Crate-level guide filled in by the docs issue.)
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
pub mod signal;

pub(crate) mod driver;
pub(crate) mod park;
mod runtime;
pub(crate) mod scheduler;
pub(crate) mod util;

pub use runtime::{
    Builder, EnterGuard, Handle, Runtime, RuntimeMetrics, TryCurrentError, UnhandledPanic,
};
pub use task::spawn;
