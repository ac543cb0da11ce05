//! Many timers at once on paused time: every sleep completes at its exact deadline, in
//! deadline order, and dropped sleeps leave no entry behind.

mod support;

use runtime::time::{Instant, sleep};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(300);

fn paused() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

/// A deterministic spread of delays over ~1 hour, hitting every wheel level below the top.
fn delay_ms(i: u64) -> u64 {
    (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 3_600_000
}

/// Runs `n` concurrent sleeping tasks; each checks it woke at exactly its deadline and that
/// no task with a later deadline completed before it.
fn concurrent_sleeps(n: u64) {
    let rt = paused();
    let metrics = rt.metrics();
    let (done, latest) = rt.block_on(async move {
        let start = Instant::now();
        let done = Arc::new(AtomicUsize::new(0));
        let latest = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (done, latest) = (done.clone(), latest.clone());
                runtime::spawn(async move {
                    let ms = delay_ms(i);
                    sleep(Duration::from_millis(ms)).await;
                    assert_eq!(start.elapsed(), Duration::from_millis(ms), "task {i}");
                    // Completion order follows deadline order.
                    let previous = latest.fetch_max(ms, Ordering::Relaxed);
                    assert!(previous <= ms, "deadline {ms} completed after {previous}");
                    done.fetch_add(1, Ordering::Relaxed);
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        (done.load(Ordering::Relaxed), latest.load(Ordering::Relaxed))
    });
    assert_eq!(done as u64, n);
    assert_eq!(latest, (0..n).map(delay_ms).max().unwrap());
    assert_eq!(metrics.num_timers(), 0);
}

#[test]
fn hundred_thousand_concurrent_sleeps_all_complete_in_order() {
    let _dog = Watchdog::new("100k sleeps", BOUND);
    concurrent_sleeps(100_000);
}

/// About 7 s in a debug build on the 2-core CI machine (under 1 s in release), so it runs in release only
/// (`cargo test --release -p runtime --test time_many`); the debug run covers 100 000.
#[test]
fn million_concurrent_sleeps_all_complete_in_order() {
    let _dog = Watchdog::new("1M sleeps", BOUND);
    concurrent_sleeps(1_000_000);
}

#[test]
fn dropping_pending_sleeps_frees_their_wheel_entries() {
    let _dog = Watchdog::new("drop pending sleeps", BOUND);
    const N: usize = 100_000;
    let rt = paused();
    let metrics = rt.metrics();
    rt.block_on(async {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut sleeps: Vec<_> = (0..N as u64)
            .map(|i| sleep(Duration::from_millis(1 + delay_ms(i))))
            .collect();
        for nap in &mut sleeps {
            assert!(std::pin::Pin::new(nap).poll(&mut cx).is_pending());
        }
        assert_eq!(metrics.num_timers(), N);
        // Drop every other one, then the rest: each drop removes exactly its own entry.
        let mut kept = Vec::with_capacity(N / 2);
        for (i, nap) in sleeps.into_iter().enumerate() {
            if i % 2 == 0 {
                drop(nap);
            } else {
                kept.push(nap);
            }
        }
        assert_eq!(metrics.num_timers(), N / 2);
        drop(kept);
        assert_eq!(metrics.num_timers(), 0);
        // A new sleep still works afterwards.
        let start = Instant::now();
        sleep(Duration::from_millis(3)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(3));
    });
}

#[test]
fn spawned_sleeping_tasks_aborted_free_their_entries() {
    let _dog = Watchdog::new("abort sleepers", BOUND);
    let rt = paused();
    let metrics = rt.metrics();
    rt.block_on(async {
        let handles: Vec<_> = (0..10_000)
            .map(|_| runtime::spawn(sleep(Duration::from_secs(60))))
            .collect();
        // The scheduler interleaves the main future with batches of tasks: yield until all
        // sleepers have registered (the count must reach exactly 10 000, never more).
        while metrics.num_timers() < 10_000 {
            runtime::task::yield_now().await;
        }
        assert_eq!(metrics.num_timers(), 10_000);
        for handle in &handles {
            handle.abort();
        }
        for handle in handles {
            assert!(handle.await.unwrap_err().is_cancelled());
        }
        assert_eq!(metrics.num_timers(), 0);
    });
}

use std::future::Future;
