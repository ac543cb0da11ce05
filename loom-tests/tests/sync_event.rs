//! Models of `runtime::sync::Event` (level-triggered: stays set until cleared).
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{model, poll_once};
use runtime::sync::Event;
use std::sync::Arc;
use std::task::Waker;

/// `set` ∥ `wait().await`: the waiter always completes (it sees the flag or the wake-up; loom
/// reports a deadlock otherwise) and the event stays set.
#[test]
fn set_racing_wait_completes() {
    model(|| {
        let event = Arc::new(Event::new());
        let setter = {
            let event = event.clone();
            loom::thread::spawn(move || event.set())
        };
        block_on(event.wait());
        setter.join().unwrap();
        assert!(event.is_set(), "the event stays set");
        let mut again = Box::pin(event.wait());
        assert!(poll_once(again.as_mut(), Waker::noop()).is_ready());
    });
}

/// A waiter already waiting, then `set` ∥ `clear`: the waiter completes even when the clear
/// lands right after the set (it was waiting when the event was set), and afterwards the flag
/// and a new `wait()` agree.
#[test]
fn clear_racing_set_still_releases_waiter() {
    model(|| {
        let event = Arc::new(Event::new());
        let mut waiting = Box::pin(event.wait());
        assert!(poll_once(waiting.as_mut(), Waker::noop()).is_pending());
        let setter = {
            let event = event.clone();
            loom::thread::spawn(move || event.set())
        };
        let clearer = {
            let event = event.clone();
            loom::thread::spawn(move || event.clear())
        };
        block_on(waiting);
        setter.join().unwrap();
        clearer.join().unwrap();
        let mut fresh = Box::pin(event.wait());
        assert_eq!(
            poll_once(fresh.as_mut(), Waker::noop()).is_ready(),
            event.is_set(),
            "a new wait completes exactly when the flag is set"
        );
    });
}
