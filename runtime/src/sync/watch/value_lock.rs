//! The reader-writer lock holding a watch channel's value.
//!
//! Receivers may hold several borrows at once (two receivers, or a receiver and its sender,
//! in one expression), which a mutex would turn into a self-deadlock; so the value sits in an
//! `RwLock`. The `crate::loom` facade has no `RwLock` yet, so this file is the facade entry
//! for it: `parking_lot`'s normally, loom's model under `cfg(loom)`, with one shape. It is
//! meant to move into `crate::loom::sync` as is.

#[cfg(not(loom))]
pub(crate) use parking_lot::{RwLock, RwLockReadGuard};

#[cfg(loom)]
pub(crate) use model::{RwLock, RwLockReadGuard};

#[cfg(loom)]
mod model {
    /// Loom's `RwLock` with `parking_lot`'s shape (no poisoning).
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

    pub(crate) type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::RwLock::new(value))
        }

        pub(crate) fn read(&self) -> loom::sync::RwLockReadGuard<'_, T> {
            self.0.read().unwrap_or_else(|e| e.into_inner())
        }

        pub(crate) fn write(&self) -> loom::sync::RwLockWriteGuard<'_, T> {
            self.0.write().unwrap_or_else(|e| e.into_inner())
        }
    }
}
