//! Synchronization primitives for async code.

mod batch_semaphore;
mod waiters;

pub mod mpsc;
pub mod oneshot;

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
pub use semaphore::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};

#[cfg(test)]
mod test_util;

/// Named future types returned by `sync` methods, for storing them in structs.
pub mod futures {
    pub use super::notify::{Notified, OwnedNotified};
}
