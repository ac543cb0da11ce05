//! Models of a timer entry (`runtime/src/engine/driver/entry.rs`) racing the driver's fire path
//! (`TimeState::fire_due` in `runtime/src/engine/driver/time.rs`): a `Sleep` cancelled (dropped) or
//! reset on one thread while the clock's advance fires it on the runtime's thread.
//!
//! The runtime is a current-thread one on paused time: `time::advance` moves the clock and runs
//! the driver's `fire_due` on the main thread while a loom thread owns the `Sleep`.
#![cfg(loom)]

use loom_tests::support::{Counter, model, poll_once, tracked_waker};
use runtime::time::{self, Duration, Instant};

fn paused_runtime() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

/// A fire seen by the dropping thread (`is_elapsed`) must have woken the waker.
fn fire_woke(fired_first: bool, wakes: &Counter) -> bool {
    !fired_first || wakes.get() == 1
}

/// A filed `Sleep` dropped on one thread ∥ its deadline fired by the driver on another: no
/// panic, the wheel ends empty (the cancel removed it or the fire did, never both), and the
/// stored waker is released exactly once: woken by the fire or dropped with the entry.
#[test]
fn sleep_dropped_while_timer_fires() {
    model(|| {
        let rt = paused_runtime();
        let metrics = rt.metrics();
        let (wakes, drops) = (Counter::new(), Counter::new());
        rt.block_on(async {
            let mut sleep = time::sleep(Duration::from_millis(10));
            let waker = tracked_waker(&wakes, &drops);
            assert!(poll_once(std::pin::Pin::new(&mut sleep), &waker).is_pending());
            drop(waker);
            assert_eq!(metrics.num_timers(), 1, "the first poll filed the entry");
            let dropper = loom::thread::spawn(move || {
                let fired_first = sleep.is_elapsed();
                drop(sleep);
                fired_first
            });
            time::advance(Duration::from_millis(10)).await;
            let fired_first = dropper.join().unwrap();
            assert!(
                fire_woke(fired_first, &wakes),
                "a fire wakes the stored waker"
            );
        });
        assert_eq!(metrics.num_timers(), 0, "no entry left in the wheel");
        assert!(wakes.get() <= 1, "fired at most once");
        assert_eq!(
            drops.get(),
            1,
            "the waker was released exactly once (no leak)"
        );
        drop(rt);
    });
}

/// A filed 10 ms `Sleep` reset to 30 ms on one thread ∥ the clock advancing to 10 ms and firing
/// on another: whether the fire or the reset came first, the sleep is not complete at 10 ms
/// (the next poll re-files it), completes at exactly 30 ms, and leaves no entry behind.
#[test]
fn sleep_reset_racing_fire() {
    model(|| {
        let rt = paused_runtime();
        let metrics = rt.metrics();
        let (wakes, drops) = (Counter::new(), Counter::new());
        rt.block_on(async {
            let start = Instant::now();
            let mut sleep = time::sleep(Duration::from_millis(10));
            let waker = tracked_waker(&wakes, &drops);
            assert!(poll_once(std::pin::Pin::new(&mut sleep), &waker).is_pending());
            let later = sleep.deadline() + Duration::from_millis(20);
            let resetter = loom::thread::spawn(move || {
                sleep.reset(later);
                sleep
            });
            time::advance(Duration::from_millis(10)).await;
            let mut sleep = resetter.join().unwrap();
            assert_eq!(start.elapsed(), Duration::from_millis(10));
            assert!(
                poll_once(std::pin::Pin::new(&mut sleep), &waker).is_pending(),
                "reset to 30 ms: not complete at 10 ms"
            );
            assert_eq!(metrics.num_timers(), 1, "filed at its new deadline");
            time::advance(Duration::from_millis(20)).await;
            assert!(poll_once(std::pin::Pin::new(&mut sleep), &waker).is_ready());
            assert_eq!(start.elapsed(), Duration::from_millis(30));
            assert_eq!(metrics.num_timers(), 0);
            drop(sleep);
            drop(waker);
        });
        assert!(
            (1..=2).contains(&wakes.get()),
            "woken by each fire, at most twice"
        );
        assert_eq!(
            drops.get(),
            1,
            "the waker was released exactly once (no leak)"
        );
        drop(rt);
    });
}

/// A filed `Sleep` re-polled with the waker it stored (the lock-free path, rule E1 in
/// `engine/driver/entry.rs`) on one thread ∥ its deadline fired by the driver on another: a
/// re-poll that answers `Pending` is followed by exactly one wake (the fire took that very
/// waker), one that answers `Ready` saw the fire; never a lost wake-up, never two.
#[test]
fn sleep_repolled_lock_free_while_timer_fires() {
    model(|| {
        let rt = paused_runtime();
        let (wakes, drops) = (Counter::new(), Counter::new());
        rt.block_on(async {
            let mut sleep = time::sleep(Duration::from_millis(10));
            let waker = tracked_waker(&wakes, &drops);
            assert!(poll_once(std::pin::Pin::new(&mut sleep), &waker).is_pending());
            let poller = loom::thread::spawn(move || {
                let repoll = poll_once(std::pin::Pin::new(&mut sleep), &waker);
                (repoll.is_ready(), sleep, waker)
            });
            time::advance(Duration::from_millis(10)).await;
            let (ready, mut sleep, waker) = poller.join().unwrap();
            assert_eq!(
                wakes.get(),
                1,
                "the fire woke the stored waker once (ready: {ready})"
            );
            assert!(poll_once(std::pin::Pin::new(&mut sleep), &waker).is_ready());
            assert_eq!(wakes.get(), 1);
            drop(sleep);
            drop(waker);
        });
        assert_eq!(
            drops.get(),
            1,
            "the waker was released exactly once (no leak)"
        );
        drop(rt);
    });
}
