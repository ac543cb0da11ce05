//! `Builder` validation and settings, and `RuntimeMetrics` counters.

mod support;

use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{ThreadCounter, Watchdog};

const BOUND: Duration = Duration::from_secs(60);

fn invalid(builder: &mut runtime::Builder, what: &str) {
    let err = builder
        .build()
        .expect_err(&format!("{what} must be rejected"));
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{what}: {err}");
    assert!(!err.to_string().is_empty());
}

#[test]
fn build_rejects_bad_settings_with_invalid_input() {
    invalid(
        runtime::Builder::new_multi_thread().worker_threads(0),
        "worker_threads(0)",
    );
    invalid(
        runtime::Builder::new_multi_thread().max_blocking_threads(0),
        "max_blocking_threads(0)",
    );
    invalid(
        runtime::Builder::new_current_thread().max_blocking_threads(0),
        "current_thread max_blocking_threads(0)",
    );
    invalid(
        runtime::Builder::new_multi_thread().start_paused(true),
        "start_paused on multi_thread",
    );
    invalid(
        runtime::Builder::new_multi_thread().thread_stack_size(0),
        "thread_stack_size(0)",
    );
    invalid(
        runtime::Builder::new_multi_thread().event_interval(0),
        "event_interval(0)",
    );
    invalid(
        runtime::Builder::new_multi_thread().global_queue_interval(0),
        "global_queue_interval(0)",
    );
    invalid(
        runtime::Builder::new_current_thread().global_queue_interval(0),
        "current_thread global_queue_interval(0)",
    );
    let err = runtime::Builder::new_multi_thread()
        .worker_threads(0)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("worker_threads"),
        "message should name the setting: {err}"
    );
    let err = runtime::Builder::new_multi_thread()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("start_paused"),
        "message should name the setting: {err}"
    );
}

#[test]
fn valid_settings_build_working_runtimes() {
    let _dog = Watchdog::new("valid_settings_build_working_runtimes", BOUND);
    let rt = runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    assert_eq!(
        rt.block_on(async { runtime::spawn(async { 1 }).await.unwrap() }),
        1
    );
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .max_blocking_threads(1)
        .global_queue_interval(1)
        .event_interval(1)
        .disable_lifo_slot()
        .thread_stack_size(1 << 20)
        .thread_keep_alive(Duration::from_millis(1))
        .thread_name("custom-name")
        .build()
        .unwrap();
    let sum = rt.block_on(async {
        let hs: Vec<_> = (0..1000u64)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    assert_eq!(sum, 499_500);
    let name = rt
        .block_on(rt.spawn(async { std::thread::current().name().map(str::to_owned) }))
        .unwrap();
    assert_eq!(name.as_deref(), Some("custom-name"));
    // max_blocking_threads(1): blocking closures still all run (one after the other).
    let hs: Vec<_> = (0..5u32).map(|i| rt.spawn_blocking(move || i)).collect();
    assert_eq!(
        hs.into_iter().map(|h| rt.block_on(h).unwrap()).sum::<u32>(),
        10
    );
}

#[test]
fn thread_hooks_run_on_every_runtime_thread() {
    let _dog = Watchdog::new("thread_hooks_run_on_every_runtime_thread", BOUND);
    let threads = ThreadCounter::default();
    let mut builder = runtime::Builder::new_multi_thread();
    builder.worker_threads(3);
    threads.install(&mut builder);
    let rt = builder.build().unwrap();
    support::wait_until("3 worker threads started", || threads.started() >= 3);
    rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    drop(rt);
    assert!(threads.started() >= 3);
    assert_eq!(threads.started(), threads.stopped());
}

#[test]
fn metrics_num_workers() {
    assert_eq!(support::multi(3).metrics().num_workers(), 3);
    assert_eq!(support::multi(1).metrics().num_workers(), 1);
    assert_eq!(support::current().metrics().num_workers(), 1);
    let rt = support::multi(2);
    assert_eq!(rt.handle().metrics().num_workers(), 2);
}

#[test]
fn metrics_alive_tasks_return_to_zero() {
    let _dog = Watchdog::new("metrics_alive_tasks_return_to_zero", BOUND);
    for rt in [support::multi(2), support::current()] {
        let metrics = rt.metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
        let pending: Vec<_> = (0..10)
            .map(|_| rt.spawn(std::future::pending::<()>()))
            .collect();
        assert_eq!(metrics.num_alive_tasks(), 10);
        let done: Vec<_> = (0..100u32).map(|i| rt.spawn(async move { i })).collect();
        for h in done {
            rt.block_on(h).unwrap();
        }
        support::wait_until("finished tasks leave the alive count", || {
            metrics.num_alive_tasks() == 10
        });
        for h in &pending {
            h.abort();
        }
        for h in pending {
            assert!(rt.block_on(h).unwrap_err().is_cancelled());
        }
        support::wait_until("aborted tasks leave the alive count", || {
            metrics.num_alive_tasks() == 0
        });
    }
}

#[test]
fn metrics_poll_counts_cover_every_task_after_flush() {
    let _dog = Watchdog::new("metrics_poll_counts_cover_every_task_after_flush", BOUND);
    const N: u64 = 1000;
    let rt = support::multi(2);
    let metrics = rt.metrics();
    let polled = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..N)
        .map(|_| {
            let polled = polled.clone();
            rt.spawn(async move {
                polled.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for h in hs {
        rt.block_on(h).unwrap();
    }
    assert_eq!(polled.load(Ordering::SeqCst), N as usize);
    // Counters are flushed at maintenance ticks and when a worker parks: once the runtime is
    // idle they must cover every poll.
    let total = || (0..2).map(|w| metrics.worker_poll_count(w)).sum::<u64>();
    support::wait_until(&format!("worker_poll_count sum reaches {N}"), || {
        total() >= N
    });
    support::wait_until("idle local queues", || {
        (0..2).all(|w| metrics.worker_local_queue_depth(w) == 0)
    });
    assert_eq!(metrics.global_queue_depth(), 0);
}

/// `RuntimeMetrics` documents that a worker flushes its counters before it parks, so an idle
/// runtime reports exact figures: every poll, and at least the park it is sitting in.
#[test]
fn metrics_flushed_before_worker_parks() {
    let _dog = Watchdog::new("metrics_flushed_before_worker_parks", BOUND);
    const N: u64 = 100;
    let rt = support::multi(1);
    let metrics = rt.metrics();
    // All polls happen on the one worker: the parent task, then its N children.
    let sum = rt
        .block_on(rt.spawn(async {
            let hs: Vec<_> = (0..N).map(|i| runtime::spawn(async move { i })).collect();
            let mut s = 0;
            for h in hs {
                s += h.await.unwrap();
            }
            s
        }))
        .unwrap();
    assert_eq!(sum, N * (N - 1) / 2);
    // The worker is idle (parked) from here on and nothing wakes it.
    support::wait_until(&format!("idle worker reports all {} polls", N + 1), || {
        metrics.worker_poll_count(0) > N
    });
    support::wait_until("idle worker reports at least one park", || {
        metrics.worker_park_count(0) >= 1
    });
}

#[test]
fn metrics_current_thread_polls_and_injection_queue() {
    let _dog = Watchdog::new("metrics_current_thread_polls_and_injection_queue", BOUND);
    let rt = support::current();
    let metrics = rt.metrics();
    // Nobody drives the runtime yet: spawns from outside wait in the injection queue.
    let hs: Vec<_> = (0..5u32).map(|i| rt.spawn(async move { i })).collect();
    assert_eq!(metrics.global_queue_depth(), 5);
    let sum: u32 = hs.into_iter().map(|h| rt.block_on(h).unwrap()).sum();
    assert_eq!(sum, 10);
    assert_eq!(metrics.global_queue_depth(), 0);
    assert!(
        metrics.worker_poll_count(0) >= 5,
        "polls: {}",
        metrics.worker_poll_count(0)
    );
    assert_eq!(metrics.num_alive_tasks(), 0);
}

#[test]
fn metrics_blocking_pool() {
    let _dog = Watchdog::new("metrics_blocking_pool", BOUND);
    for rt in [support::multi(2), support::current()] {
        let metrics = rt.metrics();
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert!(metrics.num_blocking_threads() >= 1);
        support::wait_until("blocking thread goes idle", || {
            metrics.num_idle_blocking_threads() >= 1
        });
        assert_eq!(metrics.blocking_queue_depth(), 0);
    }
}
