//! `runtime::sync` under real runtimes: cooperative budget on channels, fairness and
//! conservation with spawned tasks on several workers.

mod support;

use runtime::sync::{Barrier, CancellationToken, Mutex, Queue, Semaphore, broadcast, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use support::Watchdog;

fn multi_thread() -> runtime::Runtime {
    runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn always_ready_channel_loop_lets_other_tasks_run() {
    let _dog = Watchdog::new("coop channel loop", support::HANG_BOUND);
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let ran = rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let other = runtime::spawn(async move { f.store(true, Ordering::SeqCst) });
        let (tx, mut rx) = mpsc::unbounded_channel();
        // This loop never waits on its own: only the budget can make it yield.
        let mut spins = 0u32;
        while !flag.load(Ordering::SeqCst) && spins < 1_000_000 {
            tx.send(()).unwrap();
            rx.recv().await.unwrap();
            spins += 1;
        }
        other.await.unwrap();
        flag.load(Ordering::SeqCst)
    });
    assert!(
        ran,
        "the spawned task never ran while the channel loop was busy"
    );
}

#[test]
fn semaphore_bounds_concurrency_across_workers() {
    let _dog = Watchdog::new("semaphore", support::HANG_BOUND);
    multi_thread().block_on(async {
        let sem = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
                runtime::spawn(async move {
                    let _permit = sem.acquire().await.unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    runtime::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(sem.available_permits(), 3);
    });
}

#[test]
fn mutex_counts_every_increment() {
    let _dog = Watchdog::new("mutex", support::HANG_BOUND);
    multi_thread().block_on(async {
        let m = Arc::new(Mutex::new(0usize));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let m = m.clone();
                runtime::spawn(async move {
                    for _ in 0..100 {
                        let mut g = m.lock().await;
                        *g += 1;
                        runtime::task::yield_now().await; // hold it across a yield
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*m.lock().await, 1600);
    });
}

#[test]
fn queue_workers_join_and_shutdown() {
    let _dog = Watchdog::new("queue", support::HANG_BOUND);
    multi_thread().block_on(async {
        let q = Arc::new(Queue::new(4));
        let done = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let (q, done) = (q.clone(), done.clone());
                runtime::spawn(async move {
                    while let Ok(n) = q.get().await {
                        done.fetch_add(n, Ordering::SeqCst);
                        q.task_done().unwrap();
                    }
                })
            })
            .collect();
        for n in 1..=100 {
            q.put(n).await.unwrap();
        }
        q.join().await;
        assert_eq!(
            done.load(Ordering::SeqCst),
            5050,
            "join returned before all were done"
        );
        q.shutdown();
        for w in workers {
            w.await.unwrap();
        }
    });
}

#[test]
fn broadcast_fan_out_and_cancellation() {
    let _dog = Watchdog::new("broadcast", support::HANG_BOUND);
    multi_thread().block_on(async {
        let (tx, _) = broadcast::channel(128);
        let token = CancellationToken::new();
        let barrier = Arc::new(Barrier::new(4));
        let subscribers: Vec<_> = (0..3)
            .map(|_| {
                let mut rx = tx.subscribe();
                let (token, barrier) = (token.child_token(), barrier.clone());
                runtime::spawn(async move {
                    barrier.wait().await;
                    let mut sum = 0u64;
                    while let Some(Ok(v)) = token.run_until_cancelled(rx.recv()).await {
                        sum += v;
                    }
                    sum
                })
            })
            .collect();
        barrier.wait().await;
        for v in 1..=100u64 {
            tx.send(v).unwrap();
        }
        drop(tx); // subscribers drain, then see Closed
        for s in subscribers {
            assert_eq!(s.await.unwrap(), 5050);
        }
        token.cancel();
    });
}
