//! `Mutex`: an async mutex (a [`RawMutex`] guarding an `UnsafeCell`).
//!
//! # Invariants (cited by the `SAFETY` comments below)
//!
//! - **MX1.** The value in `data` is only reached through a guard or through `&mut Mutex`.
//! - **MX2.** A guard exists only while its holder owns the [`RawMutex`], and unlocks it in `Drop`;
//!   so at most one guard exists at a time and it has exclusive access.
//! - **MX3.** A guard is `Send` iff `T: Send` and `Sync` iff `T: Send + Sync` (the `PhantomData`
//!   markers), matching what it hands out.

use super::raw_mutex::{Lock, RawMutex};
use crate::loom::cell::UnsafeCell;
use crate::util::instrument::{Attribute, Resource, instrument_op};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// An async mutual-exclusion lock whose guard may be held across `.await`.
///
/// Fairness: queued tasks are woken in the order they asked for the lock, but a task that
/// calls `lock()` while the mutex is free takes it even if others are queued (*barging*), and
/// an unlock wakes the first queued task to *retry* rather than handing it the lock. This
/// differs from Tokio's strictly FIFO `Mutex` on purpose: handing the lock to a sleeping task
/// keeps it locked for a whole task switch, and under contention every acquisition then
/// costs one. Starvation is still impossible: a woken task that finds the lock taken goes
/// back to the front of the queue, and after it has found it taken 4 times the next unlock
/// hands the lock to it directly. Locking is cancel-safe: dropping a `lock()` future gives its
/// place in the queue (or a wake-up meant for it) to the next task.
///
/// Unwinding: a guard dropped by a panic unlocks the mutex; there is no poisoning (as in
/// Tokio), so the next holder may find the value half-modified. Hence `Mutex<T>` is
/// `UnwindSafe` when `T` is, but not `RefUnwindSafe`.
///
/// ```
/// use runtime::sync::Mutex;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let count = Arc::new(Mutex::new(0));
///     let tasks: Vec<_> = (0..10)
///         .map(|_| {
///             let count = count.clone();
///             runtime::spawn(async move { *count.lock().await += 1 })
///         })
///         .collect();
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(*count.lock().await, 10);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    s: RawMutex,
    /// The `tracing` resource (zero-sized without the feature).
    resource: Resource,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands `&mut T` to one holder at a time (MX2), possibly on another
// thread, so sharing it needs only `T: Send`, exactly like `std::sync::Mutex`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: moving the mutex moves the `T` it owns, which no guard can outlive (MX1); `T: Send`
// is all that requires.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

/// Exclusive access to a [`Mutex`]'s value; unlocks on drop.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let m = runtime::sync::Mutex::new(vec![1]);
/// m.lock().await.push(2);
/// assert_eq!(*m.lock().await, [1, 2]);
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    _marker: PhantomData<&'a mut T>,
}

/// Exclusive access held through an `Arc<Mutex<T>>`; `'static`, so it can move into tasks.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// let m = Arc::new(runtime::sync::Mutex::new(1));
/// let mut guard = m.clone().lock_owned().await;
/// runtime::spawn(async move { *guard += 1 }).await.unwrap();
/// assert_eq!(*m.lock().await, 2);
/// # });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    _marker: PhantomData<Box<T>>,
}

/// [`Mutex::try_lock`] failed because the lock is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(());

impl TryLockError {
    pub(super) fn new() -> Self {
        Self(())
    }
}

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// let m = runtime::sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    #[cfg_attr(feature = "tracing", track_caller)]
    pub fn new(value: T) -> Self {
        let resource = Resource::new("Mutex", "Sync");
        resource.update_bool(Attribute::Locked, false);
        Self {
            s: RawMutex::new(),
            resource,
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex, returning the value.
    ///
    /// ```
    /// assert_eq!(runtime::sync::Mutex::new("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock (queued tasks are woken FIFO; see [`Mutex`] for the barging rule).
    /// Cancel-safe: a dropped future gives its turn away.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let m = runtime::sync::Mutex::new(1);
    /// *m.lock().await += 1;
    /// assert_eq!(*m.lock().await, 2);
    /// # });
    /// ```
    ///
    /// A task dump shows where this was called (`Mutex::lock at src/..`).
    #[track_caller]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> {
        crate::engine::Located::new("Mutex::lock", async move {
            instrument_op(
                &self.resource,
                "Mutex::lock",
                "poll_lock",
                Lock::new(&self.s),
            )
            .await;
            self.resource.update_bool(Attribute::Locked, true);
            MutexGuard {
                lock: self,
                _marker: PhantomData,
            }
        })
    }

    /// Takes the lock if it is free, whether or not tasks are queued for it (a queued task
    /// was woken to retry and will find it taken; see [`Mutex`]).
    ///
    /// ```
    /// let m = runtime::sync::Mutex::new(1);
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        if self.s.try_lock() {
            self.resource.update_bool(Attribute::Locked, true);
            Ok(MutexGuard {
                lock: self,
                _marker: PhantomData,
            })
        } else {
            Err(TryLockError(()))
        }
    }

    /// Waits for the lock, returning a guard that owns an `Arc` to the mutex (cancel-safe).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let m = Arc::new(runtime::sync::Mutex::new(0));
    /// *m.clone().lock_owned().await = 3;
    /// assert_eq!(*m.lock().await, 3);
    /// # });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        instrument_op(
            &self.resource,
            "Mutex::lock_owned",
            "poll_lock",
            Lock::new(&self.s),
        )
        .await;
        self.resource.update_bool(Attribute::Locked, true);
        OwnedMutexGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Takes the lock now if possible, as an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(runtime::sync::Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        if self.s.try_lock() {
            self.resource.update_bool(Attribute::Locked, true);
            Ok(OwnedMutexGuard {
                lock: self,
                _marker: PhantomData,
            })
        } else {
            Err(TryLockError(()))
        }
    }

    /// Borrows the value mutably; no locking needed since `&mut self` is exclusive.
    ///
    /// ```
    /// let mut m = runtime::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` rules out every guard and every other reference (MX1).
        self.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard owns the lock (MX2); shared access through `&self`.
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard owns the lock (MX2) and is borrowed mutably.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.unlock();
        self.lock.resource.update_bool(Attribute::Locked, false);
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(runtime::sync::Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.mutex(), &m));
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard owns the lock (MX2); shared access through `&self`.
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard owns the lock (MX2) and is borrowed mutably.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.s.unlock();
        self.lock.resource.update_bool(Attribute::Locked, false);
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests;
