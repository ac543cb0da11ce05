//! `Semaphore::blocking_acquire` and `blocking_acquire_many`: the async acquires for
//! synchronous code (an addition: Tokio's `Semaphore` has no blocking acquire; these follow
//! the `blocking_*` convention of its channels and locks).

use super::{AcquireError, Semaphore, SemaphorePermit};
use crate::sync::block::block_on;

impl Semaphore {
    /// [`acquire`](Self::acquire) from synchronous code: blocks the thread until a permit
    /// is free, in the same FIFO line as async acquirers.
    ///
    /// # Errors
    /// [`AcquireError`] if the semaphore is (or gets) closed.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime (inside a task or `block_on`).
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    /// use std::sync::Arc;
    /// let sem = Arc::new(Semaphore::new(1));
    /// let held = sem.try_acquire().unwrap();
    /// let waiter = {
    ///     let sem = sem.clone();
    ///     std::thread::spawn(move || sem.blocking_acquire().map(|p| p.forget()).is_ok())
    /// };
    /// drop(held);
    /// assert!(waiter.join().unwrap());
    /// ```
    #[track_caller]
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        block_on("Semaphore::blocking_acquire", self.acquire())
    }

    /// [`acquire_many`](Self::acquire_many) from synchronous code.
    ///
    /// # Errors
    /// [`AcquireError`] if the semaphore is (or gets) closed.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime.
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(3);
    /// let permit = sem.blocking_acquire_many(2).unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// drop(permit);
    /// sem.close();
    /// assert!(sem.blocking_acquire_many(1).is_err());
    /// ```
    #[track_caller]
    pub fn blocking_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        block_on("Semaphore::blocking_acquire_many", self.acquire_many(n))
    }
}
