//! Model of the driver's park protocol over per-worker timer shards
//! (`runtime/src/engine/driver/time.rs`, rules TD1-TD3): a timer filed in any shard while the driver
//! plans its park is either seen by the plan (the park's timeout covers it) or told to unpark
//! the driver. Nothing can leave the driver blocked past a filed deadline.
#![cfg(loom)]

use loom::sync::Arc;
use loom_tests::support::model;
use runtime::__loom::TimerShards;
use std::time::Duration;

/// Far enough that no timer fires during the model: only the park's plan matters.
const SOON_MS: u64 = 3_600_000;
const LATER_MS: u64 = 7_200_000;

/// An empty driver parks "until unparked" ∥ a timer filed in the other worker's shard: the
/// park saw the timer (a finite timeout) or the filer must unpark it.
#[test]
fn timer_filed_in_another_shard_while_parking_is_not_lost() {
    model(|| {
        let shards = Arc::new(TimerShards::new(2));
        let filer = {
            let shards = shards.clone();
            loom::thread::spawn(move || shards.file(1, SOON_MS))
        };
        // The filer runs before, during or after the plan, but before the park ends.
        let (timeout, unpark) = shards.park(|| filer.join().unwrap());
        assert!(
            unpark || timeout.is_some(),
            "the driver would block forever past a filed timer"
        );
        assert_eq!(shards.len(), 1);
    });
}

/// A driver parking towards a later timer in shard 0 ∥ an earlier timer filed in shard 1:
/// the park's timeout ends by the earlier deadline, or the filer unparks the driver.
#[test]
fn earlier_timer_in_another_shard_shortens_or_interrupts_the_park() {
    model(|| {
        let shards = Arc::new(TimerShards::new(2));
        shards.file(0, LATER_MS);
        let filer = {
            let shards = shards.clone();
            loom::thread::spawn(move || shards.file(1, SOON_MS))
        };
        let (timeout, unpark) = shards.park(|| filer.join().unwrap());
        let timeout = timeout.expect("a timer is filed: the park is bounded");
        assert!(
            unpark || timeout <= Duration::from_millis(SOON_MS),
            "the driver would sleep past the earlier timer: {timeout:?}"
        );
        assert_eq!(shards.len(), 2);
    });
}
