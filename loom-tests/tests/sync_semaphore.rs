//! Models of `runtime::sync::Semaphore` (the fair batch semaphore under `Mutex`, `RwLock`,
//! `Queue` and bounded `mpsc`): FIFO hand-off and permit conservation when releases race
//! queued and cancelled acquires.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{Counter, model, poll_once, tracked_waker};
use runtime::sync::Semaphore;
use std::sync::Arc;

/// One permit, held. A and B queue (in that order). Releasing the held permit ∥ a barging
/// `try_acquire`: the released permit goes to A (FIFO: the barger never takes it while A
/// waits), B stays queued, and the count returns to 1 once everyone let go.
#[test]
fn release_hands_off_fifo_despite_barging_try_acquire() {
    model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().expect("one permit is free");
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let mut a = Box::pin(sem.clone().acquire_owned());
        let mut b = Box::pin(sem.clone().acquire_owned());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert!(poll_once(b.as_mut(), &waker).is_pending());
        let releaser = loom::thread::spawn(move || drop(held));
        let barger = {
            let sem = sem.clone();
            loom::thread::spawn(move || sem.try_acquire().is_ok())
        };
        let permit_a = block_on(a).expect("open");
        releaser.join().unwrap();
        assert!(
            !barger.join().unwrap(),
            "try_acquire never overtakes a queued waiter"
        );
        assert!(
            poll_once(b.as_mut(), &waker).is_pending(),
            "B is still queued"
        );
        drop(permit_a);
        let permit_b = block_on(b).expect("open");
        drop(permit_b);
        assert_eq!(sem.available_permits(), 1, "permits are conserved");
        drop(waker);
        assert_eq!(drops.get(), 1);
    });
}

/// One permit, held; A queued. Releasing ∥ dropping A (cancelled acquire): whether A was
/// already granted the permit or not, the permit is back in the semaphore afterwards.
#[test]
fn release_racing_cancelled_acquire_conserves_permits() {
    model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().expect("one permit is free");
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let mut a = Box::pin(sem.clone().acquire_owned());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        let releaser = loom::thread::spawn(move || drop(held));
        drop(a);
        releaser.join().unwrap();
        assert_eq!(sem.available_permits(), 1, "permits are conserved");
        assert!(wakes.get() <= 1, "A was woken at most once");
        drop(waker);
        assert_eq!(drops.get(), 1, "the dropped waiter released its waker");
    });
}
