//! `OnceCell`: a value initialised at most once, by whichever task gets there first.
//!
//! The value lives in a `std::sync::OnceLock` (so `get` hands out `&T` without `unsafe`); a
//! one-permit [`RawSemaphore`] elects the single initialiser. After a successful
//! initialisation the semaphore is closed, which wakes every queued initialiser to read the
//! value. An initialiser that fails or is dropped returns its permit, so the next one tries.

use super::batch_semaphore::{RawSemaphore, TryAcquire};
use crate::task::coop;
use std::convert::Infallible;
use std::fmt;
use std::future::{Future, poll_fn};
use std::sync::OnceLock;

/// A cell written once, asynchronously; later readers get a shared reference.
///
/// ```
/// use runtime::sync::OnceCell;
///
/// static CONFIG: std::sync::LazyLock<OnceCell<String>> = std::sync::LazyLock::new(OnceCell::new);
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let v = CONFIG.get_or_init(|| async { "loaded".to_string() }).await;
///     assert_eq!(v, "loaded");
///     // The second initialiser never runs.
///     let v = CONFIG.get_or_init(|| async { unreachable!() }).await;
///     assert_eq!(v, "loaded");
/// });
/// ```
pub struct OnceCell<T> {
    value: OnceLock<T>,
    init: RawSemaphore,
}

/// Why [`OnceCell::set`] failed; both variants give the value back.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initialising the cell right now.
    InitializingError(T),
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("cell already initialized"),
            SetError::InitializingError(_) => f.write_str("cell is being initialized"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

impl<T> SetError<T> {
    /// `true` for [`SetError::AlreadyInitializedError`].
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::new_with(Some(1));
    /// assert!(cell.set(2).unwrap_err().is_already_init_err());
    /// ```
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// `true` for [`SetError::InitializingError`].
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::<u8>::new();
    /// assert!(cell.set(1).is_ok());
    /// assert!(!cell.set(2).unwrap_err().is_initializing_err());
    /// ```
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> OnceCell<T> {
    /// An empty cell.
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::<u32>::new();
    /// assert!(cell.get().is_none());
    /// ```
    pub fn new() -> Self {
        Self {
            value: OnceLock::new(),
            init: RawSemaphore::new(1),
        }
    }

    /// [`new`](Self::new) in a `const` context, so a `static` needs no lazy wrapper.
    ///
    /// ```
    /// use runtime::sync::OnceCell;
    /// static CONFIG: OnceCell<String> = OnceCell::const_new();
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let v = CONFIG.get_or_init(|| async { "loaded".to_string() }).await;
    /// assert_eq!(v, "loaded");
    /// # });
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        Self {
            value: OnceLock::new(),
            init: RawSemaphore::const_new(1),
        }
    }

    /// A cell holding `value` if it is `Some`.
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::new_with(Some(3));
    /// assert_eq!(cell.get(), Some(&3));
    /// ```
    pub fn new_with(value: Option<T>) -> Self {
        let cell = Self::new();
        if let Some(value) = value {
            cell.store(value);
        }
        cell
    }

    /// The value, if initialised.
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::new();
    /// cell.set(5).unwrap();
    /// assert_eq!(cell.get(), Some(&5));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// `true` once a value is stored.
    ///
    /// ```
    /// let cell = runtime::sync::OnceCell::new();
    /// assert!(!cell.initialized());
    /// cell.set(()).unwrap();
    /// assert!(cell.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        self.value.get().is_some()
    }

    /// Stores `value` unless the cell is set or being initialised.
    ///
    /// ```
    /// use runtime::sync::{OnceCell, SetError};
    /// let cell = OnceCell::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitializedError(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        match self.init.try_acquire(1) {
            Ok(()) => {
                self.store(value);
                Ok(())
            }
            Err(TryAcquire::Closed) => Err(SetError::AlreadyInitializedError(value)),
            Err(TryAcquire::NoPermits) => Err(SetError::InitializingError(value)),
        }
    }

    /// Returns the value, running `f` to create it if the cell is empty. Concurrent callers
    /// wait for the one initialiser instead of running `f` themselves.
    ///
    /// Cancel safety: cancel-safe. If the initialising call is dropped mid-way, the next
    /// waiting caller runs its own `f`.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let cell = runtime::sync::OnceCell::new();
    /// assert_eq!(*cell.get_or_init(|| async { 1 + 1 }).await, 2);
    /// # });
    /// ```
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let result = self
            .get_or_try_init(|| async { Ok::<T, Infallible>(f().await) })
            .await;
        match result {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](Self::get_or_init) with a fallible `f`: an `Err` is returned and
    /// leaves the cell empty for the next caller. Cancel-safe in the same way.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let cell = runtime::sync::OnceCell::<u8>::new();
    /// assert_eq!(cell.get_or_try_init(|| async { Err("nope") }).await, Err("nope"));
    /// assert_eq!(cell.get_or_try_init(|| async { Ok::<_, ()>(7) }).await, Ok(&7));
    /// # });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // A set cell answers at once but still spends a budget unit (coop), so a loop over
        // it yields; the unit goes back if the cell is empty (the acquire spends its own).
        let mut coop = poll_fn(coop::poll_proceed).await;
        if let Some(value) = self.get() {
            coop.made_progress();
            return Ok(value);
        }
        drop(coop);
        if self.init.acquire(1).await.is_err() {
            // Closed: only done right after a value was stored.
            return Ok(self
                .get()
                .expect("OnceCell semaphore closed without a value"));
        }
        // We hold the only permit; give it back if `f` fails or this future is dropped.
        struct Release<'a>(&'a RawSemaphore);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.release(1);
            }
        }
        let guard = Release(&self.init);
        let value = f().await?;
        std::mem::forget(guard);
        Ok(self.store(value))
    }

    /// Mutable access to the value, if set.
    ///
    /// ```
    /// let mut cell = runtime::sync::OnceCell::new_with(Some(1));
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Empties the cell, returning the value if there was one.
    ///
    /// ```
    /// let mut cell = runtime::sync::OnceCell::new_with(Some(1));
    /// assert_eq!(cell.take(), Some(1));
    /// assert!(cell.set(2).is_ok());
    /// ```
    pub fn take(&mut self) -> Option<T> {
        std::mem::take(self).into_inner()
    }

    /// Consumes the cell, returning the value if there was one.
    ///
    /// ```
    /// assert_eq!(runtime::sync::OnceCell::new_with(Some("v")).into_inner(), Some("v"));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Stores the value (the caller holds the permit) and closes the election.
    fn store(&self, value: T) -> &T {
        let stored = self.value.get_or_init(|| value);
        self.init.close();
        stored
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        Self::new_with(Some(value))
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

#[cfg(test)]
mod tests;
