//! Synchronization primitives for async code: channels, locks, and coordination.
//!
//! Names and error types follow Tokio's `tokio::sync` (plus `CancellationToken`, which Tokio
//! ships in `tokio-util`), with two asyncio shapes added: [`Event`] and [`Queue`].
//!
//! | Need | Use |
//! |---|---|
//! | many producers, one consumer | [`mpsc::channel`] (bounded, backpressure) / [`mpsc::unbounded_channel`] |
//! | one value, once | [`oneshot::channel`] |
//! | every consumer sees every value | [`broadcast::channel`] |
//! | consumers watch the latest value | [`watch::channel`] |
//! | many producers and consumers, `join` | [`Queue`] |
//! | exclusive / shared access across `.await` | [`Mutex`], [`RwLock`] |
//! | limit concurrency | [`Semaphore`] |
//! | wake tasks | [`Notify`], [`Event`] (stays set), [`Barrier`] |
//! | lazy async init | [`OnceCell`] |
//! | stop a tree of tasks | [`CancellationToken`] |
//!
//! # How waiting works
//!
//! Every waiting side (semaphore permits, lock queues, `Notify`, broadcast receivers) parks in
//! the same FIFO wait list (`waiters.rs`): a slab-backed linked list under the primitive's
//! lock, where each future owns a key and removes itself when dropped. The fair
//! [`Semaphore`] core (`batch_semaphore/`) is built on it and in turn serves `Mutex`,
//! `RwLock`, `OnceCell`, `Queue` and bounded `mpsc`; `Event`, `Barrier`, `CancellationToken`
//! and `watch` are built on `Notify`.
//!
//! # Cancel safety
//!
//! Every `.await` here is cancel-safe unless its docs say what is lost. In short: dropping an
//! acquire/lock/reserve/recv/get/changed future loses nothing and gives its place in line
//! (and any permits already assigned to it) to the next waiter; a `Notify` notification
//! received by a dropped future is passed on. Dropping `mpsc::Sender::send` or `Queue::put`
//! drops the message that was not yet sent; `Barrier::wait` counts the arrival even if
//! dropped.
//!
//! # From synchronous code
//!
//! The `blocking_*` methods (`mpsc` `blocking_send`/`blocking_recv`, `oneshot`
//! `blocking_recv`, [`Semaphore::blocking_acquire`]) block a plain thread (or a
//! `spawn_blocking` closure) on the async operation. On a thread that drives a runtime they
//! panic, as Tokio's do: blocking there would stall every task it runs.
//!
//! All leaf polls take part in cooperative scheduling (`task::coop`): an always-ready
//! channel cannot starve the other tasks on a worker.
//!
//! # Source layout
//!
//! In-crate unit tests live in one of two places, chosen by size: a short `mod tests { .. }`
//! at the end of the file, or, for a primitive with a longer suite, a directory module
//! `x/mod.rs` whose `tests.rs` sits beside it (`mutex/tests.rs`), next to the primitive's
//! other parts (`rwlock/owned.rs`, `semaphore/permit.rs`). No `#[path]` attributes.

mod batch_semaphore;
mod block;
mod raw_mutex;
mod waiters;

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

mod barrier;
pub use barrier::{Barrier, BarrierWaitResult};

mod cancellation_token;
pub use cancellation_token::{
    CancellationToken, DropGuard, WaitForCancellationFuture, WaitForCancellationFutureOwned,
};

mod event;
pub use event::Event;

mod mutex;
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};

mod notify;
pub use notify::Notify;

mod once_cell;
pub use once_cell::{OnceCell, SetError};

mod queue;
pub use queue::{Queue, QueueError, ShutdownError, TaskDoneError, TryGetError};

mod rwlock;
pub use rwlock::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

mod semaphore;
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

#[cfg(test)]
pub(crate) mod test_util;

/// Named future types returned by `sync` methods, for storing them in structs.
pub mod futures {
    pub use super::notify::{Notified, OwnedNotified};
}
