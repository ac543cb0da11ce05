//! Tasks: spawning, joining, cancelling, yielding, and the cooperative budget.
//!
//! This module is the public face of tasks. The task itself (the cell, its state word, the
//! harness that polls it, its waker and the owned-task list) is the engine's task core
//! (`runtime/src/engine/task/`, where the task protocol, rules R1-R5 and J1-J6, is written);
//! [`JoinHandle`] and [`AbortHandle`] hold a task through the engine's join and abort
//! references, and `spawn*` go through the scheduler handle's door (`runtime/src/engine/mod.rs`).

pub use crate::engine::coop;

mod abort;
mod builder;
#[cfg(not(loom))]
mod dump_on_signal;
mod join;
pub mod join_set;
mod local;
pub(crate) mod spawn;
mod task_group;
mod task_local;
mod yield_now;

pub use crate::engine::coop::{Unconstrained, consume_budget, unconstrained};
pub use crate::engine::{Id, JoinError, id, name, try_id, try_name};
pub use abort::AbortHandle;
pub use builder::Builder;
#[cfg(not(loom))]
pub use dump_on_signal::{dump_on_signal, dump_on_signal_to};
pub use join::JoinHandle;
pub use join_set::JoinSet;
pub use local::{LocalEnterGuard, LocalSet, spawn_local};
pub use spawn::{block_in_place, spawn, spawn_blocking};
pub use task_group::{GroupError, TaskGroup};
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use yield_now::yield_now;
