//! Models of `runtime::sync::Mutex` (its own `RawMutex`: a barging fast path, one woken waiter
//! in flight at a time, and a hand-off once a woken waiter has lost `STARVE_AFTER` times, which
//! is 1 under loom so the hand-off is reached). Every model ends with each locker having run
//! its critical section exactly once; a lost wake-up shows up as a loom deadlock.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{Counter, model, poll_once, tracked_waker};
use runtime::sync::Mutex;
use std::sync::Arc;

/// Two threads and the main thread lock, increment and unlock: no update is lost and nobody
/// sleeps forever (the unlock fast path racing a waiter's queueing CAS, RM3).
#[test]
fn three_lockers_no_lost_update_or_wakeup() {
    model(|| {
        let m = Arc::new(Mutex::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                loom::thread::spawn(move || *block_on(m.lock()) += 1)
            })
            .collect();
        *block_on(m.lock()) += 1;
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.try_lock().expect("everyone unlocked"), 3);
    });
}

/// Held; A and B queued. The unlock ∥ a barging `try_lock` + unlock ∥ A being dropped: B still
/// gets the lock (a woken-then-dropped A passes its wake-up on, or the unlock sees B), and the
/// waker A registered is dropped, never leaked.
#[test]
fn unlock_racing_barger_and_cancelled_woken_waiter() {
    model(|| {
        let m = Arc::new(Mutex::new(Vec::new()));
        let held = m.clone().try_lock_owned().expect("free at first");
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let mut a = Box::pin(m.clone().lock_owned());
        let mut b = Box::pin(m.clone().lock_owned());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert!(poll_once(b.as_mut(), &waker).is_pending());
        drop(waker);
        let releaser = loom::thread::spawn(move || drop(held));
        let barger = {
            let m = m.clone();
            loom::thread::spawn(move || {
                if let Ok(mut g) = m.try_lock() {
                    g.push('x');
                }
            })
        };
        let canceller = loom::thread::spawn(move || drop(a));
        block_on(b).push('b');
        releaser.join().unwrap();
        barger.join().unwrap();
        canceller.join().unwrap();
        let log = m.try_lock().expect("everyone unlocked").clone();
        assert!(
            log == ['b'] || log == ['x', 'b'] || log == ['b', 'x'],
            "{log:?}"
        );
        assert_eq!(drops.get(), 1, "the shared waker was dropped exactly once");
    });
}

/// Held; A queued. The owner unlocks ∥ a barger locks and unlocks, while A retries. With
/// `STARVE_AFTER == 1` a retry that finds the lock taken makes the next unlock hand the lock to
/// A; either way A gets it exactly once and the mutex ends free.
#[test]
fn woken_waiter_losing_to_a_barger_is_handed_the_lock() {
    model(|| {
        let m = Arc::new(Mutex::new(Vec::new()));
        let held = m.clone().try_lock_owned().expect("free at first");
        let mut a = Box::pin(m.clone().lock_owned());
        assert!(poll_once(a.as_mut(), std::task::Waker::noop()).is_pending());
        let releaser = loom::thread::spawn(move || drop(held));
        let barger = {
            let m = m.clone();
            loom::thread::spawn(move || block_on(m.lock()).push('x'))
        };
        block_on(a).push('a');
        releaser.join().unwrap();
        barger.join().unwrap();
        let mut log = m.try_lock().expect("everyone unlocked").clone();
        log.sort_unstable();
        assert_eq!(log, ['a', 'x']);
    });
}
