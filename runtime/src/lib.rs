//! `runtime`: a multi-threaded, work-stealing async runtime for network services.
//!
//! (Crate-level guide filled in by the docs issue.)
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, missing_debug_implementations)]

pub(crate) mod loom;

pub mod task;
