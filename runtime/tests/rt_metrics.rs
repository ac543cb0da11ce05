//! `RuntimeMetrics` reports live, exact values where an operator needs them: the local queue
//! behind a blocked worker, blocking-pool threads without the workers, and the current-thread
//! scheduler's idle parks.

mod support;

use std::sync::mpsc;
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(60);
const QUEUED: usize = 10;

#[test]
fn worker_local_queue_depth_counts_tasks_queued_behind_a_blocked_worker() {
    let _dog = Watchdog::new("local queue depth behind a blocked worker", BOUND);
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .disable_lifo_slot()
        .build()
        .unwrap();
    let metrics = rt.metrics();
    let (spawned_tx, spawned_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocker = rt.spawn(async move {
        // Spawned from the worker: they go to its local queue, and nobody else can run them.
        let children: Vec<_> = (0..QUEUED)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        spawned_tx.send(()).unwrap();
        // Block the worker thread (the bug being measured) until the test has looked.
        release_rx.recv().unwrap();
        children
    });
    spawned_rx.recv().unwrap();
    let depth = metrics.worker_local_queue_depth(0);
    release_tx.send(()).unwrap();
    let children = rt.block_on(blocker).unwrap();
    let sum: usize = children
        .into_iter()
        .map(|child| rt.block_on(child).unwrap())
        .sum();
    assert_eq!(sum, (0..QUEUED).sum::<usize>());
    assert_eq!(
        depth, QUEUED,
        "tasks queued behind the blocked worker, read while it is blocked"
    );
    support::wait_until("the queue drained", || {
        metrics.worker_local_queue_depth(0) == 0
    });
}

#[test]
fn current_thread_worker_local_queue_depth_counts_tasks_queued_by_a_blocked_task() {
    let _dog = Watchdog::new("current_thread local queue depth", BOUND);
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let metrics = rt.metrics();
    let seen = rt.block_on(async move {
        let children: Vec<_> = (0..QUEUED)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        // Read from another thread while this one (the only worker) is busy here.
        let depth = std::thread::spawn(move || metrics.worker_local_queue_depth(0))
            .join()
            .unwrap();
        for child in children {
            child.await.unwrap();
        }
        depth
    });
    assert_eq!(seen, QUEUED);
    assert_eq!(rt.metrics().worker_local_queue_depth(0), 0, "drained");
}

#[test]
fn num_blocking_threads_counts_blocking_pool_threads_without_the_workers() {
    let _dog = Watchdog::new("num_blocking_threads", BOUND);
    let multi = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let current = runtime::Builder::new_current_thread().build().unwrap();
    for (flavor, rt) in [("multi_thread", multi), ("current_thread", current)] {
        let metrics = rt.metrics();
        assert_eq!(
            metrics.num_blocking_threads(),
            0,
            "{flavor}: no spawn_blocking yet, so no blocking thread"
        );
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert_eq!(
            metrics.num_blocking_threads(),
            1,
            "{flavor}: one job started one blocking thread (kept alive)"
        );
    }
}

#[test]
fn current_thread_block_on_idle_parks_count_in_worker_park_count() {
    let _dog = Watchdog::new("current_thread park count", BOUND);
    let rt = runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    let metrics = rt.metrics();
    assert_eq!(metrics.worker_park_count(0), 0);
    // Never idle: no park.
    assert_eq!(rt.block_on(async { 1 }), 1);
    assert_eq!(
        metrics.worker_park_count(0),
        0,
        "a block_on that never waits"
    );
    // Each sleep leaves the scheduler idle at least once (the paused clock advances there).
    rt.block_on(async {
        for _ in 0..3 {
            runtime::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let parks = metrics.worker_park_count(0);
    assert!(parks >= 3, "three idle waits, {parks} parks counted");
    assert_eq!(rt.block_on(async { 2 }), 2);
    assert_eq!(
        metrics.worker_park_count(0),
        parks,
        "no park without waiting"
    );
}
