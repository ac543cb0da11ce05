//! `runtime`: a multi-threaded, work-stealing async runtime for network services.
//!
//! (Crate-level guide filled in by the docs issue.)
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, missing_debug_implementations)]

pub(crate) mod loom;

// macros: the declarative macros come first so every module can use them.
#[macro_use]
mod macros;

pub(crate) mod blocking;
pub mod sync;
pub mod task;
