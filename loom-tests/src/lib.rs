//! Loom models of `runtime`'s concurrent state machines, and the `stress` binary.
//!
//! Build and run the models with the loom configuration (CI does this in `.ci/run`):
//!
//! ```text
//! LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg loom -C debug-assertions" \
//!     cargo test --release -p loom-tests
//! ```
//!
//! Run one model deeper with `LOOM_MAX_PREEMPTIONS=4 ... cargo test --release -p loom-tests
//! <model_name>`. Under `--cfg loom` the runtime's internal facade (`runtime/src/loom/`) swaps
//! every atomic, lock, cell, thread and deque for loom's models, so these tests explore the
//! interleavings of the runtime's real code; `runtime::__loom` (loom-only, hidden) hands the
//! models the internal state machines they drive directly. What each model proves is listed in
//! `docs/verification.md`. Without `--cfg loom` the library is empty and only the `stress`
//! binary (`src/bin/stress.rs`) is built.
#![warn(missing_docs)]

#[cfg(loom)]
pub mod gate;
#[cfg(loom)]
pub mod support;
