//! Models of the multi-thread scheduler's protocols, on a real runtime under loom.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom_tests::gate::gate;
use loom_tests::support::{Counter, capped_model, multi_thread};

/// A spawn from outside while the only worker is parking must wake it (no lost wake-up).
#[test]
fn spawn_from_outside_while_worker_parks() {
    loom::model(|| {
        let rt = multi_thread(1);
        let task = rt.spawn(async { 5 });
        assert_eq!(rt.block_on(task).unwrap(), 5);
    });
}

/// A task woken from a foreign thread while the worker parks runs exactly once.
#[test]
fn foreign_wake_while_worker_parks() {
    loom::model(|| {
        let rt = multi_thread(1);
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = polls.clone();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let th = loom::thread::spawn(move || opener.open());
        rt.block_on(task).unwrap();
        th.join().unwrap();
        assert_eq!(polls.load(Ordering::SeqCst), 1);
    });
}

/// Dropping the runtime while another thread spawns onto it: every future is dropped exactly
/// once (run to completion or cancelled), none is leaked.
#[test]
fn shutdown_races_spawn() {
    loom::model(|| {
        let rt = multi_thread(1);
        let drops = Arc::new(AtomicUsize::new(0));
        let handle = rt.handle().clone();
        let counted = drops.clone();
        let spawner = loom::thread::spawn(move || {
            struct Guard(Arc<AtomicUsize>);
            impl Drop for Guard {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let guard = Guard(counted);
            drop(handle.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            }));
        });
        drop(rt);
        spawner.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// The LIFO slot handed over while another worker steals: a task on one worker spawns two
/// children — the first goes to the LIFO slot, the second displaces it to the local queue (and
/// notifies a peer), so the second worker may steal it while the first worker runs the slot.
/// Every child runs exactly once.
#[test]
fn two_workers_spawn_from_inside() {
    loom::model(|| {
        let rt = multi_thread(2);
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let out = rt.block_on(async move {
            runtime::spawn(async move {
                let a = {
                    let runs = counted.clone();
                    runtime::spawn(async move { runs.fetch_add(1, Ordering::SeqCst) })
                };
                let b = runtime::spawn(async move { counted.fetch_add(1, Ordering::SeqCst) });
                a.await.unwrap() + b.await.unwrap()
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 1, "the two children saw 0 and 1");
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    });
}

/// `block_in_place` hands the core to a new thread, then the runtime is dropped: every thread
/// is joined and nothing hangs.
#[test]
fn block_in_place_then_drop() {
    loom::model(|| {
        let rt = multi_thread(1);
        let out = rt.block_on(async {
            runtime::spawn(async { runtime::task::block_in_place(|| 3) })
                .await
                .unwrap()
        });
        assert_eq!(out, 3);
        drop(rt);
    });
}

/// A blocking task racing runtime shutdown either runs or is cancelled; its handle resolves.
#[test]
fn spawn_blocking_races_shutdown() {
    loom::model(|| {
        let rt = multi_thread(1);
        let task = rt.spawn_blocking(|| 9);
        let handle = rt.handle().clone();
        drop(rt);
        let result = handle_block(&handle, task);
        assert!(matches!(result, Ok(9)) || result.unwrap_err().is_cancelled());
    });
}

/// Polls a join handle to completion on this thread without a runtime.
fn handle_block<T>(
    _handle: &runtime::Handle,
    task: runtime::task::JoinHandle<T>,
) -> Result<T, runtime::task::JoinError> {
    use std::future::Future;
    use std::task::{Context, Poll};
    let mut task = std::pin::pin!(task);
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    loop {
        if let Poll::Ready(out) = task.as_mut().poll(&mut cx) {
            return out;
        }
        loom::thread::yield_now();
    }
}

/// A spawn from outside while *both* workers park: the injector push and the idle check order
/// against the last searcher's re-scan, so some worker wakes and runs the task.
#[test]
fn spawn_from_outside_while_all_workers_park() {
    loom::model(|| {
        let rt = multi_thread(2);
        let task = rt.spawn(async { 6 });
        assert_eq!(rt.block_on(task).unwrap(), 6);
    });
}

/// Two workers stealing from a third: a task on one worker spawns three children into its
/// local queue (and LIFO slot) while it keeps running, the two idle workers are notified and
/// steal. Every child runs exactly once.
#[test]
fn two_workers_steal_from_a_third() {
    // Four loom threads through the whole scheduler: one preemption keeps it in CI's budget.
    capped_model(1, || {
        let rt = multi_thread(3);
        let runs = Counter::new();
        let counted = runs.clone();
        let total = rt.block_on(async move {
            runtime::spawn(async move {
                let children: Vec<_> = (0..3)
                    .map(|_| {
                        let runs = counted.clone();
                        runtime::spawn(async move { runs.incr() })
                    })
                    .collect();
                let mut sum = 0;
                for child in children {
                    sum += child.await.unwrap();
                }
                sum
            })
            .await
            .unwrap()
        });
        assert_eq!(total, 3, "the children saw 0, 1 and 2");
        assert_eq!(runs.get(), 3);
    });
}

/// `block_in_place` moves the LIFO slot's task to the local queue and hands the core to a new
/// thread while the other worker may steal that task: it runs exactly once.
#[test]
fn lifo_task_handed_over_by_block_in_place_while_peer_steals() {
    // Four loom threads (main, two workers, the thread taking the core): 9.5 min at two
    // preemptions on the 2-core machine, so capped at one.
    capped_model(1, || {
        let rt = multi_thread(2);
        let runs = Counter::new();
        let counted = runs.clone();
        let out = rt.block_on(async move {
            runtime::spawn(async move {
                let child = runtime::spawn(async move { counted.incr() });
                runtime::task::block_in_place(|| ());
                child.await.unwrap()
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 0);
        assert_eq!(runs.get(), 1);
    });
}

/// Dropping the runtime while another thread spawns a task and wakes a pending one: both
/// futures are dropped exactly once (run to completion or cancelled), none is leaked.
#[test]
fn shutdown_races_spawn_and_wake() {
    loom::model(|| {
        let rt = multi_thread(1);
        let drops = Counter::new();
        let parked = drops.on_drop();
        let (opener, gate) = gate();
        drop(rt.spawn(async move {
            let _guard = parked;
            gate.await;
        }));
        let handle = rt.handle().clone();
        let spawned = drops.on_drop();
        let other = loom::thread::spawn(move || {
            drop(handle.spawn(async move {
                let _guard = spawned;
            }));
            opener.open();
        });
        drop(rt);
        other.join().unwrap();
        assert_eq!(drops.get(), 2);
    });
}
