//! `Semaphore`: a fair (FIFO) counting semaphore with borrowed and owned permits.

use super::batch_semaphore::{Closed, MAX_PERMITS, RawSemaphore, TryAcquire};
use crate::util::instrument::{Resource, instrument_op};
use std::fmt;
use std::sync::Arc;

/// A counting semaphore: at most N holders at a time, served strictly first-come first-served.
///
/// A waiter asking for several permits is served in its turn and collects permits as they are
/// released, so later small requests never starve it. Acquiring is cancel-safe in the sense
/// that matters: dropping an unfinished `acquire` future gives its place in the queue *and*
/// any permits already assigned to it back, passing them to the next waiter.
///
/// ```
/// use runtime::sync::Semaphore;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let sem = Arc::new(Semaphore::new(2));
///     let mut tasks = Vec::new();
///     for i in 0..5 {
///         let sem = sem.clone();
///         tasks.push(runtime::spawn(async move {
///             let _permit = sem.acquire().await.unwrap(); // at most two run at once
///             i * 2
///         }));
///     }
///     let mut sum = 0;
///     for t in tasks {
///         sum += t.await.unwrap();
///     }
///     assert_eq!(sum, 20);
/// });
/// ```
pub struct Semaphore {
    ll: RawSemaphore,
    /// The `tracing` resource (zero-sized without the feature).
    resource: Resource,
}

/// The semaphore was closed; no permit was acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(());

/// Why [`Semaphore::try_acquire`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits are available right now.
    NoPermits,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

fn try_err(e: TryAcquire) -> TryAcquireError {
    match e {
        TryAcquire::Closed => TryAcquireError::Closed,
        TryAcquire::NoPermits => TryAcquireError::NoPermits,
    }
}

fn acq_err(_: Closed) -> AcquireError {
    AcquireError(())
}

impl Semaphore {
    /// The largest number of permits a semaphore can hold (`usize::MAX >> 3`).
    ///
    /// ```
    /// assert!(runtime::sync::Semaphore::MAX_PERMITS > u32::MAX as usize);
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// Creates a semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`] (as Tokio does).
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        let semaphore = Self {
            ll: RawSemaphore::new(permits),
            resource: Resource::new("Semaphore", "Sync"),
        };
        semaphore.trace_permits();
        semaphore
    }

    /// [`new`](Self::new) in a `const` context, e.g. for a `static` limit. Without the
    /// `tracing` feature's resource span, as Tokio's.
    ///
    /// # Panics
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`] (at compile time in a `const` or
    /// `static` initialiser).
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    /// static DOWNLOADS: Semaphore = Semaphore::const_new(2);
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let _a = DOWNLOADS.acquire().await.unwrap();
    /// let _b = DOWNLOADS.acquire().await.unwrap();
    /// assert!(DOWNLOADS.try_acquire().is_err());
    /// # });
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(permits: usize) -> Self {
        Self {
            ll: RawSemaphore::const_new(permits),
            resource: Resource::none(),
        }
    }

    /// Permits available right now.
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(3);
    /// let _p = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.ll.available_permits()
    }

    /// Adds `n` permits, waking queued waiters in order.
    ///
    /// # Panics
    ///
    /// If the total would exceed [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.ll.release(n);
        self.trace_permits();
    }

    /// Removes up to `n` available permits for good; returns how many were removed.
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(5), 3);
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        let forgotten = self.ll.forget_permits(n);
        self.trace_permits();
        forgotten
    }

    /// Waits for one permit.
    ///
    /// Cancel safety: dropping the future gives its queue position and any assigned permit
    /// to the next waiter; nothing is lost.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let sem = runtime::sync::Semaphore::new(1);
    /// let permit = sem.acquire().await.unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// drop(permit);
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        // Straight to the raw acquire: going through `acquire_many(1)` nested a second async
        // state machine (~48 instructions more per acquire in callgrind).
        instrument_op(
            &self.resource,
            "Semaphore::acquire",
            "poll_acquire",
            self.ll.acquire(1),
        )
        .await
        .map_err(acq_err)?;
        self.trace_permits();
        Ok(SemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits at once (cancel-safe like [`acquire`](Self::acquire)).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let sem = runtime::sync::Semaphore::new(4);
    /// let permit = sem.acquire_many(3).await.unwrap();
    /// assert_eq!(permit.num_permits(), 3);
    /// # });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        let acquire = self.ll.acquire(n as usize);
        instrument_op(
            &self.resource,
            "Semaphore::acquire_many",
            "poll_acquire",
            acquire,
        )
        .await
        .map_err(acq_err)?;
        self.trace_permits();
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one permit if available now, without waiting (and without jumping the queue).
    ///
    /// ```
    /// use runtime::sync::{Semaphore, TryAcquireError};
    /// let sem = Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if available now.
    ///
    /// ```
    /// let sem = runtime::sync::Semaphore::new(3);
    /// assert!(sem.try_acquire_many(4).is_err());
    /// assert_eq!(sem.try_acquire_many(3).unwrap().num_permits(), 3);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.ll.try_acquire(n as usize).map_err(try_err)?;
        self.trace_permits();
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Waits for one permit tied to an `Arc` rather than a borrow (cancel-safe).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let sem = Arc::new(runtime::sync::Semaphore::new(1));
    /// let permit = sem.clone().acquire_owned().await.unwrap();
    /// runtime::spawn(async move { drop(permit) }).await.unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        // Straight to the raw acquire, like `acquire` (no second async state machine).
        instrument_op(
            &self.resource,
            "Semaphore::acquire",
            "poll_acquire",
            self.ll.acquire(1),
        )
        .await
        .map_err(acq_err)?;
        self.trace_permits();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits tied to an `Arc` (cancel-safe).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let sem = Arc::new(runtime::sync::Semaphore::new(2));
    /// let permit = sem.clone().acquire_many_owned(2).await.unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// # });
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        let acquire = self.ll.acquire(n as usize);
        instrument_op(
            &self.resource,
            "Semaphore::acquire_many",
            "poll_acquire",
            acquire,
        )
        .await
        .map_err(acq_err)?;
        self.trace_permits();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one owned permit if available now.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(runtime::sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().is_err());
    /// drop(p);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` owned permits if available now.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(runtime::sync::Semaphore::new(2));
    /// assert_eq!(sem.clone().try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.ll.try_acquire(n as usize).map_err(try_err)?;
        self.trace_permits();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Reports the available permits to `tracing` (nothing without the feature).
    #[inline(always)]
    fn trace_permits(&self) {
        #[cfg(feature = "tracing")]
        self.resource.update_u64(
            crate::util::instrument::Attribute::Permits,
            self.available_permits() as u64,
            crate::util::instrument::Update::Set,
        );
    }

    /// Closes the semaphore: waiting and future acquires fail with [`AcquireError`]; permits
    /// already held stay valid.
    ///
    /// ```
    /// use runtime::sync::{Semaphore, TryAcquireError};
    /// let sem = Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    /// ```
    pub fn close(&self) {
        self.ll.close();
    }

    /// `true` once [`close`](Self::close) was called.
    ///
    /// ```
    /// assert!(!runtime::sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.ll.is_closed()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

mod blocking;
mod permit;
pub use permit::{OwnedSemaphorePermit, SemaphorePermit};

#[cfg(test)]
mod tests;
