//! Loom models of `runtime`'s concurrent state machines.
//!
//! Build and run with the loom configuration (CI does this in `.ci/run`):
//!
//! ```text
//! LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg loom -C debug-assertions" \
//!     cargo test --release -p loom-tests
//! ```
//!
//! Run one model deeper with `LOOM_MAX_PREEMPTIONS=3 ... cargo test --release -p loom-tests
//! <model_name>`. Under `--cfg loom` the runtime's internal facade (`runtime/src/loom/`) swaps
//! every atomic, lock, cell, thread and deque for loom's models, so these tests explore the
//! interleavings of the runtime's real code. Without `--cfg loom` this crate is empty.

#[cfg(loom)]
pub mod gate;
