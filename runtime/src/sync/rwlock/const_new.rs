//! `RwLock::const_new` and `RwLock::const_with_max_readers`: locks built in a `const`
//! context (a `static`), without the `tracing` feature's resource span, as Tokio's. Not under
//! loom, whose primitives have no `const` constructors.

use super::{MAX_READS, RwLock};
use crate::loom::cell::UnsafeCell;
use crate::sync::batch_semaphore::RawSemaphore;
use crate::util::instrument::Resource;

impl<T> RwLock<T> {
    /// [`new`](Self::new) in a `const` context (for a `static`). Without the `tracing`
    /// feature's resource span, as Tokio's.
    ///
    /// ```
    /// static COUNTER: runtime::sync::RwLock<u64> = runtime::sync::RwLock::const_new(0);
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// *COUNTER.write().await += 1;
    /// assert_eq!(*COUNTER.read().await, 1);
    /// # });
    /// ```
    pub const fn const_new(value: T) -> Self {
        Self::const_with_max_readers(value, MAX_READS)
    }

    /// [`with_max_readers`](Self::with_max_readers) in a `const` context.
    ///
    /// # Panics
    /// If `max_readers` is 0 or above `u32::MAX >> 3` (at compile time in a `const` or
    /// `static` initialiser).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    /// static PAIR: RwLock<[u8; 2]> = RwLock::const_with_max_readers([1, 2], 2);
    /// let a = PAIR.try_read().unwrap();
    /// let b = PAIR.try_read().unwrap();
    /// assert!(PAIR.try_read().is_err(), "at most two readers");
    /// assert_eq!(a[0] + b[1], 3);
    /// ```
    pub const fn const_with_max_readers(value: T, max_readers: u32) -> Self {
        assert!(
            max_readers >= 1 && max_readers <= MAX_READS,
            "max_readers must be in 1..=u32::MAX >> 3"
        );
        Self {
            max_readers,
            s: RawSemaphore::const_new(max_readers as usize),
            resource: Resource::none(),
            data: UnsafeCell::new(value),
        }
    }
}
