//! Models of the shared waiter list (`runtime/src/sync/waiters.rs`) through two of its users:
//! a waiter dropped at the very moment a notifier unlinks it must hand the notification on
//! (the list's rule WL4), so the next waiter completes and nothing is swallowed or doubled.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{Counter, model, poll_once, tracked_waker};
use runtime::sync::{Notify, Semaphore};
use std::sync::Arc;

/// Two `notified()` futures queued, A in front. `notify_one` ∥ dropping A: whichever comes
/// first, B completes (A hands the notification on if it was picked) and no permit is left
/// behind (a fresh waiter stays pending).
#[test]
fn notify_one_racing_front_waiter_drop_reaches_next_waiter() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let mut a = Box::pin(notify.clone().notified_owned());
        let mut b = Box::pin(notify.clone().notified_owned());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert!(poll_once(b.as_mut(), &waker).is_pending());
        let notifier = {
            let notify = notify.clone();
            loom::thread::spawn(move || notify.notify_one())
        };
        let dropper = loom::thread::spawn(move || drop(a));
        block_on(b);
        notifier.join().unwrap();
        dropper.join().unwrap();
        let mut fresh = Box::pin(notify.notified());
        assert!(
            poll_once(fresh.as_mut(), &waker).is_pending(),
            "the one notification was consumed by B, not duplicated into a permit"
        );
        drop(fresh);
        drop(waker);
        assert_eq!(drops.get(), 1, "every clone of the waker was released");
    });
}

/// Two `acquire_owned()` futures queued on a semaphore with no permits. `add_permits(1)` ∥
/// dropping the front acquire: B gets the permit either way, and after B releases it the
/// semaphore holds exactly the one permit again (none lost to the dropped waiter, none minted).
#[test]
fn release_racing_front_acquire_drop_reaches_next_waiter() {
    model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let mut a = Box::pin(sem.clone().acquire_owned());
        let mut b = Box::pin(sem.clone().acquire_owned());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert!(poll_once(b.as_mut(), &waker).is_pending());
        let releaser = {
            let sem = sem.clone();
            loom::thread::spawn(move || sem.add_permits(1))
        };
        let dropper = loom::thread::spawn(move || drop(a));
        let permit = block_on(b).expect("the semaphore is open");
        releaser.join().unwrap();
        dropper.join().unwrap();
        assert_eq!(sem.available_permits(), 0, "B holds the only permit");
        drop(permit);
        assert_eq!(sem.available_permits(), 1, "permits are conserved");
        drop(waker);
        assert_eq!(drops.get(), 1, "every clone of the waker was released");
    });
}
