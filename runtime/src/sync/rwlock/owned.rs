//! Owned guards of [`RwLock`]: they hold an `Arc` to the lock, so they are `'static`.

use super::RwLock;
use crate::util::instrument::{Update, instrument_op};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

pub use super::TryLockError;

/// Shared access held through an `Arc<RwLock<T>>`.
///
/// ```
/// use std::sync::Arc;
/// let lock = Arc::new(runtime::sync::RwLock::new(1));
/// let r = lock.clone().try_read_owned().unwrap();
/// std::thread::spawn(move || assert_eq!(*r, 1)).join().unwrap();
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    _marker: PhantomData<Arc<T>>,
}

/// Exclusive access held through an `Arc<RwLock<T>>`.
///
/// ```
/// use std::sync::Arc;
/// let lock = Arc::new(runtime::sync::RwLock::new(1));
/// *lock.clone().try_write_owned().unwrap() = 2;
/// assert_eq!(*lock.try_read().unwrap(), 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    _marker: PhantomData<Box<T>>,
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access, returning an owned guard (cancel-safe).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let lock = Arc::new(runtime::sync::RwLock::new(4));
    /// assert_eq!(*lock.clone().read_owned().await, 4);
    /// # });
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        let acquire = self.s.acquire(1);
        let source = "RwLock::read_owned";
        if instrument_op(&self.resource, source, "poll_acquire", acquire)
            .await
            .is_err()
        {
            unreachable!("an RwLock never closes its semaphore");
        }
        self.trace_read(Update::Add);
        OwnedRwLockReadGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Waits for exclusive access, returning an owned guard (cancel-safe).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::sync::Arc;
    /// let lock = Arc::new(runtime::sync::RwLock::new(4));
    /// *lock.clone().write_owned().await += 1;
    /// assert_eq!(*lock.read().await, 5);
    /// # });
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        let acquire = self.s.acquire(self.max_readers as usize);
        let source = "RwLock::write_owned";
        if instrument_op(&self.resource, source, "poll_acquire", acquire)
            .await
            .is_err()
        {
            unreachable!("an RwLock never closes its semaphore");
        }
        self.trace_write(true);
        OwnedRwLockWriteGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Takes shared access now if possible, as an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(runtime::sync::RwLock::new(0));
    /// assert!(lock.clone().try_read_owned().is_ok());
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        match self
            .s
            .try_acquire(1)
            .inspect(|()| self.trace_read(Update::Add))
        {
            Ok(()) => Ok(OwnedRwLockReadGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError::new()),
        }
    }

    /// Takes exclusive access now if possible, as an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let lock = Arc::new(runtime::sync::RwLock::new(0));
    /// let w = lock.clone().try_write_owned().unwrap();
    /// assert!(lock.clone().try_read_owned().is_err());
    /// drop(w);
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        match (self.s.try_acquire(self.max_readers as usize)).inspect(|()| self.trace_write(true)) {
            Ok(()) => Ok(OwnedRwLockWriteGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError::new()),
        }
    }
}

impl<T: ?Sized> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard holds a reader permit, so no writer exists (RW1).
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
        self.lock.trace_read(Update::Sub);
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a write guard holds every permit, so it is the only guard (RW1).
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: a write guard holds every permit (RW1) and is borrowed mutably.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(self.lock.max_readers as usize);
        self.lock.trace_write(false);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
