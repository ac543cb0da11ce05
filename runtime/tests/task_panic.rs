//! Panicking tasks: the panic comes back through the `JoinHandle` (payload intact), the worker
//! survives and keeps serving, and panics in a future's destructor are caught too.

mod support;

use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{DropCounter, Watchdog, oneshot};

const BOUND: Duration = Duration::from_secs(60);

fn runtimes() -> [(&'static str, runtime::Runtime); 2] {
    // One worker, so the worker that caught the panic is the one that must keep serving.
    [
        ("multi_thread(1)", support::multi(1)),
        ("current_thread", support::current()),
    ]
}

#[test]
fn panic_gives_join_error_with_payload_and_runtime_keeps_serving() {
    let _dog = Watchdog::new("panic_gives_join_error", BOUND);
    for (flavor, rt) in runtimes() {
        let str_panic = rt.spawn(async { panic!("boom") });
        let id = str_panic.id();
        let err = rt
            .block_on(str_panic)
            .expect_err("panicking task must not give an output");
        assert!(err.is_panic(), "{flavor}: expected a panic, got {err:?}");
        assert!(!err.is_cancelled());
        assert_eq!(err.id(), id);
        assert!(
            err.to_string().contains("boom"),
            "{flavor}: Display should carry the message: {err}"
        );
        assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");

        let n = 7;
        let string_panic = rt.spawn(async move { panic!("formatted {n}") });
        let payload = rt.block_on(string_panic).unwrap_err().into_panic();
        assert_eq!(*payload.downcast::<String>().unwrap(), "formatted 7");

        let any_panic = rt.spawn(async { std::panic::panic_any(99u32) });
        let err = rt.block_on(any_panic).unwrap_err();
        let payload = err.try_into_panic().expect("is a panic");
        assert_eq!(*payload.downcast::<u32>().unwrap(), 99);

        // The runtime keeps serving: new tasks, and tasks that were pending during the panic.
        let (tx, rx) = oneshot::<u64>();
        let waiting = rt.spawn(async move { rx.await.unwrap() });
        let panics: Vec<_> = (0..10)
            .map(|i| rt.spawn(async move { assert!(i > 100, "task {i} fails") }))
            .collect();
        for p in panics {
            assert!(rt.block_on(p).unwrap_err().is_panic());
        }
        tx.send(5);
        assert_eq!(
            rt.block_on(waiting).unwrap(),
            5,
            "{flavor}: a pending task was lost"
        );
        let sum = rt.block_on(async {
            let hs: Vec<_> = (0..100u64)
                .map(|i| runtime::spawn(async move { i }))
                .collect();
            let mut s = 0;
            for h in hs {
                s += h.await.unwrap();
            }
            s
        });
        assert_eq!(sum, 4950, "{flavor}: runtime stopped serving after panics");
    }
}

#[test]
fn panic_after_pending_drops_locals_once() {
    let _dog = Watchdog::new("panic_after_pending_drops_locals_once", BOUND);
    for (flavor, rt) in runtimes() {
        let drops = DropCounter::new();
        let token = drops.token();
        let (tx, rx) = oneshot::<()>();
        let handle = rt.spawn(async move {
            let _token = token;
            rx.await;
            panic!("after wake");
        });
        tx.send(());
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_panic(), "{flavor}");
        assert_eq!(
            drops.count(),
            1,
            "{flavor}: the unwound future's locals must be dropped once"
        );
        drop(rt);
        assert_eq!(drops.count(), 1);
    }
}

/// Completes at once but panics when dropped.
struct PanicOnDrop {
    drops: Arc<AtomicUsize>,
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        panic!("destructor panic");
    }
}

#[test]
fn panic_in_future_destructor_after_completion_is_caught() {
    let _dog = Watchdog::new("panic_in_future_destructor_after_completion", BOUND);
    for (flavor, rt) in runtimes() {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = PanicOnDrop {
            drops: drops.clone(),
        };
        // The guard lives in the future's state across an await, so it is dropped with the
        // future after the output is produced.
        let handle = rt.spawn(async move {
            let _guard = guard;
            runtime::task::yield_now().await;
            1
        });
        let err = rt
            .block_on(handle)
            .expect_err("a destructor panic must be reported");
        assert!(err.is_panic(), "{flavor}: {err:?}");
        assert_eq!(support::panic_text(&*err.into_panic()), "destructor panic");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(
            rt.block_on(rt.spawn(async { 2 })).unwrap(),
            2,
            "{flavor}: worker died"
        );
    }
}

#[test]
fn panic_in_future_destructor_on_abort_is_caught() {
    let _dog = Watchdog::new("panic_in_future_destructor_on_abort", BOUND);
    for (flavor, rt) in runtimes() {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = PanicOnDrop {
            drops: drops.clone(),
        };
        let (started_tx, started_rx) = oneshot::<()>();
        let handle = rt.spawn(async move {
            let _guard = guard;
            started_tx.send(());
            pending::<()>().await;
        });
        let err = rt.block_on(async move {
            started_rx.await.unwrap();
            handle.abort();
            handle.await.unwrap_err()
        });
        // Either report is defensible; what matters is that it resolves, once, and the
        // runtime survives.
        assert!(err.is_panic() || err.is_cancelled(), "{flavor}: {err:?}");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(
            rt.block_on(rt.spawn(async { 3 })).unwrap(),
            3,
            "{flavor}: worker died"
        );
    }
}

#[test]
fn panic_in_future_destructor_at_shutdown_is_contained() {
    let _dog = Watchdog::new("panic_in_future_destructor_at_shutdown", BOUND);
    for (flavor, rt) in runtimes() {
        let drops = Arc::new(AtomicUsize::new(0));
        let others = DropCounter::new();
        let (started_tx, started_rx) = oneshot::<()>();
        let guard = PanicOnDrop {
            drops: drops.clone(),
        };
        rt.spawn(async move {
            let _guard = guard;
            started_tx.send(());
            pending::<()>().await;
        });
        for _ in 0..10 {
            let token = others.token();
            rt.spawn(async move {
                let _token = token;
                pending::<()>().await;
            });
        }
        rt.block_on(started_rx).unwrap();
        // Dropping the runtime must neither propagate the destructor panic nor skip the
        // other tasks.
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(rt)));
        assert!(
            dropped.is_ok(),
            "{flavor}: runtime drop propagated a task destructor panic"
        );
        assert_eq!(drops.load(Ordering::SeqCst), 1, "{flavor}");
        assert_eq!(
            others.count(),
            10,
            "{flavor}: other tasks not dropped at shutdown"
        );
    }
}

#[test]
fn panicking_tasks_on_many_workers() {
    let _dog = Watchdog::new("panicking_tasks_on_many_workers", BOUND);
    let rt = support::multi(2);
    let results = rt.block_on(async {
        let hs: Vec<_> = (0..1000u32)
            .map(|i| {
                runtime::spawn(async move {
                    if i % 3 == 0 {
                        panic!("task {i}");
                    }
                    i
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in hs {
            out.push(h.await);
        }
        out
    });
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(v) => {
                assert_ne!(i % 3, 0);
                assert_eq!(v as usize, i);
            }
            Err(e) => {
                assert_eq!(i % 3, 0, "task {i} failed unexpectedly: {e:?}");
                assert_eq!(
                    *e.into_panic().downcast::<String>().unwrap(),
                    format!("task {i}")
                );
            }
        }
    }
}
