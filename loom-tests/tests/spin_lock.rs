//! Models of the owned-task list's shard lock (`util::spin_lock::SpinLock`: acquire by
//! compare-exchange, release by a plain store, waiters spin then yield).
#![cfg(loom)]

use loom_tests::support::model;
use runtime::__loom::SpinLockedPair;
use std::sync::Arc;

/// Two holders race: loom's cell tracking reports both inside the critical section at once,
/// and no update is lost (the release store publishes one holder's writes to the next).
/// Two, not three: loom may schedule two waiters yielding to each other forever while the
/// holder never runs, which exceeds its branch limit without saying anything about the lock.
#[test]
fn holders_exclude_each_other_and_lose_no_update() {
    model(|| {
        let lock = Arc::new(SpinLockedPair::new());
        let other = {
            let lock = lock.clone();
            loom::thread::spawn(move || lock.bump())
        };
        lock.bump();
        other.join().unwrap();
        assert_eq!(lock.get(), (2, 2));
    });
}
