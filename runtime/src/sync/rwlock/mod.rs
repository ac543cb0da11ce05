//! `RwLock`: a fair, write-preferring async reader-writer lock.
//!
//! # Invariants (cited by the `SAFETY` comments)
//!
//! - **RW1.** The lock is a [`RawSemaphore`] with `max_readers` permits: a reader holds one, a
//!   writer holds all of them. So while a write guard exists no other guard exists, and while read
//!   guards exist no write guard exists.
//! - **RW2.** The value is only reached through a guard or `&mut RwLock`.
//! - **RW3.** The semaphore is FIFO, so a queued writer collects permits as readers leave and later
//!   readers queue behind it: writers cannot starve, readers never overtake a waiting writer.
//! - **RW4.** Guard auto traits follow from their `PhantomData` markers: a read guard behaves like
//!   `&T`, a write guard like `&mut T`. A read guard reaches its value by a pointer (so that
//!   `RwLockWriteGuard::downgrade_map` can point it at a part of the value); its `Send` and
//!   `Sync` are spelled out to match `&T`'s.
//! - **RW5.** A read guard's pointer points into the lock's value (or a part of it a mapping
//!   closure chose while the lock was held), so it is valid for the guard's lifetime `'a`,
//!   during which the lock cannot move or drop.

use super::batch_semaphore::RawSemaphore;
use crate::loom::cell::UnsafeCell;
use crate::util::instrument::{Attribute, Resource, Update, instrument_op};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

pub use super::mutex::TryLockError;

/// The default cap on concurrent readers, as in Tokio (`u32::MAX >> 3`).
const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock: many readers or one writer, served in arrival order.
///
/// Every acquiring `.await` is cancel-safe: a dropped future gives its place (and any permits
/// collected so far) back.
///
/// ```
/// use runtime::sync::RwLock;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let lock = RwLock::new(5);
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    pub(super) max_readers: u32,
    pub(super) s: RawSemaphore,
    /// The `tracing` resource (zero-sized without the feature).
    pub(super) resource: Resource,
    pub(super) data: UnsafeCell<T>,
}

// SAFETY: readers on several threads share `&T` (needs `T: Sync`) and a writer may get `&mut T`
// on any thread (needs `T: Send`), never both at once (RW1), as for `std::sync::RwLock`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: moving the lock moves the owned `T`, which no guard can outlive (RW2).
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

/// Shared access to an [`RwLock`]'s value; released on drop.
///
/// ```
/// let lock = runtime::sync::RwLock::new(1);
/// let guard = lock.try_read().unwrap();
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    /// The lock's semaphore (one reader permit is held) and `tracing` resource.
    s: &'a RawSemaphore,
    resource: &'a Resource,
    /// The value, or the part of it `downgrade_map` chose (RW5).
    data: NonNull<T>,
    _marker: PhantomData<&'a T>,
}

// SAFETY: a read guard gives `&T` only (RW1, RW5), like a `&'a T`, which is `Send` when
// `T: Sync`; the semaphore and resource it borrows are `Sync`.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above: sharing the guard shares `&T`, which needs `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// A guard for `data`, whose reader permit the caller holds (RW1) and which lives in (a
    /// part of the value of) the lock owning `s` (RW5).
    fn new(s: &'a RawSemaphore, resource: &'a Resource, data: NonNull<T>) -> Self {
        Self {
            s,
            resource,
            data,
            _marker: PhantomData,
        }
    }
}

/// Exclusive access to an [`RwLock`]'s value; released on drop.
///
/// ```
/// let lock = runtime::sync::RwLock::new(1);
/// *lock.try_write().unwrap() = 2;
/// assert_eq!(*lock.try_read().unwrap(), 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _marker: PhantomData<&'a mut T>,
}

impl<T> RwLock<T> {
    /// Creates an unlocked lock.
    ///
    /// ```
    /// let lock = runtime::sync::RwLock::new("v");
    /// assert_eq!(lock.into_inner(), "v");
    /// ```
    #[cfg_attr(feature = "tracing", track_caller)]
    pub fn new(value: T) -> Self {
        Self::with_max_readers(value, MAX_READS)
    }

    /// Creates a lock admitting at most `max_readers` concurrent readers.
    ///
    /// # Panics
    ///
    /// If `max_readers` is 0 or above `u32::MAX >> 3` (as in Tokio).
    ///
    /// ```
    /// let lock = runtime::sync::RwLock::with_max_readers(0, 1);
    /// let _r = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_readers: u32) -> Self {
        assert!(
            (1..=MAX_READS).contains(&max_readers),
            "max_readers must be in 1..={MAX_READS}, got {max_readers}"
        );
        let resource = Resource::new("RwLock", "Sync");
        resource.update_u64(Attribute::MaxReaders, u64::from(max_readers), Update::Set);
        resource.update_bool(Attribute::WriteLocked, false);
        resource.update_u64(Attribute::CurrentReaders, 0, Update::Set);
        Self {
            max_readers,
            s: RawSemaphore::new(max_readers as usize),
            resource,
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock, returning the value.
    ///
    /// ```
    /// assert_eq!(runtime::sync::RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access (queues behind any waiting writer). Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let lock = runtime::sync::RwLock::new(1);
    /// assert_eq!(*lock.read().await, 1);
    /// # });
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        let acquire = self.s.acquire(1);
        let source = "RwLock::read";
        if instrument_op(&self.resource, source, "poll_acquire", acquire)
            .await
            .is_err()
        {
            unreachable!("an RwLock never closes its semaphore");
        }
        self.trace_read(Update::Add);
        self.read_guard()
    }

    /// Waits for exclusive access. Cancel-safe: a dropped future releases the reader slots it
    /// had collected and gives its turn away.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let lock = runtime::sync::RwLock::new(1);
    /// *lock.write().await = 9;
    /// assert_eq!(*lock.read().await, 9);
    /// # });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        let acquire = self.s.acquire(self.max_readers as usize);
        let source = "RwLock::write";
        if instrument_op(&self.resource, source, "poll_acquire", acquire)
            .await
            .is_err()
        {
            unreachable!("an RwLock never closes its semaphore");
        }
        self.trace_write(true);
        RwLockWriteGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Takes shared access now if no writer holds or awaits the lock.
    ///
    /// ```
    /// let lock = runtime::sync::RwLock::new(1);
    /// let w = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// drop(w);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self
            .s
            .try_acquire(1)
            .inspect(|()| self.trace_read(Update::Add))
        {
            Ok(()) => Ok(self.read_guard()),
            Err(_) => Err(TryLockError::new()),
        }
    }

    /// Takes exclusive access now if the lock is free.
    ///
    /// ```
    /// let lock = runtime::sync::RwLock::new(1);
    /// let r = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(r);
    /// assert!(lock.try_write().is_ok());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match (self.s.try_acquire(self.max_readers as usize)).inspect(|()| self.trace_write(true)) {
            Ok(()) => Ok(RwLockWriteGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError::new()),
        }
    }

    /// Borrows the value mutably without locking (`&mut self` is exclusive).
    ///
    /// ```
    /// let mut lock = runtime::sync::RwLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard and reference (RW2).
        self.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> RwLock<T> {
    /// A read guard for the whole value; the caller holds a reader permit (RW1).
    fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        // The pointer is used by `Deref` only while the guard borrows `self` (RW5).
        let data = self.data.with(|p| NonNull::new(p.cast_mut()));
        RwLockReadGuard::new(
            &self.s,
            &self.resource,
            data.expect("a cell's pointer is never null"),
        )
    }

    /// Reports a reader more or fewer to `tracing` (nothing without the feature).
    #[inline(always)]
    pub(super) fn trace_read(&self, op: Update) {
        trace_read(&self.resource, op);
    }

    /// Reports the writer's arrival or departure to `tracing` (nothing without the feature).
    #[inline(always)]
    pub(super) fn trace_write(&self, locked: bool) {
        self.resource.update_bool(Attribute::WriteLocked, locked);
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns exclusive access into shared access without letting a writer in between.
    ///
    /// ```
    /// let lock = runtime::sync::RwLock::new(1);
    /// let w = lock.try_write().unwrap();
    /// let r = w.downgrade();
    /// assert!(lock.try_read().is_ok());
    /// assert_eq!(*r, 1);
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        std::mem::forget(self);
        lock.s.release(lock.max_readers as usize - 1);
        lock.trace_write(false);
        lock.trace_read(Update::Add);
        lock.read_guard()
    }
}

/// Reports a reader more or fewer to `tracing` (nothing without the feature).
#[inline(always)]
fn trace_read(resource: &Resource, op: Update) {
    resource.update_u64(Attribute::CurrentReaders, 1, op);
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard holds a reader permit, so no writer exists (RW1), and its
        // pointer is valid for the guard's lifetime (RW5).
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(1);
        trace_read(self.resource, Update::Sub);
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a write guard holds every permit, so it is the only guard (RW1).
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: a write guard holds every permit (RW1) and is borrowed mutably.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(self.lock.max_readers as usize);
        self.lock.trace_write(false);
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(not(loom))]
mod const_new;
mod downgrade_map;
mod owned;
pub use owned::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard};

#[cfg(test)]
mod tests;
