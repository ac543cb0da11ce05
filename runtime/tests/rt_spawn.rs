//! Spawning on both flavors: many tasks, nested spawns, spawns from plain threads through a
//! `Handle`, task ids, `is_finished`, and `Handle::current`/`try_current`.

mod support;

use runtime::task::{self, JoinHandle};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{Watchdog, oneshot};

const BOUND: Duration = Duration::from_secs(60);

#[test]
fn hundred_thousand_tasks_complete_with_correct_outputs() {
    let _dog = Watchdog::new("hundred_thousand_tasks", BOUND);
    const N: u64 = 100_000;
    let rt = support::multi(2);
    let polled = Arc::new(AtomicUsize::new(0));
    let sum = rt.block_on({
        let polled = polled.clone();
        async move {
            let handles: Vec<JoinHandle<u64>> = (0..N)
                .map(|i| {
                    let polled = polled.clone();
                    runtime::spawn(async move {
                        polled.fetch_add(1, Ordering::Relaxed);
                        i * 3
                    })
                })
                .collect();
            let mut sum = 0u64;
            for (i, handle) in handles.into_iter().enumerate() {
                let out = handle.await.expect("task failed");
                assert_eq!(out, i as u64 * 3, "task {i} returned the wrong value");
                sum += out;
            }
            sum
        }
    });
    assert_eq!(sum, 3 * N * (N - 1) / 2);
    assert_eq!(polled.load(Ordering::SeqCst), N as usize);
}

#[test]
fn hundred_thousand_tasks_on_current_thread() {
    let _dog = Watchdog::new("hundred_thousand_tasks_on_current_thread", BOUND);
    const N: u64 = 100_000;
    let rt = support::current();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..N).map(|i| runtime::spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, N * (N - 1) / 2);
}

type BoxFuture = Pin<Box<dyn Future<Output = u64> + Send>>;

/// A tree of tasks: each inner node spawns `FANOUT` children and sums their outputs; leaf
/// `label` returns itself. Leaves are labelled `0..FANOUT^depth`.
fn tree(depth: u32, label: u64, spawned: Arc<AtomicUsize>) -> BoxFuture {
    const FANOUT: u64 = 4;
    Box::pin(async move {
        if depth == 0 {
            return label;
        }
        let children: Vec<_> = (0..FANOUT)
            .map(|i| {
                spawned.fetch_add(1, Ordering::SeqCst);
                runtime::spawn(tree(depth - 1, label * FANOUT + i, spawned.clone()))
            })
            .collect();
        let mut sum = 0;
        for child in children {
            sum += child.await.expect("child task failed");
        }
        sum
    })
}

fn check_nested(rt: &runtime::Runtime) {
    const DEPTH: u32 = 5;
    let spawned = Arc::new(AtomicUsize::new(0));
    let sum = rt
        .block_on(rt.spawn(tree(DEPTH, 0, spawned.clone())))
        .unwrap();
    let leaves = 4u64.pow(DEPTH);
    assert_eq!(sum, leaves * (leaves - 1) / 2);
    // 4 + 16 + ... + 4^DEPTH tasks spawned by tasks.
    let expected: usize = (1..=DEPTH).map(|d| 4usize.pow(d)).sum();
    assert_eq!(spawned.load(Ordering::SeqCst), expected);
}

#[test]
fn nested_spawns_multi_thread() {
    let _dog = Watchdog::new("nested_spawns_multi_thread", BOUND);
    check_nested(&support::multi(2));
}

#[test]
fn nested_spawns_current_thread() {
    let _dog = Watchdog::new("nested_spawns_current_thread", BOUND);
    check_nested(&support::current());
}

#[test]
fn spawn_from_plain_threads_through_handle() {
    let _dog = Watchdog::new("spawn_from_plain_threads_through_handle", BOUND);
    let rt = support::multi(2);
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let handle = rt.handle().clone();
            std::thread::spawn(move || {
                let handles: Vec<_> = (0..1000u64)
                    .map(|i| handle.spawn(async move { t * 1000 + i }))
                    .collect();
                // Also through `enter` + the free function, from the same plain thread.
                let _guard = handle.enter();
                let extra = runtime::spawn(async move { t });
                (handles, extra)
            })
        })
        .collect();
    let mut sum = 0;
    let mut extras = 0;
    for thread in threads {
        let (handles, extra) = thread.join().unwrap();
        for h in handles {
            sum += rt.block_on(h).unwrap();
        }
        extras += rt.block_on(extra).unwrap();
    }
    assert_eq!(sum, (0..4000u64).sum::<u64>());
    assert_eq!(extras, 1 + 2 + 3);
}

#[test]
fn handle_block_on_from_plain_thread() {
    let _dog = Watchdog::new("handle_block_on_from_plain_thread", BOUND);
    let rt = support::multi(2);
    let handle = rt.handle().clone();
    let out = std::thread::spawn(move || {
        handle.block_on(async {
            let inner = runtime::spawn(async { runtime::spawn(async { 20 }).await.unwrap() + 1 });
            inner.await.unwrap() * 2
        })
    })
    .join()
    .unwrap();
    assert_eq!(out, 42);
}

#[test]
fn current_thread_runs_tasks_on_the_block_on_thread() {
    let _dog = Watchdog::new("current_thread_runs_tasks_on_the_block_on_thread", BOUND);
    let rt = support::current();
    let here = std::thread::current().id();
    // Spawned before anyone drives the runtime: they run once `block_on` starts.
    let early: Vec<_> = (0..10u32)
        .map(|i| rt.spawn(async move { (i, std::thread::current().id()) }))
        .collect();
    let results = rt.block_on(async move {
        let inside: Vec<_> = (10..20u32)
            .map(|i| runtime::spawn(async move { (i, std::thread::current().id()) }))
            .collect();
        let mut results = Vec::new();
        for h in early.into_iter().chain(inside) {
            results.push(h.await.unwrap());
        }
        results
    });
    let values: Vec<u32> = results.iter().map(|(i, _)| *i).collect();
    assert_eq!(values, (0..20).collect::<Vec<_>>());
    assert!(
        results.iter().all(|(_, id)| *id == here),
        "a current-thread task ran on another thread"
    );
}

#[test]
fn current_thread_spawn_from_other_thread_via_handle() {
    let _dog = Watchdog::new("current_thread_spawn_from_other_thread_via_handle", BOUND);
    let rt = support::current();
    let here = std::thread::current().id();
    let handle = rt.handle().clone();
    let (tx, rx) = oneshot::<Vec<JoinHandle<(u32, std::thread::ThreadId)>>>();
    let spawner = std::thread::spawn(move || {
        let handles = (0..100u32)
            .map(|i| handle.spawn(async move { (i, std::thread::current().id()) }))
            .collect();
        // Wakes the `block_on` future from this foreign thread.
        tx.send(handles);
    });
    let results = rt.block_on(async move {
        let handles = rx.await.expect("spawner dropped the sender");
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        results
    });
    spawner.join().unwrap();
    assert_eq!(
        results.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (0..100).collect::<Vec<_>>()
    );
    assert!(results.iter().all(|(_, id)| *id == here));
}

#[test]
fn current_thread_block_on_from_two_threads() {
    let _dog = Watchdog::new("current_thread_block_on_from_two_threads", BOUND);
    let rt = support::current();
    let handle = rt.handle().clone();
    let (done_tx, done_rx) = oneshot::<u32>();
    // The other thread blocks on a future that needs a task to run; whichever thread holds the
    // scheduler core must run it.
    let other = std::thread::spawn(move || {
        let v = handle.block_on(async { runtime::spawn(async { 5 }).await.unwrap() });
        done_tx.send(v);
        v
    });
    let seen = rt.block_on(async move { done_rx.await.expect("other thread dropped the sender") });
    assert_eq!(seen, 5);
    assert_eq!(other.join().unwrap(), 5);
}

#[test]
fn task_ids_are_unique_and_visible_inside_the_task() {
    let _dog = Watchdog::new("task_ids", BOUND);
    for rt in [support::multi(2), support::current()] {
        assert_eq!(task::try_id(), None);
        rt.block_on(async {
            assert_eq!(task::try_id(), None, "block_on's own future is not a task");
            let handles: Vec<_> = (0..1000)
                .map(|_| runtime::spawn(async { task::id() }))
                .collect();
            let mut seen = HashSet::new();
            for h in handles {
                let expected = h.id();
                let abort_id = h.abort_handle().id();
                assert_eq!(abort_id, expected);
                let got = h.await.unwrap();
                assert_eq!(got, expected, "task::id() differs from JoinHandle::id()");
                assert!(seen.insert(got), "duplicate task id {got}");
            }
        });
    }
}

#[test]
fn join_handle_is_finished_tracks_completion() {
    let _dog = Watchdog::new("join_handle_is_finished", BOUND);
    for rt in [support::multi(2), support::current()] {
        let (tx, rx) = oneshot::<u32>();
        let handle = rt.spawn(async move { rx.await.unwrap() + 1 });
        let abort = handle.abort_handle();
        assert!(!handle.is_finished());
        assert!(!abort.is_finished());
        tx.send(41);
        let out = rt.block_on(async move {
            while !handle.is_finished() {
                task::yield_now().await;
            }
            handle.await.unwrap()
        });
        assert_eq!(out, 42);
        assert!(abort.is_finished());
    }
}

#[test]
fn handle_current_and_try_current() {
    let err = runtime::Handle::try_current().expect_err("no runtime on a plain test thread");
    assert!(
        err.to_string().contains("no runtime"),
        "unexpected message: {err}"
    );
    let caught = std::panic::catch_unwind(runtime::Handle::current)
        .expect_err("current() must panic outside");
    assert!(support::panic_text(&*caught).contains("no runtime"));

    let rt = support::multi(1);
    {
        let _guard = rt.enter();
        let handle = runtime::Handle::try_current().expect("entered");
        assert_eq!(rt.block_on(handle.spawn(async { 3 })).unwrap(), 3);
    }
    assert!(
        runtime::Handle::try_current().is_err(),
        "guard dropped: no longer current"
    );
    let from_task = rt.block_on(async {
        runtime::spawn(async { runtime::Handle::try_current().is_ok() })
            .await
            .unwrap()
    });
    assert!(from_task);
    let from_blocking = rt
        .block_on(rt.spawn_blocking(|| runtime::Handle::try_current().is_ok()))
        .unwrap();
    assert!(
        from_blocking,
        "spawn_blocking closures run inside the runtime's context"
    );
    // `spawn` outside any runtime panics with a message instead of misbehaving.
    let caught =
        std::panic::catch_unwind(|| runtime::spawn(async {})).expect_err("spawn outside a runtime");
    assert!(support::panic_text(&*caught).contains("context of a runtime"));
}
