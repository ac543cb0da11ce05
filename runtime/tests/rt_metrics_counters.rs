//! Every `RuntimeMetrics` counter, asserted with values on both flavors: spawns, remote and
//! local schedules, forced yields, steals, parks, no-op wake-ups, busy and mean poll time, the
//! poll-time histogram, the blocking pool and the I/O driver.
//!
//! Per-worker counters are published when a worker parks (or at maintenance), so tests read
//! them with `wait_until` once the work is done and the workers went idle.

mod support;

use runtime::{HistogramConfiguration, LogHistogram, Runtime, RuntimeMetrics};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;
use support::{Watchdog, wait_until};

const BOUND: Duration = Duration::from_secs(60);

/// Both flavors: a one-worker multi-thread runtime (so "the worker" is worker 0 on both) and
/// a current-thread one, each from `builder`'s settings.
fn flavors(configure: impl Fn(&mut runtime::Builder)) -> Vec<(&'static str, Runtime)> {
    let mut multi = runtime::Builder::new_multi_thread();
    multi.worker_threads(1);
    configure(&mut multi);
    let mut current = runtime::Builder::new_current_thread();
    configure(&mut current);
    vec![
        ("multi_thread", multi.build().unwrap()),
        ("current_thread", current.build().unwrap()),
    ]
}

fn total(metrics: &RuntimeMetrics, per_worker: impl Fn(usize) -> u64) -> u64 {
    (0..metrics.num_workers()).map(per_worker).sum()
}

#[test]
fn spawned_tasks_count_counts_spawns_from_outside_and_inside_the_runtime() {
    let _dog = Watchdog::new("spawned_tasks_count", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        assert_eq!(metrics.spawned_tasks_count(), 0, "{flavor}: fresh runtime");
        let outside: Vec<_> = (0..4).map(|_| rt.spawn(async {})).collect();
        rt.block_on(async {
            let inside: Vec<_> = (0..6).map(|_| runtime::spawn(async {})).collect();
            for task in outside.into_iter().chain(inside) {
                task.await.unwrap();
            }
        });
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert_eq!(
            metrics.spawned_tasks_count(),
            10,
            "{flavor}: 4 spawns from outside + 6 from inside (spawn_blocking not counted)"
        );
        assert_eq!(metrics.num_alive_tasks(), 0, "{flavor}: all finished");
    }
}

#[test]
fn remote_schedule_count_grows_by_one_per_spawn_from_outside() {
    let _dog = Watchdog::new("remote_schedule_count", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        assert_eq!(
            metrics.remote_schedule_count(),
            0,
            "{flavor}: fresh runtime"
        );
        let tasks: Vec<_> = (0..10).map(|i| rt.spawn(async move { i })).collect();
        for task in tasks {
            rt.block_on(task).unwrap();
        }
        assert_eq!(
            metrics.remote_schedule_count(),
            10,
            "{flavor}: ten spawns from the main thread"
        );
        // Spawns from inside a task are local, not remote.
        rt.block_on(rt.spawn(async {
            let children: Vec<_> = (0..5).map(|_| runtime::spawn(async {})).collect();
            children
        }))
        .unwrap();
        assert_eq!(
            metrics.remote_schedule_count(),
            11,
            "{flavor}: only the parent came from outside"
        );
    }
}

#[test]
fn worker_local_schedule_count_counts_spawns_made_on_the_worker() {
    let _dog = Watchdog::new("worker_local_schedule_count", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        // The parent spawns ten children on the worker and returns without waiting: no task
        // is woken, so the only local schedules are the ten spawns.
        let children = rt
            .block_on(rt.spawn(async {
                (0..10)
                    .map(|i| runtime::spawn(async move { i }))
                    .collect::<Vec<_>>()
            }))
            .unwrap();
        let sum: i32 = children.into_iter().map(|c| rt.block_on(c).unwrap()).sum();
        assert_eq!(sum, 45);
        wait_until(&format!("{flavor}: ten local schedules published"), || {
            metrics.worker_local_schedule_count(0) == 10
        });
        assert_eq!(metrics.remote_schedule_count(), 1, "{flavor}: the parent");
    }
}

#[test]
fn budget_forced_yield_count_counts_each_spent_budget() {
    let _dog = Watchdog::new("budget_forced_yield_count", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        assert_eq!(metrics.budget_forced_yield_count(), 0);
        // 1000 operations with a budget of 128 per poll: cut short after 128, 256, ... 896.
        rt.block_on(rt.spawn(async {
            for _ in 0..1_000 {
                runtime::task::coop::consume_budget().await;
            }
        }))
        .unwrap();
        wait_until(&format!("{flavor}: seven forced yields published"), || {
            metrics.budget_forced_yield_count() >= 7
        });
        assert_eq!(metrics.budget_forced_yield_count(), 7, "{flavor}");
        assert!(
            metrics.worker_poll_count(0) >= 8,
            "{flavor}: the task was polled once per budget"
        );
    }
}

#[test]
fn budget_forced_yield_count_leaves_out_another_runtimes_block_on_future() {
    let _dog = Watchdog::new("forced yields of another runtime", BOUND);
    // A multi-thread `block_on` future runs on this (non-worker) thread and spends its budget
    // seven times; a current-thread runtime then running on the same thread must not count it.
    let multi = support::multi(1);
    multi.block_on(async {
        for _ in 0..1_000 {
            runtime::task::coop::consume_budget().await;
        }
    });
    let current = support::current();
    current.block_on(async {});
    assert_eq!(current.metrics().budget_forced_yield_count(), 0);
    assert_eq!(
        multi.metrics().budget_forced_yield_count(),
        0,
        "not a task on a worker"
    );
}

#[test]
fn worker_steal_count_counts_every_task_a_peer_took_from_a_blocked_worker() {
    let _dog = Watchdog::new("worker_steal_count", BOUND);
    const CHILDREN: usize = 100;
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .disable_lifo_slot()
        .build()
        .unwrap();
    let metrics = rt.metrics();
    let done = Arc::new(AtomicUsize::new(0));
    let parent_done = done.clone();
    rt.block_on(rt.spawn(async move {
        for _ in 0..CHILDREN {
            let done = parent_done.clone();
            runtime::spawn(async move {
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        // Block this worker: every child must be stolen by the other one to run.
        wait_until("the other worker ran every child", || {
            parent_done.load(Ordering::SeqCst) == CHILDREN
        });
    }))
    .unwrap();
    wait_until("steals published", || {
        total(&metrics, |w| metrics.worker_steal_count(w)) == CHILDREN as u64
    });
    let operations = total(&metrics, |w| metrics.worker_steal_operations(w));
    assert!(
        (1..=CHILDREN as u64).contains(&operations),
        "{operations} steal operations for {CHILDREN} stolen tasks"
    );
    assert_eq!(done.load(Ordering::SeqCst), CHILDREN);
}

#[test]
fn current_thread_worker_steal_count_is_zero() {
    let rt = support::current();
    rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    let metrics = rt.metrics();
    assert_eq!(metrics.worker_steal_count(0), 0);
    assert_eq!(metrics.worker_steal_operations(0), 0);
}

#[test]
fn worker_park_unpark_count_is_odd_while_parked_and_even_while_running() {
    let _dog = Watchdog::new("worker_park_unpark_count", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        let reader = metrics.clone();
        let (seen_tx, seen_rx) = mpsc::channel();
        rt.block_on(async move {
            // Read from another thread while this runtime's only worker sleeps in its park.
            std::thread::spawn(move || {
                wait_until("the worker parked", || {
                    reader.worker_park_unpark_count(0) % 2 == 1
                });
                seen_tx
                    .send((
                        reader.worker_park_unpark_count(0),
                        reader.worker_park_count(0),
                    ))
                    .unwrap();
            });
            runtime::time::sleep(Duration::from_millis(300)).await;
        });
        let (while_parked, parks) = seen_rx.recv_timeout(BOUND).unwrap();
        assert_eq!(while_parked % 2, 1, "{flavor}: odd while parked");
        assert_eq!(
            while_parked,
            2 * parks - 1,
            "{flavor}: every park but the current one was followed by an unpark"
        );
        rt.block_on(rt.spawn(async { std::thread::sleep(Duration::from_millis(1)) }))
            .unwrap();
        if flavor == "multi_thread" {
            wait_until("the worker parked again", || {
                metrics.worker_park_unpark_count(0) % 2 == 1 && metrics.worker_park_count(0) > parks
            });
        } else {
            // Out of `block_on` the current-thread worker is not parked: it is not running.
            assert_eq!(metrics.worker_park_unpark_count(0) % 2, 0, "{flavor}");
        }
    }
}

#[test]
fn current_thread_worker_noop_count_counts_wakeups_that_ran_no_task() {
    let _dog = Watchdog::new("worker_noop_count", BOUND);
    let rt = support::current();
    let metrics = rt.metrics();
    // The main future is woken three times from another thread; no task ever runs, so every
    // park after the first follows a wake-up that ran nothing.
    rt.block_on(async {
        for _ in 0..3 {
            let (tx, rx) = runtime::sync::oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.send(()).unwrap();
            });
            rx.await.unwrap();
        }
    });
    let parks = metrics.worker_park_count(0);
    let noops = metrics.worker_noop_count(0);
    assert!(parks >= 3, "{parks} parks for three waits");
    assert_eq!(
        noops,
        parks - 1,
        "every park but the first ran no task before it"
    );
    // A park after running a task is not a no-op.
    rt.block_on(async {
        runtime::spawn(async {}).await.unwrap();
        runtime::time::sleep(Duration::from_millis(10)).await;
    });
    assert!(metrics.worker_park_count(0) > parks);
    assert!(
        metrics.worker_noop_count(0) < noops + (metrics.worker_park_count(0) - parks),
        "the park after the spawned task ran is not a no-op"
    );
}

#[test]
fn multi_thread_worker_noop_count_never_exceeds_the_parks() {
    let _dog = Watchdog::new("multi_thread worker_noop_count", BOUND);
    let rt = support::multi(2);
    let metrics = rt.metrics();
    rt.block_on(async {
        for _ in 0..5 {
            runtime::spawn(runtime::time::sleep(Duration::from_millis(5)))
                .await
                .unwrap();
        }
    });
    wait_until("both workers parked", || {
        (0..2).all(|w| metrics.worker_park_unpark_count(w) % 2 == 1)
    });
    for w in 0..2 {
        assert!(metrics.worker_noop_count(w) < metrics.worker_park_count(w));
    }
}

#[test]
fn worker_busy_duration_and_mean_poll_time_include_a_slow_poll() {
    let _dog = Watchdog::new("busy duration and mean poll time", BOUND);
    const SLOW: Duration = Duration::from_millis(30);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        // A fresh multi-thread worker was busy for the few microseconds before its first park.
        assert!(metrics.worker_total_busy_duration(0) < SLOW, "{flavor}");
        assert_eq!(
            metrics.worker_mean_poll_time(0),
            Duration::ZERO,
            "{flavor}: no poll yet"
        );
        rt.block_on(rt.spawn(async { std::thread::sleep(SLOW) }))
            .unwrap();
        wait_until(&format!("{flavor}: busy time published"), || {
            metrics.worker_total_busy_duration(0) >= SLOW
        });
        let mean = metrics.worker_mean_poll_time(0);
        assert!(
            mean >= SLOW,
            "{flavor}: the only poll took {SLOW:?}, mean {mean:?}"
        );
        assert!(mean < BOUND, "{flavor}: mean {mean:?}");
    }
}

#[test]
fn idle_workers_are_not_busy() {
    let _dog = Watchdog::new("idle busy time", BOUND);
    let rt = support::multi(2);
    let metrics = rt.metrics();
    std::thread::sleep(Duration::from_millis(200));
    for w in 0..2 {
        let busy = metrics.worker_total_busy_duration(w);
        assert!(
            busy < Duration::from_millis(100),
            "worker {w} parked at once but reports {busy:?} busy"
        );
    }
}

#[test]
fn poll_time_histogram_buckets_sum_to_the_poll_count() {
    let _dog = Watchdog::new("poll-time histogram", BOUND);
    let linear = HistogramConfiguration::linear(Duration::from_millis(1), 10);
    for (flavor, rt) in flavors(|b| {
        b.enable_metrics_poll_time_histogram()
            .metrics_poll_time_histogram_configuration(linear);
    }) {
        let metrics = rt.metrics();
        assert!(metrics.poll_time_histogram_enabled());
        assert_eq!(metrics.poll_time_histogram_num_buckets(), 10);
        rt.block_on(async {
            let quick: Vec<_> = (0..20).map(|_| runtime::spawn(async {})).collect();
            for task in quick {
                task.await.unwrap();
            }
            runtime::spawn(async { std::thread::sleep(Duration::from_millis(6)) })
                .await
                .unwrap();
        });
        wait_until(&format!("{flavor}: 21 polls published"), || {
            metrics.worker_poll_count(0) == 21
        });
        let buckets: Vec<u64> = (0..10)
            .map(|b| metrics.worker_poll_time_histogram_bucket_count(0, b))
            .collect();
        assert_eq!(buckets.iter().sum::<u64>(), 21, "{flavor}: {buckets:?}");
        assert!(
            buckets[6..].iter().sum::<u64>() >= 1,
            "{flavor}: the 6 ms poll is in a bucket from 6 ms up: {buckets:?}"
        );
        assert_eq!(
            metrics.poll_time_histogram_bucket_range(9).end,
            Duration::from_nanos(u64::MAX),
            "the last bucket is open-ended"
        );
    }
}

#[test]
fn log_poll_time_histogram_files_polls_by_magnitude() {
    let _dog = Watchdog::new("log histogram", BOUND);
    let log = HistogramConfiguration::log(
        LogHistogram::builder()
            .min_value(Duration::from_micros(10))
            .max_value(Duration::from_secs(1))
            .precision_exact(1),
    );
    for (flavor, rt) in flavors(|b| {
        b.enable_metrics_poll_time_histogram()
            .metrics_poll_time_histogram_configuration(log);
    }) {
        let metrics = rt.metrics();
        let buckets = metrics.poll_time_histogram_num_buckets();
        rt.block_on(rt.spawn(async { std::thread::sleep(Duration::from_millis(20)) }))
            .unwrap();
        wait_until(&format!("{flavor}: the poll published"), || {
            metrics.worker_poll_count(0) == 1
        });
        let hit: Vec<usize> = (0..buckets)
            .filter(|&b| metrics.worker_poll_time_histogram_bucket_count(0, b) == 1)
            .collect();
        assert_eq!(hit.len(), 1, "{flavor}: one poll, one bucket");
        let range = metrics.poll_time_histogram_bucket_range(hit[0]);
        assert!(
            range.end > Duration::from_millis(20) && range.start <= Duration::from_secs(1),
            "{flavor}: a 20 ms poll filed in {range:?}"
        );
        // Precision 1: a bucket spans at most half of its start.
        assert!(range.end - range.start <= range.start / 2, "{range:?}");
    }
}

#[test]
fn poll_time_histogram_is_off_by_default_and_its_accessors_panic_clearly() {
    let rt = support::current();
    let metrics = rt.metrics();
    assert!(!metrics.poll_time_histogram_enabled());
    assert_eq!(metrics.poll_time_histogram_num_buckets(), 0);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        metrics.poll_time_histogram_bucket_range(0)
    }))
    .unwrap_err();
    assert!(support::panic_text(&*err).contains("not enabled"));
}

#[test]
fn worker_metrics_panic_with_a_clear_message_for_a_bad_worker_index() {
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            metrics.worker_poll_count(1)
        }))
        .unwrap_err();
        assert!(
            support::panic_text(&*err).contains("worker index 1 out of range"),
            "{flavor}: {}",
            support::panic_text(&*err)
        );
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            metrics.worker_overflow_count(7)
        }))
        .unwrap_err();
        assert!(
            support::panic_text(&*err).contains("out of range"),
            "{flavor}"
        );
    }
}

#[test]
fn worker_overflow_count_stays_zero_past_tokios_256_task_queue() {
    let _dog = Watchdog::new("worker_overflow_count", BOUND);
    const TASKS: usize = 1_000;
    for (flavor, rt) in flavors(|b| {
        b.disable_lifo_slot();
    }) {
        let metrics = rt.metrics();
        let reader = metrics.clone();
        let seen = rt
            .block_on(rt.spawn(async move {
                let tasks: Vec<_> = (0..TASKS).map(|_| runtime::spawn(async {})).collect();
                // All of them wait on this worker's own queue: none went to the injector.
                let seen = (
                    reader.worker_local_queue_depth(0),
                    reader.global_queue_depth(),
                );
                for task in tasks {
                    task.await.unwrap();
                }
                seen
            }))
            .unwrap();
        assert_eq!(seen, (TASKS, 0), "{flavor}: (local, global) depth");
        assert_eq!(metrics.worker_overflow_count(0), 0, "{flavor}");
    }
}

#[test]
fn worker_local_queue_depth_leaves_out_the_lifo_slot() {
    let _dog = Watchdog::new("local queue depth with the LIFO slot", BOUND);
    let rt = support::multi(1);
    let metrics = rt.metrics();
    let depth = rt
        .block_on(rt.spawn(async move {
            // The last spawn sits in the LIFO slot, the nine before it in the queue.
            let tasks: Vec<_> = (0..10).map(|_| runtime::spawn(async {})).collect();
            let depth = metrics.worker_local_queue_depth(0);
            for task in tasks {
                task.await.unwrap();
            }
            depth
        }))
        .unwrap();
    assert_eq!(depth, 9);
}

#[test]
fn blocking_pool_metrics_count_a_known_number_of_threads_and_queued_jobs() {
    let _dog = Watchdog::new("blocking pool metrics", BOUND);
    const THREADS: usize = 3;
    for (flavor, rt) in flavors(|b| {
        b.max_blocking_threads(THREADS);
    }) {
        let metrics = rt.metrics();
        let running = Arc::new(Barrier::new(THREADS + 1));
        let release = Arc::new(Barrier::new(THREADS + 1));
        let jobs: Vec<_> = (0..THREADS)
            .map(|_| {
                let (running, release) = (running.clone(), release.clone());
                rt.spawn_blocking(move || {
                    running.wait();
                    release.wait();
                })
            })
            .collect();
        running.wait();
        // Every thread busy at the cap: two more jobs wait in the queue.
        let queued: Vec<_> = (0..2).map(|i| rt.spawn_blocking(move || i)).collect();
        let during = (
            metrics.num_blocking_threads(),
            metrics.num_idle_blocking_threads(),
            metrics.blocking_queue_depth(),
        );
        release.wait();
        for job in jobs {
            rt.block_on(job).unwrap();
        }
        for job in queued {
            rt.block_on(job).unwrap();
        }
        assert_eq!(
            during,
            (THREADS, 0, 2),
            "{flavor}: (threads, idle, queued) with every thread busy (workers not counted)"
        );
        assert_eq!(metrics.blocking_queue_depth(), 0, "{flavor}");
        wait_until(&format!("{flavor}: the threads went idle"), || {
            metrics.num_idle_blocking_threads() == THREADS
        });
        assert_eq!(
            metrics.num_blocking_threads(),
            THREADS,
            "{flavor}: kept alive"
        );
    }
}

#[test]
fn io_driver_counts_an_echo_over_tcp() {
    let _dog = Watchdog::new("io driver metrics", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        rt.block_on(async {
            use runtime::io::{AsyncReadExt, AsyncWriteExt};
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            let server = runtime::spawn(async move {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 5];
                stream.read_exact(&mut buf).await.unwrap();
                stream.write_all(&buf).await.unwrap();
            });
            let mut client = runtime::net::TcpStream::connect(addr).await.unwrap();
            client.write_all(b"hello").await.unwrap();
            let mut back = [0u8; 5];
            client.read_exact(&mut back).await.unwrap();
            assert_eq!(&back, b"hello");
            server.await.unwrap();
        });
        assert!(
            metrics.io_driver_ready_count() > 0,
            "{flavor}: the accept and the reads waited for readiness"
        );
        assert_eq!(
            metrics.io_driver_fd_registered_count(),
            3,
            "{flavor}: listener, accepted stream, client stream"
        );
        assert_eq!(
            metrics.io_driver_fd_deregistered_count(),
            3,
            "{flavor}: all three closed"
        );
    }
}

#[test]
fn worker_thread_id_names_the_thread_running_the_worker_while_it_runs() {
    let _dog = Watchdog::new("worker_thread_id", BOUND);
    for (flavor, rt) in flavors(|_| {}) {
        let metrics = rt.metrics();
        let reader = metrics.clone();
        let (seen, here) = rt
            .block_on(
                rt.spawn(async move { (reader.worker_thread_id(0), std::thread::current().id()) }),
            )
            .unwrap();
        assert_eq!(seen, Some(here), "{flavor}: read from a task on the worker");
        drop(rt);
        assert_eq!(metrics.worker_thread_id(0), None, "{flavor}: stopped");
    }
}
