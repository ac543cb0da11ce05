//! Model of `runtime::sync::watch`: the value behind the facade's `RwLock`
//! (`crate::loom::sync::RwLock`, loom's model here) and the version/`Notify` hand-shake.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::model;
use runtime::sync::watch;

/// A sender publishing 1 then 2 and dropping ∥ a receiver awaiting changes: every `changed()`
/// completes (no lost wake-up), the values seen only move forward and end at 2 (the latest is
/// never missed), and `changed()` reports the closed channel once nothing unseen is left.
///
/// This model found a bug, since fixed: `changed` read `version` (nothing unseen), the sender
/// sent 2 and dropped, then `changed` read `closed` and returned `Err` with version 2 unseen
/// (observed `seen == [1]`). `changed` now re-checks `unseen()` after seeing `closed`.
#[test]
fn sends_racing_changed_never_miss_the_latest() {
    model(|| {
        let (tx, mut rx) = watch::channel(0u32);
        let sender = loom::thread::spawn(move || {
            tx.send(1).expect("the receiver is alive");
            tx.send(2).expect("the receiver is alive");
        });
        let mut seen = Vec::new();
        while block_on(rx.changed()).is_ok() {
            seen.push(*rx.borrow_and_update());
        }
        sender.join().unwrap();
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "monotonic: {seen:?}");
        assert_eq!(seen.last(), Some(&2), "the latest value is seen: {seen:?}");
        assert_eq!(*rx.borrow(), 2);
    });
}
