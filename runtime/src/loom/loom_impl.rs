//! Loom's models of the primitives, with the same names and signatures as `std_impl`.

pub(crate) mod sync {
    pub(crate) use loom::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{
            AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
        };
    }

    /// A guard of [`Mutex`]; the `Option` lets [`Condvar::wait`] move loom's guard in and out,
    /// and the mutex reference lets a zero-timeout wait re-lock it (see `wait_timeout`).
    pub(crate) struct MutexGuard<'a, T>(
        Option<loom::sync::MutexGuard<'a, T>>,
        &'a loom::sync::Mutex<T>,
    );

    impl<T> std::ops::Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            self.0.as_ref().expect("guard present")
        }
    }

    impl<T> std::ops::DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            self.0.as_mut().expect("guard present")
        }
    }

    /// Loom's mutex with `parking_lot`'s shape (no poisoning).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        #[track_caller]
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            MutexGuard(
                Some(self.0.lock().unwrap_or_else(|e| e.into_inner())),
                &self.0,
            )
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock().ok().map(|g| MutexGuard(Some(g), &self.0))
        }

        pub(crate) fn get_mut(&mut self) -> &mut T {
            self.0.get_mut().unwrap_or_else(|e| e.into_inner())
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().unwrap_or_else(|e| e.into_inner())
        }
    }

    pub(crate) use loom::sync::{RwLockReadGuard, RwLockWriteGuard};

    /// Loom's reader-writer lock with `parking_lot`'s shape (no poisoning).
    #[derive(Debug)]
    pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::RwLock::new(value))
        }

        #[track_caller]
        pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
            self.0.read().unwrap_or_else(|e| e.into_inner())
        }

        #[track_caller]
        pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0.write().unwrap_or_else(|e| e.into_inner())
        }
    }

    /// Loom's condition variable with `parking_lot`'s shape.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }

        #[track_caller]
        pub(crate) fn wait<T>(&self, guard: &mut MutexGuard<'_, T>) {
            let inner = guard.0.take().expect("guard present");
            guard.0 = Some(self.0.wait(inner).unwrap_or_else(|e| e.into_inner()));
        }

        /// Loom has no time, so a non-zero timed wait is an untimed wait (it never times out).
        ///
        /// A *zero* timeout expires at once: the lock is released (a point where other threads
        /// may run, as in the real wait) and re-taken, and the wait reports a time-out. Loom's
        /// own `wait_timeout` never times out, so without this no model could reach a time-out
        /// branch; with it, a model configures a zero timeout (the blocking pool's
        /// `keep_alive = 0`) to explore "the timeout fires while work is submitted". The
        /// parkers return before waiting on a zero timeout, so nothing else changes.
        #[track_caller]
        pub(crate) fn wait_timeout<T>(
            &self,
            guard: &mut MutexGuard<'_, T>,
            timeout: std::time::Duration,
        ) -> bool {
            if timeout.is_zero() {
                drop(guard.0.take());
                guard.0 = Some(guard.1.lock().unwrap_or_else(|e| e.into_inner()));
                return true;
            }
            self.wait(guard);
            false
        }

        pub(crate) fn notify_one(&self) -> bool {
            self.0.notify_one();
            true
        }

        pub(crate) fn notify_all(&self) -> usize {
            self.0.notify_all();
            0
        }
    }
}

pub(crate) mod cell {
    pub(crate) use loom::cell::UnsafeCell;
}

pub(crate) mod thread {
    pub(crate) use loom::thread::{
        Builder, JoinHandle, Thread, ThreadId, current, park, spawn, yield_now,
    };
    pub(crate) use std::thread::panicking;
}

/// Declares a thread-local: loom's, so each modelled thread has its own.
macro_rules! rt_thread_local {
    ($(#[$meta:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;) => {
        loom::thread_local! { $(#[$meta])* $vis static $name: $ty = $init; }
    };
}
pub(crate) use rt_thread_local;

pub(crate) mod hint {
    pub(crate) use loom::hint::spin_loop;
}

/// Loom models use two workers.
pub(crate) fn num_cpus() -> usize {
    2
}

/// A fixed seed keeps loom runs deterministic.
pub(crate) fn rand_seed() -> u64 {
    1
}
