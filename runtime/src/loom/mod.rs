//! The one door through which concurrent code gets its primitives.
//!
//! Every atomic, `UnsafeCell`, `Arc`, lock, condition variable, thread spawn and work-stealing
//! deque used by the runtime's state machines is imported from here, never from `std`,
//! `parking_lot` or `crossbeam` directly. Under `--cfg loom` the same names resolve to loom's
//! models (and the deque to a small lock-based stand-in), so `loom-tests/` can explore every
//! interleaving of the real code.
//!
//! Constants that must be smaller for loom to finish (queue capacities, intervals, worker counts)
//! are chosen with [`if_loom`] right next to their real value.

// Not every primitive is used in every configuration.
#![allow(unused_imports, dead_code)]

#[cfg(not(loom))]
mod std_impl;
#[cfg(not(loom))]
pub(crate) use std_impl::*;

#[cfg(loom)]
mod loom_impl;
#[cfg(loom)]
pub(crate) use loom_impl::*;

mod deque;
pub(crate) use deque::{Injector, Steal, Stealer, Worker};

/// A metrics counter: `std`'s atomic even under loom. It orders nothing (only `Relaxed`
/// loads, stores and adds that no other memory access depends on), so loom need not explore
/// its interleavings, and tracking it would multiply every scheduler model's state space.
pub(crate) use std::sync::atomic::AtomicU64 as MetricAtomicU64;

/// Picks `loom_value` when modelled under loom and `real_value` otherwise.
#[inline(always)]
pub(crate) const fn if_loom<T: Copy>(real_value: T, loom_value: T) -> T {
    if cfg!(loom) { loom_value } else { real_value }
}
