//! Scheduling guarantees: a yielding loop cannot starve other tasks, a worker blocked by its
//! task does not stop the rest (its queue is stolen), `block_in_place` hands the worker's
//! queue over, and `spawn_blocking` runs closures on other threads.
//!
//! No test measures speed: each waits for a condition that can only become true if the
//! property holds, bounded only by a generous hang guard.

mod support;

use runtime::task::{self, JoinHandle};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;
use support::{HANG_BOUND, Watchdog};

const BOUND: Duration = Duration::from_secs(90);

/// A task looping on `yield_now` until `stop` is set; returns how often it yielded.
async fn looper(stop: Arc<AtomicBool>) -> u64 {
    let mut yields = 0u64;
    while !stop.load(Ordering::SeqCst) {
        yields += 1;
        task::yield_now().await;
    }
    yields
}

/// The other task needs several turns (it yields too), and it is the only one that can stop
/// the looper: if the looper starved it, this would never end.
async fn stopper(stop: Arc<AtomicBool>, turns: usize) -> usize {
    for _ in 0..turns {
        task::yield_now().await;
    }
    stop.store(true, Ordering::SeqCst);
    turns
}

#[test]
fn yield_loop_does_not_starve_other_task_one_worker() {
    let _dog = Watchdog::new("yield_loop_does_not_starve_other_task_one_worker", BOUND);
    let rt = support::multi(1);
    let stop = Arc::new(AtomicBool::new(false));
    let (yields, turns) = rt.block_on({
        let stop = stop.clone();
        async move {
            // Spawned from a task, so both land on the single worker's own queue.
            runtime::spawn(async move {
                let looping = runtime::spawn(looper(stop.clone()));
                let other = runtime::spawn(stopper(stop, 10));
                let turns = other.await.unwrap();
                (looping.await.unwrap(), turns)
            })
            .await
            .unwrap()
        }
    });
    assert_eq!(turns, 10);
    assert!(
        yields >= 1,
        "the looper must have been looping while the other task ran"
    );
}

#[test]
fn yield_loop_does_not_starve_remote_spawns_one_worker() {
    let _dog = Watchdog::new("yield_loop_does_not_starve_remote_spawns_one_worker", BOUND);
    let rt = support::multi(1);
    let stop = Arc::new(AtomicBool::new(false));
    let looping = rt.spawn(looper(stop.clone()));
    // Spawned from outside (the injector) while the looper keeps the only worker busy.
    let others: Vec<JoinHandle<usize>> = (0..50).map(|i| rt.spawn(async move { i })).collect();
    let sum: usize = others.into_iter().map(|h| rt.block_on(h).unwrap()).sum();
    assert_eq!(sum, (0..50).sum::<usize>());
    stop.store(true, Ordering::SeqCst);
    rt.block_on(looping).unwrap();
}

#[test]
fn yield_loop_does_not_starve_other_task_current_thread() {
    let _dog = Watchdog::new(
        "yield_loop_does_not_starve_other_task_current_thread",
        BOUND,
    );
    let rt = support::current();
    let stop = Arc::new(AtomicBool::new(false));
    let looping = rt.spawn(looper(stop.clone()));
    let other = rt.spawn(stopper(stop, 10));
    // `block_on` only waits for the stopper; the looper ends because the stopper ran.
    assert_eq!(rt.block_on(other).unwrap(), 10);
    assert!(rt.block_on(looping).unwrap() >= 1);
}

/// A task whose every await is ready at once (`consume_budget` only returns `Pending` when
/// the cooperative budget is spent) must still yield, or the task that stops it never runs.
#[test]
fn coop_budget_makes_always_ready_loop_yield() {
    let _dog = Watchdog::new("coop_budget_makes_always_ready_loop_yield", BOUND);
    for (flavor, rt) in [
        ("multi_thread(1)", support::multi(1)),
        ("current_thread", support::current()),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        // One round at least, whichever task a scheduler polls first (FIFO polls this one
        // first; a simulation may run the stopper first).
        let busy = rt.spawn(async move {
            let mut rounds = 0u64;
            loop {
                task::coop::consume_budget().await;
                rounds += 1;
                if flag.load(Ordering::SeqCst) {
                    break rounds;
                }
            }
        });
        let other = rt.spawn(stopper(stop, 1));
        assert_eq!(rt.block_on(other).unwrap(), 1, "{flavor}");
        let rounds = rt.block_on(busy).unwrap();
        assert!(rounds >= 1, "{flavor}: the busy task never ran");
    }
}

/// Spawns `n` small tasks from the current task (so they sit in this worker's local queue),
/// then blocks this worker thread until all of them have run. Only another worker, stealing
/// from this worker's queue, can run them.
fn block_until_stolen(n: usize) -> usize {
    let done = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<()>();
    for _ in 0..n {
        let (done, tx) = (done.clone(), tx.clone());
        drop(runtime::spawn(async move {
            if done.fetch_add(1, Ordering::SeqCst) + 1 == n {
                let _ = tx.send(());
            }
        }));
    }
    // The last spawn sits in the (unstealable) LIFO slot. Push one more throwaway task so
    // all `n` counted tasks are in the stealable queue; it runs after we unblock.
    drop(runtime::spawn(async {}));
    // Block the worker thread (like `std::thread::sleep` would), bounded against hangs.
    let _ = rx.recv_timeout(HANG_BOUND);
    done.load(Ordering::SeqCst)
}

#[test]
fn blocked_worker_queue_is_stolen_two_workers() {
    let _dog = Watchdog::new("blocked_worker_queue_is_stolen_two_workers", BOUND);
    const N: usize = 100;
    let rt = support::multi(2);
    let ran = rt
        .block_on(rt.spawn(async { block_until_stolen(N) }))
        .unwrap();
    assert_eq!(
        ran, N,
        "tasks queued on a blocked worker were not run by the other worker"
    );
    let metrics = rt.metrics();
    support::wait_until("steal recorded in metrics", || {
        (0..2).map(|w| metrics.worker_steal_count(w)).sum::<u64>() >= 1
    });
}

#[test]
fn sleeping_task_does_not_stop_other_tasks_two_workers() {
    let _dog = Watchdog::new("sleeping_task_does_not_stop_other_tasks_two_workers", BOUND);
    let rt = support::multi(2);
    let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let sleeper_done = Arc::new(AtomicBool::new(false));
    let flag = sleeper_done.clone();
    let sleeper = rt.spawn(async move {
        blocked_tx.send(()).unwrap();
        // Blocks its worker thread until the test has seen all other tasks finish.
        let _ = release_rx.recv_timeout(HANG_BOUND);
        flag.store(true, Ordering::SeqCst);
    });
    blocked_rx
        .recv_timeout(HANG_BOUND)
        .expect("sleeper never started");
    let handles: Vec<_> = (0..100u64)
        .map(|i| rt.spawn(async move { i * 2 }))
        .collect();
    let sum: u64 = handles.into_iter().map(|h| rt.block_on(h).unwrap()).sum();
    assert_eq!(sum, 2 * (0..100u64).sum::<u64>());
    assert!(
        !sleeper_done.load(Ordering::SeqCst),
        "all tasks finished while the sleeper was blocked"
    );
    release_tx.send(()).unwrap();
    rt.block_on(sleeper).unwrap();
}

#[test]
fn block_in_place_hands_off_the_only_worker() {
    let _dog = Watchdog::new("block_in_place_hands_off_the_only_worker", BOUND);
    const N: usize = 50;
    // One worker: while its thread is inside `block_in_place`, only the hand-off lets the other
    // tasks (queued locally and from outside) run.
    let rt = support::multi(1);
    let started = Arc::new(Barrier::new(2));
    let done = Arc::new(AtomicUsize::new(0));
    let (all_done_tx, all_done_rx) = mpsc::channel::<()>();
    let spawn_counted = |done: Arc<AtomicUsize>, tx: mpsc::Sender<()>| async move {
        if done.fetch_add(1, Ordering::SeqCst) + 1 == 2 * N {
            let _ = tx.send(());
        }
    };
    let (d, tx, s) = (done.clone(), all_done_tx.clone(), started.clone());
    let blocker = rt.spawn(async move {
        let worker = std::thread::current().id();
        for _ in 0..N {
            drop(runtime::spawn(spawn_counted(d.clone(), tx.clone())));
        }
        let (value, same_thread) = task::block_in_place(|| {
            s.wait();
            let finished = all_done_rx.recv_timeout(HANG_BOUND).is_ok();
            (finished, std::thread::current().id() == worker)
        });
        // The task continues after the closure; it can still spawn and await.
        let after = runtime::spawn(async { 7 }).await.unwrap();
        (value, same_thread, after)
    });
    started.wait();
    for _ in 0..N {
        drop(rt.spawn(spawn_counted(done.clone(), all_done_tx.clone())));
    }
    let (finished, same_thread, after) = rt.block_on(blocker).unwrap();
    assert!(
        finished,
        "other tasks did not progress while the worker was in block_in_place"
    );
    assert!(
        same_thread,
        "block_in_place runs the closure on the calling thread"
    );
    assert_eq!(after, 7);
    assert_eq!(done.load(Ordering::SeqCst), 2 * N);
    // The runtime still works normally afterwards.
    assert_eq!(
        rt.block_on(async { runtime::spawn(async { 1 }).await.unwrap() }),
        1
    );
}

/// A task that hands its worker away (`block_in_place`) and then yields in the same poll is
/// queued again by the scheduler, not by the worker that no longer holds its core: every such
/// task runs to its end, on both flavors.
#[test]
fn a_task_that_yields_after_block_in_place_runs_to_its_end() {
    let _dog = Watchdog::new(
        "a_task_that_yields_after_block_in_place_runs_to_its_end",
        BOUND,
    );
    for rt in [support::multi(2), support::current()] {
        let total = rt.block_on(async {
            let tasks: Vec<_> = (0..8u64)
                .map(|i| {
                    runtime::spawn(async move {
                        let mut sum = 0;
                        for round in 0..5 {
                            sum += task::block_in_place(move || i * round);
                            task::yield_now().await;
                        }
                        sum
                    })
                })
                .collect();
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            total
        });
        assert_eq!(total, (0..8u64).map(|i| i * 10).sum::<u64>());
    }
}

#[test]
fn block_in_place_returns_value_everywhere() {
    let _dog = Watchdog::new("block_in_place_returns_value_everywhere", BOUND);
    // Outside any runtime and on the current-thread flavor it simply runs in place.
    assert_eq!(task::block_in_place(|| 5), 5);
    let rt = support::current();
    let here = std::thread::current().id();
    let out = rt
        .block_on(rt.spawn(async { task::block_in_place(|| std::thread::current().id()) }))
        .unwrap();
    assert_eq!(out, here);
    let rt = support::multi(2);
    let many = rt.block_on(async {
        let hs: Vec<_> = (0..20u64)
            .map(|i| runtime::spawn(async move { task::block_in_place(move || i * i) }))
            .collect();
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    assert_eq!(many, (0..20u64).map(|i| i * i).sum::<u64>());
}

#[test]
fn spawn_blocking_runs_on_another_thread_and_returns_value() {
    let _dog = Watchdog::new("spawn_blocking_runs_on_another_thread", BOUND);
    for (flavor, rt) in [
        ("multi_thread", support::multi(2)),
        ("current_thread", support::current()),
    ] {
        let (task_thread, blocking_thread, value) = rt
            .block_on(rt.spawn(async {
                let task_thread = std::thread::current().id();
                let (blocking_thread, value) = task::spawn_blocking(|| {
                    (std::thread::current().id(), (1..=10u64).product::<u64>())
                })
                .await
                .unwrap();
                (task_thread, blocking_thread, value)
            }))
            .unwrap();
        assert_eq!(value, 3_628_800, "{flavor}");
        assert_ne!(
            task_thread, blocking_thread,
            "{flavor}: spawn_blocking ran on the worker thread"
        );
        assert_ne!(blocking_thread, std::thread::current().id(), "{flavor}");
    }
}

#[test]
fn spawn_blocking_many_concurrent_closures() {
    let _dog = Watchdog::new("spawn_blocking_many_concurrent_closures", BOUND);
    let rt = support::multi(2);
    // All 8 closures wait for each other: this only finishes if they run on 8 threads at once.
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8u64)
        .map(|i| {
            let b = barrier.clone();
            rt.spawn_blocking(move || {
                b.wait();
                i
            })
        })
        .collect();
    let sum: u64 = handles.into_iter().map(|h| rt.block_on(h).unwrap()).sum();
    assert_eq!(sum, 28);
    // A panicking closure reports through its handle like a task.
    let err = rt
        .block_on(rt.spawn_blocking(|| panic!("blocking boom")))
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(support::panic_text(&*err.into_panic()), "blocking boom");
}
