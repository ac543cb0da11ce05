//! `sleep`, `sleep_until`, `Sleep::reset`: ordering, rounding, zero and `Duration::MAX`
//! durations, paused time and auto-advance, real time on both flavors, and shutdown.

mod support;

use runtime::time::{Instant, advance, pause, sleep, sleep_until};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(60);

fn paused() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

/// Spawns one task per `(label, ms)` sleeping `ms` and records the completion order and times.
async fn run_sleepers(delays: &[u64]) -> Vec<(u64, Duration)> {
    let start = Instant::now();
    let log = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = delays
        .iter()
        .map(|&ms| {
            let log = log.clone();
            runtime::spawn(async move {
                // One common start: a task first polled late still has the same deadline.
                sleep_until(start + Duration::from_millis(ms)).await;
                log.lock().unwrap().push((ms, start.elapsed()));
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    Arc::try_unwrap(log).unwrap().into_inner().unwrap()
}

#[test]
fn paused_sleeps_complete_in_deadline_order_at_exact_instants() {
    let _dog = Watchdog::new("paused deadline order", BOUND);
    let delays = [70, 5, 3_000, 64, 1, 65, 250_000, 4_096, 2];
    let log = paused().block_on(run_sleepers(&delays));
    let mut expected: Vec<u64> = delays.to_vec();
    expected.sort_unstable();
    let order: Vec<u64> = log.iter().map(|&(ms, _)| ms).collect();
    assert_eq!(order, expected);
    for (ms, at) in log {
        assert_eq!(at, Duration::from_millis(ms), "sleep of {ms} ms");
    }
}

#[test]
fn real_sleeps_complete_in_deadline_order_and_never_early() {
    let _dog = Watchdog::new("real deadline order", BOUND);
    let delays = [40, 10, 25, 1, 60];
    for (flavor, rt) in [
        ("current", support::current()),
        ("multi", support::multi(2)),
    ] {
        let log = rt.block_on(run_sleepers(&delays));
        let order: Vec<u64> = log.iter().map(|&(ms, _)| ms).collect();
        if flavor == "current" {
            // One thread: the driver wakes due timers in deadline order, and they run in it.
            assert_eq!(order, [1, 10, 25, 40, 60]);
        } else {
            // Two workers: sleepers whose deadlines both passed before one driver turn (a
            // loaded machine) are woken together and may run (and log) in either order. Any
            // other inversion means a later deadline fired first.
            for (i, &(first_ms, _)) in log.iter().enumerate() {
                for &(next_ms, next_at) in &log[i + 1..] {
                    assert!(
                        next_ms > first_ms || next_at >= Duration::from_millis(first_ms),
                        "the {first_ms} ms sleeper finished before the {next_ms} ms one, which \
                         was not late enough to share its wake-up: {log:?}"
                    );
                }
            }
        }
        for (ms, at) in log {
            assert!(
                at >= Duration::from_millis(ms),
                "sleep of {ms} ms ended early: {at:?}"
            );
        }
    }
}

#[test]
fn an_hour_of_sleeps_finishes_instantly_with_start_paused() {
    let _dog = Watchdog::new("hour of sleeps", BOUND);
    let real_start = std::time::Instant::now();
    let virtual_elapsed = paused().block_on(async {
        let start = Instant::now();
        for _ in 0..60 {
            sleep(Duration::from_secs(60)).await;
        }
        start.elapsed()
    });
    assert_eq!(virtual_elapsed, Duration::from_secs(3_600));
    // Not a timing threshold: an hour of real sleeping would trip the watchdog long before.
    assert!(real_start.elapsed() < Duration::from_secs(3_600));
}

#[test]
fn zero_duration_and_past_deadline_complete_on_first_poll() {
    let rt = support::current();
    rt.block_on(async {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut zero = sleep(Duration::ZERO);
        assert_eq!(std::pin::Pin::new(&mut zero).poll(&mut cx), Poll::Ready(()));
        let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
        let mut late = sleep_until(past);
        assert_eq!(std::pin::Pin::new(&mut late).poll(&mut cx), Poll::Ready(()));
        assert_eq!(runtime::Handle::current().metrics().num_timers(), 0);
    });
}

#[test]
fn duration_max_sleep_is_still_pending_after_a_year_and_does_not_overflow() {
    let _dog = Watchdog::new("duration max", BOUND);
    let rt = paused();
    let metrics = rt.metrics();
    rt.block_on(async {
        let start = Instant::now();
        let mut never = sleep(Duration::MAX); // clamped to 30 years
        assert!(never.deadline() > start + Duration::from_secs(86_400 * 365 * 29));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert_eq!(std::pin::Pin::new(&mut never).poll(&mut cx), Poll::Pending);
        assert_eq!(metrics.num_timers(), 1);
        // Idle with the 30-year timer plus a 5 s one: auto-advance goes to the earlier one.
        sleep(Duration::from_secs(5)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        advance(Duration::from_secs(86_400 * 365)).await;
        assert_eq!(std::pin::Pin::new(&mut never).poll(&mut cx), Poll::Pending);
        assert!(!never.is_elapsed());
        drop(never);
        assert_eq!(metrics.num_timers(), 0);
        // `Duration::MAX` through `Instant` arithmetic saturates instead of panicking too.
        let far = Instant::now() + Duration::MAX;
        assert!(far > Instant::now());
    });
}

#[test]
fn reset_later_and_earlier_moves_the_completion() {
    let _dog = Watchdog::new("reset", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        let mut cx = Context::from_waker(std::task::Waker::noop());

        // Later: registered at 10 ms, moved to 30 ms; advancing to 10 does not fire it.
        let mut nap = sleep(Duration::from_millis(10));
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Pending);
        nap.reset(start + Duration::from_millis(30));
        advance(Duration::from_millis(10)).await;
        assert!(!nap.is_elapsed());
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Pending);
        (&mut nap).await;
        assert_eq!(start.elapsed(), Duration::from_millis(30));

        // Earlier: registered at +1000 ms, moved to +5 ms.
        let mut nap = sleep(Duration::from_millis(1_000));
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Pending);
        nap.reset(Instant::now() + Duration::from_millis(5));
        assert_eq!(nap.deadline(), start + Duration::from_millis(35));
        nap.await;
        assert_eq!(start.elapsed(), Duration::from_millis(35));

        // After completion, a reset re-arms it; a reset into the past completes it at once.
        let mut nap = sleep(Duration::from_millis(1));
        (&mut nap).await;
        nap.reset(Instant::now() + Duration::from_millis(7));
        assert!(!nap.is_elapsed());
        (&mut nap).await;
        assert_eq!(start.elapsed(), Duration::from_millis(43));
        nap.reset(Instant::now() + Duration::from_secs(9));
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Pending);
        nap.reset(start);
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Ready(()));
        assert_eq!(runtime::Handle::current().metrics().num_timers(), 0);
    });
}

#[test]
fn sub_millisecond_deadlines_round_up_never_early() {
    paused().block_on(async {
        let start = Instant::now();
        sleep(Duration::from_micros(1_600)).await;
        // Rounded up to the next 250 µs tick: late by under one tick, never early.
        assert_eq!(start.elapsed(), Duration::from_micros(1_750));
        advance(Duration::from_micros(300)).await; // clock now off the tick grid
        let mid = Instant::now();
        sleep(Duration::from_millis(1)).await;
        assert!(mid.elapsed() >= Duration::from_millis(1));
        assert!(mid.elapsed() < Duration::from_micros(1_250));
    });
}

#[test]
fn pause_and_advance_on_a_running_current_thread_runtime() {
    let _dog = Watchdog::new("pause/advance", BOUND);
    support::current().block_on(async {
        pause();
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(3));
        assert_eq!(Instant::now(), start, "a paused clock does not move");
        let fired = Arc::new(Mutex::new(Vec::new()));
        for ms in [30u64, 10, 20] {
            let fired = fired.clone();
            runtime::spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                fired.lock().unwrap().push(ms);
            });
        }
        runtime::task::yield_now().await; // let them register
        advance(Duration::from_millis(15)).await;
        assert_eq!(*fired.lock().unwrap(), [10]);
        advance(Duration::from_millis(15)).await;
        assert_eq!(*fired.lock().unwrap(), [10, 20, 30]);
        assert_eq!(start.elapsed(), Duration::from_millis(30));
        runtime::time::resume();
        std::thread::sleep(Duration::from_millis(2));
        assert!(
            start.elapsed() > Duration::from_millis(30),
            "a resumed clock moves again"
        );
    });
}

#[test]
fn sleeps_outlive_their_runtime_and_complete_at_shutdown() {
    let _dog = Watchdog::new("shutdown", BOUND);
    let rt = support::multi(2);
    let (tx, rx) = std::sync::mpsc::channel();
    // Created inside the runtime (it captures the runtime's driver), awaited elsewhere.
    let nap = {
        let _guard = rt.enter();
        sleep(Duration::from_secs(3_600))
    };
    // A plain thread polls the runtime's hour-long sleep with its own waker.
    let waiter = std::thread::spawn(move || {
        support::block_on_plain(nap);
        tx.send(()).unwrap();
    });
    support::wait_until("sleep registered", || rt.metrics().num_timers() == 1);
    drop(rt);
    rx.recv_timeout(support::HANG_BOUND)
        .expect("a pending sleep completes when its runtime shuts down");
    waiter.join().unwrap();
}

#[test]
fn sleep_created_after_shutdown_completes() {
    let rt = support::current();
    let handle = rt.handle().clone();
    drop(rt);
    let _guard = handle.enter();
    support::block_on_plain(sleep(Duration::from_secs(3_600)));
}

#[test]
fn sleep_polled_outside_any_runtime_panics_with_a_message() {
    let nap = sleep(Duration::from_millis(1));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        support::block_on_plain(nap)
    }))
    .unwrap_err();
    assert!(support::panic_text(&*panic).contains("outside a runtime"));
}

use std::future::Future;

#[test]
fn an_earlier_timer_wakes_a_driver_sleeping_towards_a_later_one() {
    // Without the "earlier insert unparks" rule the short sleep would wait for the hour-long
    // one and trip the watchdog.
    let _dog = Watchdog::new("earlier insert unparks", BOUND);
    let rt = support::multi(2);
    let long = rt.spawn(sleep(Duration::from_secs(3_600)));
    support::wait_until("long sleep registered", || rt.metrics().num_timers() == 1);
    std::thread::sleep(Duration::from_millis(20)); // let a worker block in the driver
    let handle = rt.handle().clone();
    let short = std::thread::spawn(move || handle.block_on(sleep(Duration::from_millis(5))));
    short.join().unwrap();
    assert!(!long.is_finished());
    long.abort();
}

#[test]
fn completed_sleeps_charge_the_coop_budget() {
    support::current().block_on(async {
        assert!(runtime::task::coop::has_budget_remaining());
        for _ in 0..128 {
            sleep(Duration::ZERO).await;
        }
        assert!(
            !runtime::task::coop::has_budget_remaining(),
            "128 completed sleeps spend the budget"
        );
        sleep(Duration::ZERO).await; // yields once, then completes with a fresh budget
        assert!(runtime::task::coop::has_budget_remaining());
    });
}

/// Timers live in per-worker shards: sleeps first polled on either worker (and on the
/// `block_on` thread) are counted, reset from another thread, cancelled from another thread
/// (every entry leaves its own shard) and the rest fire, never early.
#[test]
#[allow(
    clippy::async_yields_async,
    reason = "the tasks hand their filed `Sleep` back on purpose"
)]
fn timers_filed_on_any_worker_are_reset_and_cancelled_from_other_threads() {
    use std::future::poll_fn;
    use std::pin::Pin;
    let _dog = Watchdog::new("sharded timers", BOUND);
    let rt = support::multi(2);
    rt.block_on(async {
        // File 200 hour-long sleeps from tasks spread over both workers.
        let filers: Vec<_> = (0..200)
            .map(|_| {
                runtime::spawn(async {
                    let mut nap = Box::pin(sleep(Duration::from_secs(3_600)));
                    let first = poll_fn(|cx| Poll::Ready(nap.as_mut().poll(cx))).await;
                    assert!(first.is_pending());
                    nap
                })
            })
            .collect();
        let mut naps: Vec<Pin<Box<runtime::time::Sleep>>> = Vec::new();
        for filer in filers {
            naps.push(filer.await.unwrap());
        }
        let metrics = runtime::Handle::current().metrics();
        assert_eq!(metrics.num_timers(), 200);

        // Cancel half from this (non-worker) thread: their entries leave their shards.
        naps.truncate(100);
        assert_eq!(metrics.num_timers(), 100);

        // Reset the rest from here to 10 ms: all complete, none before its new deadline.
        let start = Instant::now();
        for nap in &mut naps {
            nap.as_mut().reset(start + Duration::from_millis(10));
        }
        for nap in naps {
            nap.await;
        }
        assert!(start.elapsed() >= Duration::from_millis(10));
        assert_eq!(metrics.num_timers(), 0);
    });
}

const YEAR: Duration = Duration::from_secs(86_400 * 365);

/// The timer horizon counts from now, not from the runtime's start: after 20 virtual years a
/// 15-year timeout (35 years after the start) still fires.
#[test]
fn a_deadline_thirty_years_after_the_start_fires_in_paused_time() {
    let _dog = Watchdog::new("far deadline", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        sleep(YEAR * 20).await;
        assert_eq!(start.elapsed(), YEAR * 20);
        let result = runtime::time::timeout(YEAR * 15, std::future::pending::<()>()).await;
        assert!(result.is_err(), "the 15-year timeout must elapse");
        assert_eq!(start.elapsed(), YEAR * 35);
    });
}

/// `sleep(Duration::MAX)` is clamped to a deadline 30 years ahead; an idle paused runtime
/// auto-advances to it instead of waiting forever.
#[test]
fn duration_max_sleep_completes_at_its_clamped_deadline_in_paused_time() {
    let _dog = Watchdog::new("duration max auto-advance", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        sleep(Duration::MAX).await;
        assert_eq!(start.elapsed(), YEAR * 30);
    });
}

/// `is_elapsed` reports a fired timer: a `sleep_until(now)` that was never polled has not
/// fired yet, even though its deadline is reached; its first poll completes it.
#[test]
fn sleep_until_now_is_not_elapsed_before_its_first_poll() {
    paused().block_on(async {
        let mut nap = sleep_until(Instant::now());
        assert!(!nap.is_elapsed());
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert_eq!(std::pin::Pin::new(&mut nap).poll(&mut cx), Poll::Ready(()));
        assert!(nap.is_elapsed());
    });
}

/// Counts the wakes of the wakers made from it.
struct WakeCount(std::sync::atomic::AtomicUsize);

impl std::task::Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl WakeCount {
    fn new() -> Arc<WakeCount> {
        Arc::new(WakeCount(std::sync::atomic::AtomicUsize::new(0)))
    }
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Re-polls of a pending `Sleep` with the waker it stored last take the entry's lock-free path
/// (rule E1 in `engine/driver/entry.rs`); a poll with another waker moves the registration to
/// it. Whatever the path, the fire wakes exactly the waker of the last poll, once, and the
/// next poll is `Ready`.
#[test]
fn a_fire_wakes_the_waker_of_the_last_poll_once_whatever_the_repoll_path() {
    let rt = paused();
    rt.block_on(async {
        let (a, b) = (WakeCount::new(), WakeCount::new());
        let (waker_a, waker_b) = (
            std::task::Waker::from(a.clone()),
            std::task::Waker::from(b.clone()),
        );
        let mut sleep = Box::pin(sleep(Duration::from_millis(10)));
        let mut poll_with =
            |waker: &std::task::Waker| sleep.as_mut().poll(&mut Context::from_waker(waker));
        // First poll files the entry with A; three re-polls with A (no lock); then B takes over.
        for _ in 0..4 {
            assert!(poll_with(&waker_a).is_pending());
        }
        assert!(poll_with(&waker_b).is_pending());
        assert!(poll_with(&waker_b).is_pending());
        advance(Duration::from_millis(10)).await;
        assert_eq!(
            (a.get(), b.get()),
            (0, 1),
            "only the last poll's waker is woken"
        );
        assert_eq!(poll_with(&waker_b), Poll::Ready(()));
        assert_eq!(poll_with(&waker_a), Poll::Ready(()), "done stays done");
        assert_eq!((a.get(), b.get()), (0, 1));

        // Back and forth: B then A again; A (the last) is woken.
        let (c, d) = (WakeCount::new(), WakeCount::new());
        let (waker_c, waker_d) = (
            std::task::Waker::from(c.clone()),
            std::task::Waker::from(d.clone()),
        );
        let mut sleep = Box::pin(runtime::time::sleep(Duration::from_millis(5)));
        let mut poll_with =
            |waker: &std::task::Waker| sleep.as_mut().poll(&mut Context::from_waker(waker));
        for waker in [&waker_c, &waker_d, &waker_d, &waker_c, &waker_c] {
            assert!(poll_with(waker).is_pending());
        }
        advance(Duration::from_millis(5)).await;
        assert_eq!((c.get(), d.get()), (1, 0));
        assert_eq!(poll_with(&waker_c), Poll::Ready(()));
    });
}

/// A reset `Sleep` re-polled with the same waker waits for the new deadline (the lock-free
/// re-poll must not report the old registration's state) and wakes once at it.
#[test]
fn a_reset_sleep_repolled_with_the_same_waker_waits_for_the_new_deadline() {
    let rt = paused();
    rt.block_on(async {
        let count = WakeCount::new();
        let waker = std::task::Waker::from(count.clone());
        let mut sleep = Box::pin(sleep(Duration::from_millis(10)));
        let mut cx = Context::from_waker(&waker);
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        advance(Duration::from_millis(10)).await;
        assert_eq!(count.get(), 1);
        assert_eq!(sleep.as_mut().poll(&mut cx), Poll::Ready(()));
        let start = Instant::now();
        sleep.as_mut().reset(start + Duration::from_millis(20));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        advance(Duration::from_millis(19)).await;
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert_eq!(count.get(), 1, "not woken before the new deadline");
        advance(Duration::from_millis(1)).await;
        assert_eq!(count.get(), 2);
        assert_eq!(sleep.as_mut().poll(&mut cx), Poll::Ready(()));
        // Reset before it fires, re-polled with the same waker: moves, no early wake.
        sleep
            .as_mut()
            .reset(Instant::now() + Duration::from_millis(5));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        sleep
            .as_mut()
            .reset(Instant::now() + Duration::from_millis(8));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        advance(Duration::from_millis(5)).await;
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert_eq!(count.get(), 2);
        advance(Duration::from_millis(3)).await;
        assert_eq!(count.get(), 3);
        assert_eq!(sleep.as_mut().poll(&mut cx), Poll::Ready(()));
    });
}
