//! The one door through which this crate's shared state gets its primitives.
//!
//! The readiness word, the per-registration waiter lists and the registration slots import their
//! atomics, `Arc` and `Mutex` from here. Normally these are `std`'s atomics and `Arc` and
//! `parking_lot`'s mutex; under `--cfg loom` they are loom's models, so `loom-tests/` can explore
//! every interleaving of set-readiness vs. clear-on-`WouldBlock` vs. shutdown vs. waker
//! registration. The mutex has `parking_lot`'s shape in both worlds: `lock()` returns the guard,
//! no poisoning.

#[cfg(not(loom))]
pub(crate) mod sync {
    pub(crate) use std::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    }

    pub(crate) use parking_lot::Mutex;
}

#[cfg(loom)]
pub(crate) mod sync {
    pub(crate) use loom::sync::{Arc, MutexGuard};

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    }

    /// Loom's mutex with `parking_lot`'s shape (no poisoning).
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }
}
