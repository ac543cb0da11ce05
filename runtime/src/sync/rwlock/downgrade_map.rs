//! `RwLockWriteGuard::downgrade_map` and `try_downgrade_map`: give up exclusive access for
//! shared access to a part of the value, with no writer able to get in between.

use super::{RwLockReadGuard, RwLockWriteGuard};
use crate::util::instrument::Update;
use std::ptr::NonNull;

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Downgrades to a read guard of the part of the value `f` picks, atomically: no writer
    /// can take the lock between the two (other readers may join at once).
    ///
    /// An associated function (`RwLockWriteGuard::downgrade_map(guard, f)`), so it cannot
    /// shadow a method of `T`. If `f` panics the write guard is dropped, unlocking.
    ///
    /// ```
    /// use runtime::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new((1, String::from("a")));
    /// let mut w = lock.try_write().unwrap();
    /// w.1.push('b');
    /// let name = RwLockWriteGuard::downgrade_map(w, |pair| &pair.1);
    /// assert_eq!(&*name, "ab");
    /// assert!(lock.try_read().is_ok(), "readers may share it now");
    /// assert!(lock.try_write().is_err(), "still locked for writers");
    /// ```
    pub fn downgrade_map<F, U>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
        U: ?Sized,
    {
        let data = NonNull::from(f(&*this));
        Self::into_read(this, data)
    }

    /// Like [`downgrade_map`](Self::downgrade_map), but `f` may decline (`None`): then the
    /// write guard comes back unchanged, still holding exclusive access.
    ///
    /// ```
    /// use runtime::sync::{RwLock, RwLockWriteGuard};
    /// let lock = RwLock::new(vec![1, 2]);
    /// let w = lock.try_write().unwrap();
    /// let w = RwLockWriteGuard::try_downgrade_map(w, |v| v.get(5)).unwrap_err();
    /// assert!(lock.try_read().is_err(), "declined: still write-locked");
    /// let second = RwLockWriteGuard::try_downgrade_map(w, |v| v.get(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn try_downgrade_map<F, U>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
        U: ?Sized,
    {
        match f(&*this).map(NonNull::from) {
            Some(data) => Ok(Self::into_read(this, data)),
            None => Err(this),
        }
    }

    /// Keeps one of the writer's permits as the reader's and returns the rest (RW1); `data`
    /// points into the locked value (RW5).
    fn into_read<U: ?Sized>(this: Self, data: NonNull<U>) -> RwLockReadGuard<'a, U> {
        let lock = this.lock;
        std::mem::forget(this);
        lock.s.release(lock.max_readers as usize - 1);
        lock.trace_write(false);
        lock.trace_read(Update::Add);
        RwLockReadGuard::new(&lock.s, &lock.resource, data)
    }
}
