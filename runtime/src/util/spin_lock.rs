//! A lock whose release is a plain store, for critical sections of a few instructions.
//!
//! The owned-task list locks a shard twice per task (insert at spawn, removal at completion),
//! each time for a handful of instructions. With `parking_lot`'s mutex both the acquire and
//! the release are locked read-modify-writes (the release must learn whether a waiter
//! parked), and on x86-64 each is a full barrier costing ~5.5 ns here (`lock_cost` in
//! `benches`): `perf` put ~8 % of `spawn_many_local_1w`'s samples on the two releases, and
//! replacing them took that workload from 182 to 175 ns per task. A waiter on a
//! [`SpinLock`] never parks: it spins briefly, then yields its time slice until the holder is
//! done, so the release is a `Release` store and a critical section costs one
//! read-modify-write instead of two.
//!
//! Use it only where the critical section is short, bounded and runs no user code: a holder
//! that is descheduled makes its waiters yield until it runs again. The closure API keeps it
//! that way (no guard can be held across an `.await` or a call out).
//!
//! # Invariants (the `unsafe` below relies on them)
//! - **SL1.** `locked` is `true` exactly while one call of [`SpinLock::with`] runs its
//!   closure; only that call clears it (also when the closure unwinds).
//! - **SL2.** The value is reached only inside that closure, so at most one `&mut T` exists
//!   at a time: the acquiring compare-exchange (`Acquire`) reads the previous holder's
//!   releasing store (`Release`), so every access by one holder happens before every access
//!   by the next.
//! - **SL3.** The lock owns its value outright: the `T` moves and drops with the lock, and
//!   the lock holds no state tied to a thread.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};

/// Spins (doubling each round) before a waiter starts yielding its time slice.
const SPIN_ROUNDS: u32 = 6;

/// Mutual exclusion for short critical sections; see the module docs.
pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&mut T` to one thread at a time (module invariants), so sharing
// the lock between threads is sound exactly when `T` may be sent between them (SL1, SL2).
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: owning the lock is owning the `T` (SL3).
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub(crate) fn new(value: T) -> SpinLock<T> {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access to the value.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        self.acquire();
        let _unlock = Unlock(&self.locked);
        self.value.with_mut(|ptr| {
            // SAFETY: we hold the lock (set by `acquire`, cleared only by `_unlock` after this
            // closure), so no other reference to the value exists (SL1, SL2).
            f(unsafe { &mut *ptr })
        })
    }

    #[inline]
    fn acquire(&self) {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.acquire_contended();
        }
    }

    #[cold]
    fn acquire_contended(&self) {
        let mut round = 0;
        loop {
            if cfg!(loom) {
                // Loom may let a plain load read a stale `true` forever; between two
                // compare-exchanges (which always read the latest value) a yield lets the
                // holder run instead.
                crate::loom::thread::yield_now();
            } else {
                // Wait on a plain load (the line stays shared) until the lock looks free.
                while self.locked.load(Ordering::Relaxed) {
                    if round < SPIN_ROUNDS {
                        for _ in 0..1 << round {
                            crate::loom::hint::spin_loop();
                        }
                        round += 1;
                    } else {
                        crate::loom::thread::yield_now();
                    }
                }
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
}

/// Clears the lock when dropped: after the closure returns or while it unwinds.
struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::SpinLock;
    use std::sync::Arc;

    #[test]
    fn holders_exclude_each_other() {
        let lock = Arc::new(SpinLock::new((0u64, 0u64)));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        lock.with(|(a, b)| {
                            // A second holder between these two writes would make them differ.
                            *a += 1;
                            std::hint::black_box(&*a);
                            *b += 1;
                        });
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(lock.with(|pair| *pair), (40_000, 40_000));
    }

    #[test]
    fn a_panicking_holder_releases_the_lock() {
        let lock = SpinLock::new(vec![1]);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock.with(|v| {
                v.push(2);
                panic!("inside the critical section");
            })
        }));
        assert!(caught.is_err());
        assert_eq!(lock.with(|v| v.clone()), vec![1, 2]);
    }
}
