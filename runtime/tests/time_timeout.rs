//! `timeout` / `timeout_at`: success, expiry (the inner future is dropped when it fires),
//! zero and `Duration::MAX` limits, and a budget-hungry inner future that cannot starve its
//! own timer.

mod support;

use runtime::time::{Instant, advance, error::Elapsed, sleep, timeout, timeout_at};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Pending forever; counts its drops.
struct Forever(Arc<AtomicUsize>);

impl Future for Forever {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        Poll::Pending
    }
}

impl Drop for Forever {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn completes_with_the_inner_output_before_the_deadline() {
    paused().block_on(async {
        let start = Instant::now();
        let result = timeout(Duration::from_secs(10), async {
            sleep(Duration::from_secs(3)).await;
            7
        })
        .await;
        assert_eq!(result, Ok(7));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert_eq!(
            runtime::Handle::current().metrics().num_timers(),
            0,
            "the limit's timer is cancelled"
        );
    });
}

#[test]
fn elapses_and_drops_the_inner_future_when_it_fires() {
    let _dog = Watchdog::new("timeout elapsed", BOUND);
    paused().block_on(async {
        let drops = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let mut limited = Box::pin(timeout(Duration::from_millis(250), Forever(drops.clone())));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert_eq!(limited.as_mut().poll(&mut cx), Poll::Pending);
        advance(Duration::from_millis(249)).await;
        assert_eq!(limited.as_mut().poll(&mut cx), Poll::Pending);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        advance(Duration::from_millis(1)).await;
        // Fired: the result is the error, and the inner future is already dropped although
        // the `Timeout` itself is still alive.
        assert_eq!(limited.as_mut().poll(&mut cx), Poll::Ready(Err(elapsed())));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(start.elapsed(), Duration::from_millis(250));
        drop(limited);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped exactly once");
    });
}

#[test]
fn timeout_at_and_awaiting_report_elapsed_at_the_exact_deadline() {
    let _dog = Watchdog::new("timeout_at", BOUND);
    paused().block_on(async {
        let drops = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(90);
        let result = timeout_at(deadline, Forever(drops.clone())).await;
        assert!(result.is_err());
        assert_eq!(Instant::now(), deadline);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let err = std::io::Error::from(result.unwrap_err());
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn zero_limit_still_lets_a_ready_future_win() {
    paused().block_on(async {
        assert_eq!(timeout(Duration::ZERO, async { 1 }).await, Ok(1));
        let drops = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        assert!(
            timeout(Duration::ZERO, Forever(drops.clone()))
                .await
                .is_err()
        );
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn duration_max_limit_outlasts_a_year_long_inner_future() {
    let _dog = Watchdog::new("timeout max", BOUND);
    paused().block_on(async {
        let start = Instant::now();
        let result = timeout(Duration::MAX, async {
            sleep(Duration::from_secs(86_400 * 365)).await;
            "slow but fine"
        })
        .await;
        assert_eq!(result, Ok("slow but fine"));
        assert_eq!(start.elapsed(), Duration::from_secs(86_400 * 365));
    });
}

#[test]
fn an_always_ready_inner_future_cannot_starve_its_timer() {
    let _dog = Watchdog::new("timeout budget", BOUND);
    for rt in [support::current(), support::multi(2)] {
        let polls = rt.block_on(async {
            let polls = Arc::new(AtomicUsize::new(0));
            let counted = polls.clone();
            // Spends the whole budget on every poll and yields (like a busy channel loop).
            let busy = async move {
                loop {
                    counted.fetch_add(1, Ordering::Relaxed);
                    runtime::task::coop::consume_budget().await;
                }
            };
            let result = runtime::spawn(timeout(Duration::from_millis(20), busy))
                .await
                .unwrap();
            assert!(result.is_err());
            polls.load(Ordering::Relaxed)
        });
        assert!(polls > 0);
    }
}

#[test]
fn real_clock_timeout_elapses_on_both_flavors() {
    let _dog = Watchdog::new("real timeout", BOUND);
    for rt in [support::current(), support::multi(2)] {
        let drops = Arc::new(AtomicUsize::new(0));
        let start = std::time::Instant::now();
        let result = rt.block_on(timeout(Duration::from_millis(15), Forever(drops.clone())));
        assert!(result.is_err());
        assert!(start.elapsed() >= Duration::from_millis(15));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

/// An `Elapsed` value (it has no public constructor), taken from a real expiry.
fn elapsed() -> Elapsed {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut expired = Box::pin(timeout(Duration::ZERO, std::future::pending::<()>()));
    match expired.as_mut().poll(&mut cx) {
        Poll::Ready(Err(elapsed)) => elapsed,
        other => panic!("a zero timeout on a pending future must elapse, got {other:?}"),
    }
}

/// A `timeout` whose inner future is ready at once still spends the task's cooperative budget,
/// so a loop over such timeouts yields and a task spawned beside it on a current-thread runtime
/// gets to run.
#[test]
fn a_loop_over_timeouts_of_ready_futures_lets_another_task_run() {
    let _dog = Watchdog::new("timeout coop", BOUND);
    support::current().block_on(async {
        let ran = Arc::new(AtomicUsize::new(0));
        let flag = ran.clone();
        runtime::spawn(async move {
            flag.store(1, Ordering::SeqCst);
        });
        let mut iterations = 0u32;
        while ran.load(Ordering::SeqCst) == 0 {
            iterations += 1;
            assert!(
                iterations <= 10_000,
                "10 000 ready timeouts in a row never yielded to the spawned task"
            );
            let value = timeout(Duration::from_secs(1), std::future::ready(iterations)).await;
            assert_eq!(value, Ok(iterations));
        }
    });
}

/// A completed `timeout` costs exactly one unit of the budget: one spent for an inner future
/// that spends none, none extra for one that spends its own (a completed sleep).
#[test]
fn a_completed_timeout_spends_exactly_one_unit_of_budget() {
    use runtime::task::coop::has_budget_remaining;
    support::current().block_on(async {
        let limit = Duration::from_secs(1);
        // Start from a fresh budget of 128: exhaust the current one, the next poll refills it.
        while has_budget_remaining() {
            timeout(limit, std::future::ready(())).await.unwrap();
        }
        timeout(limit, std::future::ready(())).await.unwrap(); // yields, then spends 1 of 128
        for spent in 2..=128 {
            timeout(limit, sleep(Duration::ZERO)).await.unwrap();
            assert_eq!(has_budget_remaining(), spent < 128, "after {spent} units");
        }
    });
}
