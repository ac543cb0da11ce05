//! Models of `runtime::sync::Notify` (under `Event`, `Barrier`, `CancellationToken`, `watch`):
//! `notify_one` racing a waiter's registration, `notify_waiters` racing a new waiter.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{model, poll_once};
use runtime::sync::Notify;
use std::sync::Arc;
use std::task::Waker;

/// `notify_one` ∥ a `notified().await` that registers at the same time: the waiter completes
/// whether it found the stored permit or was handed the notification (no lost permit, loom
/// reports a deadlock otherwise), and the permit was consumed, not duplicated.
#[test]
fn notify_one_racing_registration_is_not_lost() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let notifier = {
            let notify = notify.clone();
            loom::thread::spawn(move || notify.notify_one())
        };
        block_on(notify.notified());
        notifier.join().unwrap();
        let mut fresh = Box::pin(notify.notified());
        assert!(
            poll_once(fresh.as_mut(), Waker::noop()).is_pending(),
            "one notify_one completes one waiter"
        );
    });
}

/// A waiter registered earlier, `notify_waiters` ∥ a second `notified()` created meanwhile: the
/// earlier waiter always completes; the newcomer completes only if it was created before the
/// call (it then saw the new generation), and otherwise still waits for a later `notify_one`.
/// Neither receives a stored permit (`notify_waiters` stores none).
#[test]
fn notify_waiters_racing_new_waiter() {
    model(|| {
        let notify = Arc::new(Notify::new());
        let mut early = Box::pin(notify.clone().notified_owned());
        assert!(poll_once(early.as_mut(), Waker::noop()).is_pending());
        let notifier = {
            let notify = notify.clone();
            loom::thread::spawn(move || notify.notify_waiters())
        };
        let mut late = Box::pin(notify.notified());
        let late_done = poll_once(late.as_mut(), Waker::noop()).is_ready();
        block_on(early);
        notifier.join().unwrap();
        if !late_done {
            let again = poll_once(late.as_mut(), Waker::noop()).is_ready();
            if !again {
                notify.notify_one();
                block_on(late);
            }
        }
        let mut fresh = Box::pin(notify.notified());
        assert!(
            poll_once(fresh.as_mut(), Waker::noop()).is_pending(),
            "no permit was left behind"
        );
    });
}

/// A registered waiter re-polled with its stored waker (the lock-free path, rule NT5) ∥ a
/// `notify_one` (or, second half, `notify_waiters`) on another thread: a re-poll that answers
/// `Pending` is followed by exactly one wake of that waker, and the next poll completes; one
/// that answers `Ready` consumed the notification. Never a lost wake-up, never a duplicate.
#[test]
fn lock_free_repoll_racing_notify() {
    use loom_tests::support::{Counter, tracked_waker};
    for all in [false, true] {
        model(move || {
            let notify = Arc::new(Notify::new());
            let (wakes, drops) = (Counter::new(), Counter::new());
            let waker = tracked_waker(&wakes, &drops);
            let mut waiter = Box::pin(notify.clone().notified_owned());
            assert!(poll_once(waiter.as_mut(), &waker).is_pending());
            let notifier = {
                let notify = notify.clone();
                loom::thread::spawn(move || {
                    if all {
                        notify.notify_waiters()
                    } else {
                        notify.notify_one()
                    }
                })
            };
            let first = poll_once(waiter.as_mut(), &waker).is_ready();
            notifier.join().unwrap();
            if !first {
                assert_eq!(wakes.get(), 1, "the racing notify woke the stored waker");
                assert!(poll_once(waiter.as_mut(), &waker).is_ready());
            }
            assert!(wakes.get() <= 1);
            let mut fresh = Box::pin(notify.notified());
            assert!(
                poll_once(fresh.as_mut(), Waker::noop()).is_pending(),
                "the notification was consumed once, no permit left"
            );
        });
    }
}
