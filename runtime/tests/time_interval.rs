//! `Interval` on paused time: exact tick instants for every `MissedTickBehavior`, `reset`,
//! `interval_at`, zero (a panic) and `Duration::MAX` periods, and the coop budget of a burst.

mod support;

use runtime::time::{Instant, MissedTickBehavior, advance, interval, interval_at, sleep};
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(60);
const P: Duration = Duration::from_millis(10);

fn paused() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

/// Ticks once, stalls for 3.5 periods, then records 4 ticks as `(scheduled, observed)` offsets
/// from the start, in milliseconds.
fn late_ticks(behavior: MissedTickBehavior) -> Vec<(u128, u128)> {
    let _dog = Watchdog::new(format!("interval {behavior:?}"), BOUND);
    paused().block_on(async move {
        let start = Instant::now();
        let mut every = interval(P);
        every.set_missed_tick_behavior(behavior);
        assert_eq!(every.tick().await, start);
        advance(P * 7 / 2).await;
        let mut ticks = Vec::new();
        for _ in 0..4 {
            let scheduled = every.tick().await;
            ticks.push(((scheduled - start).as_millis(), start.elapsed().as_millis()));
        }
        ticks
    })
}

#[test]
fn burst_catches_up_back_to_back_then_keeps_the_grid() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Burst),
        [(10, 35), (20, 35), (30, 35), (40, 40)]
    );
}

#[test]
fn delay_restarts_the_schedule_from_the_late_tick() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Delay),
        [(10, 35), (45, 45), (55, 55), (65, 65)]
    );
}

#[test]
fn skip_drops_missed_ticks_and_stays_on_the_grid() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Skip),
        [(10, 35), (40, 40), (50, 50), (60, 60)]
    );
}

#[test]
fn on_time_ticks_are_identical_for_every_behavior() {
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let ticks = paused().block_on(async move {
            let start = Instant::now();
            let mut every = interval(P);
            every.set_missed_tick_behavior(behavior);
            let mut ticks = Vec::new();
            for _ in 0..5 {
                let at = every.tick().await;
                // Work shorter than a period does not shift anything.
                sleep(Duration::from_millis(3)).await;
                ticks.push((at - start).as_millis());
            }
            ticks
        });
        assert_eq!(ticks, [0, 10, 20, 30, 40], "{behavior:?}");
    }
}

#[test]
fn default_behavior_is_burst_and_period_is_reported() {
    let every = interval(Duration::from_millis(25));
    assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Burst);
    assert_eq!(every.period(), Duration::from_millis(25));
}

#[test]
fn reset_and_interval_at_move_the_schedule() {
    paused().block_on(async {
        let start = Instant::now();
        let mut every = interval_at(start + Duration::from_millis(100), P);
        assert_eq!(every.tick().await - start, Duration::from_millis(100));
        assert_eq!(start.elapsed(), Duration::from_millis(100));
        advance(Duration::from_millis(4)).await;
        every.reset();
        assert_eq!(every.tick().await - start, Duration::from_millis(114));
        assert_eq!(every.tick().await - start, Duration::from_millis(124));
    });
}

#[test]
fn max_period_ticks_once() {
    let _dog = Watchdog::new("interval max period", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        let mut once = interval(Duration::MAX);
        assert_eq!(once.tick().await, start);
        let second = runtime::time::timeout(Duration::from_secs(3_600), once.tick()).await;
        assert!(
            second.is_err(),
            "a Duration::MAX interval does not tick again within an hour"
        );
    });
}

#[test]
#[should_panic(expected = "`interval` period must be non-zero")]
fn zero_period_interval_panics_with_a_clear_message() {
    paused().block_on(async {
        let _ = interval(Duration::ZERO);
    });
}

#[test]
#[should_panic(expected = "`interval_at` period must be non-zero")]
fn zero_period_interval_at_panics_with_a_clear_message() {
    paused().block_on(async {
        let _ = interval_at(Instant::now(), Duration::ZERO);
    });
}

/// A `Burst` interval far behind schedule completes its missed ticks at once, and each one
/// spends the cooperative budget: a task spawned beside the catch-up loop runs long before the
/// loop catches up.
#[test]
fn a_burst_of_missed_ticks_lets_another_task_run() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let _dog = Watchdog::new("interval coop", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_millis(1));
        every.set_missed_tick_behavior(MissedTickBehavior::Burst);
        every.tick().await;
        advance(Duration::from_secs(10)).await; // 10 000 ticks due
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        runtime::spawn(async move { flag.store(true, Ordering::SeqCst) });
        let mut caught_up = 0u64;
        while !ran.load(Ordering::SeqCst) {
            caught_up += 1;
            assert!(
                caught_up < 10_000,
                "the burst never yielded to the spawned task"
            );
            let due = every.tick().await;
            assert_eq!(due - start, Duration::from_millis(caught_up));
        }
    });
}

/// `(scheduled - start)` in ms of the next two ticks after one tick, 300 ms of waiting, and
/// the given reset.
fn ticks_after_reset(reset: impl FnOnce(&mut runtime::time::Interval, Instant)) -> [u128; 2] {
    let _dog = Watchdog::new("interval reset", BOUND);
    paused().block_on(async move {
        let start = Instant::now();
        let mut every = interval(Duration::from_secs(1));
        assert_eq!(every.tick().await, start);
        advance(Duration::from_millis(300)).await;
        reset(&mut every, start);
        let a = every.tick().await - start;
        let b = every.tick().await - start;
        [a.as_millis(), b.as_millis()]
    })
}

#[test]
fn reset_immediately_ticks_now_then_every_period_from_now() {
    assert_eq!(ticks_after_reset(|i, _| i.reset_immediately()), [300, 1300]);
}

#[test]
fn reset_after_ticks_after_the_delay_then_every_period() {
    assert_eq!(
        ticks_after_reset(|i, _| i.reset_after(Duration::from_millis(50))),
        [350, 1350]
    );
}

#[test]
fn reset_at_a_future_deadline_ticks_there_then_every_period() {
    assert_eq!(
        ticks_after_reset(|i, start| i.reset_at(start + Duration::from_secs(5))),
        [5000, 6000]
    );
}

#[test]
fn reset_at_a_past_deadline_ticks_at_once_reporting_that_deadline() {
    // The past deadline is the scheduled instant; Burst then keeps the grid from it, so the
    // late tick 250 ms behind is followed by the next one on that grid.
    assert_eq!(
        ticks_after_reset(|i, start| i.reset_at(start + Duration::from_millis(50))),
        [50, 1050]
    );
}

#[test]
fn reset_after_a_huge_duration_never_ticks_instead_of_overflowing() {
    let _dog = Watchdog::new("interval reset_after MAX", BOUND);
    paused().block_on(async {
        let mut every = interval(P);
        every.tick().await;
        every.reset_after(Duration::MAX);
        let fired = runtime::time::timeout(Duration::from_secs(3600), every.tick()).await;
        assert!(fired.is_err(), "a tick `Duration::MAX` away never comes");
    });
}
