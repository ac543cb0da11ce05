//! `!Send` tasks: `LocalSet`, `spawn_local`, `LocalRuntime`, `JoinSet::spawn_local*` and the
//! macros' `local` flavor. Every test body runs under `support::bounded` (a hang fails the test)
//! on a fresh thread that owns the set, and, where a runtime is involved, on both flavors.

mod support;

use runtime::task::{JoinSet, LocalSet, spawn_local};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};
use support::{bounded, oneshot, panic_text};

/// A runtime flavor's name (for failure messages) and constructor.
type Flavor = (&'static str, fn() -> runtime::Runtime);

/// Both runtime flavors.
fn flavors() -> [Flavor; 2] {
    [
        ("current_thread", support::current),
        ("multi_thread", || support::multi(2)),
    ]
}

/// Records the thread each of its tokens is dropped on.
#[derive(Clone, Default)]
struct DropLog(Arc<Mutex<Vec<ThreadId>>>);

struct DropRecorder(DropLog);

impl Drop for DropRecorder {
    fn drop(&mut self) {
        (self.0).0.lock().unwrap().push(thread::current().id());
    }
}

impl DropLog {
    fn token(&self) -> DropRecorder {
        DropRecorder(self.clone())
    }
    fn threads(&self) -> Vec<ThreadId> {
        self.0.lock().unwrap().clone()
    }
}

#[test]
fn rc_state_is_shared_between_local_tasks() {
    for (flavor, build) in flavors() {
        let total = bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let counter = Rc::new(Cell::new(0));
            local.block_on(&rt, async {
                let tasks: Vec<_> = (1..=10)
                    .map(|i| {
                        let counter = counter.clone();
                        spawn_local(async move {
                            runtime::task::yield_now().await;
                            counter.set(counter.get() + i);
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            counter.get()
        });
        assert_eq!(total, 55, "{flavor}");
    }
}

#[test]
fn spawn_local_tasks_run_in_spawn_order() {
    for (flavor, build) in flavors() {
        let order = bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let order = Rc::new(RefCell::new(Vec::new()));
            for i in 0..5 {
                let order = order.clone();
                local.spawn_local(async move { order.borrow_mut().push(i) });
            }
            rt.block_on(local);
            Rc::try_unwrap(order).unwrap().into_inner()
        });
        assert_eq!(order, [0, 1, 2, 3, 4], "{flavor}");
    }
}

#[test]
fn a_wake_from_another_os_thread_resumes_the_task_on_its_own_thread() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let owner = thread::current().id();
            let (tx, rx) = oneshot::<u32>();
            let task = local.spawn_local(async move {
                let before = thread::current().id();
                let value = rx.await;
                (before, thread::current().id(), value, Rc::new(()))
            });
            let sender = thread::spawn(move || {
                thread::sleep(std::time::Duration::from_millis(20));
                tx.send(7);
            });
            let (before, after, value, _rc) = local.block_on(&rt, task).unwrap();
            sender.join().unwrap();
            assert_eq!((before, after), (owner, owner), "{flavor}");
            assert_eq!(value, Some(7), "{flavor}");
        });
    }
}

#[test]
fn a_send_task_of_the_runtime_wakes_a_local_task() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let owner = thread::current().id();
            let out = local.block_on(&rt, async move {
                let (tx, rx) = runtime::sync::oneshot::channel::<u32>();
                let waiter = spawn_local(async move {
                    let value = rx.await.unwrap();
                    (value, thread::current().id(), Rc::new(()))
                });
                runtime::task::yield_now().await;
                runtime::spawn(async move { tx.send(11).unwrap() });
                waiter.await.unwrap()
            });
            assert_eq!((out.0, out.1), (11, owner), "{flavor}");
        });
    }
    // On a `LocalRuntime` the `Send` task runs on the same thread, with the set entered.
    bounded("local runtime", || {
        let rt = runtime::Builder::new_current_thread()
            .build_local(runtime::LocalOptions::default())
            .unwrap();
        let (tx, rx) = runtime::sync::oneshot::channel::<u32>();
        let waiter = rt.spawn_local(async move { rx.await.unwrap() + *Rc::new(1) });
        let out = rt.block_on(async move {
            runtime::task::yield_now().await;
            runtime::spawn(async move { tx.send(11).unwrap() });
            waiter.await.unwrap()
        });
        assert_eq!(out, 12);
    });
}

#[test]
fn abort_from_another_thread_cancels_the_task_and_drops_it_on_its_own_thread() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let log = DropLog::default();
            let token = log.token();
            let started = Rc::new(Cell::new(false));
            let task = local.spawn_local({
                let started = started.clone();
                async move {
                    let _token = token;
                    let _rc = Rc::new(());
                    started.set(true);
                    std::future::pending::<()>().await
                }
            });
            let abort = task.abort_handle();
            let result = local.block_on(&rt, async move {
                runtime::task::yield_now().await;
                assert!(started.get());
                thread::spawn(move || abort.abort()).join().unwrap();
                task.await
            });
            assert!(result.unwrap_err().is_cancelled(), "{flavor}");
            assert_eq!(log.threads(), [thread::current().id()], "{flavor}");
        });
    }
}

#[test]
fn a_panicking_local_task_resolves_to_a_panic_join_error() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let err = local
                .block_on(&rt, async {
                    spawn_local(async { panic!("local boom {}", Rc::new(1)) }).await
                })
                .unwrap_err();
            assert!(err.is_panic(), "{flavor}");
            assert_eq!(panic_text(&*err.into_panic()), "local boom 1", "{flavor}");
            // The set is still usable after a task panicked.
            assert_eq!(local.block_on(&rt, async { 5 }), 5, "{flavor}");
        });
    }
}

#[test]
fn dropping_a_local_set_drops_its_tasks_on_its_thread() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let log = DropLog::default();
            let mut handles = Vec::new();
            for _ in 0..4 {
                let token = log.token();
                handles.push(local.spawn_local(async move {
                    let _token = token;
                    std::future::pending::<()>().await
                }));
            }
            // Two of them never ran at all: still dropped.
            local.block_on(&rt, runtime::task::yield_now());
            for _ in 0..2 {
                let token = log.token();
                local.spawn_local(async move { drop(token) });
            }
            assert!(log.threads().is_empty(), "{flavor}");
            drop(local);
            assert_eq!(log.threads(), [thread::current().id(); 6], "{flavor}");
            for handle in handles {
                let err = rt.block_on(handle).unwrap_err();
                assert!(err.is_cancelled(), "{flavor}");
            }
        });
    }
}

#[test]
fn run_until_returns_while_tasks_remain_and_they_continue_in_the_next_run_until() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let steps = Rc::new(RefCell::new(Vec::new()));
            let (tx, rx) = oneshot::<()>();
            local.spawn_local({
                let steps = steps.clone();
                async move {
                    steps.borrow_mut().push("started");
                    rx.await;
                    steps.borrow_mut().push("resumed");
                }
            });
            local.block_on(&rt, runtime::task::yield_now());
            assert_eq!(*steps.borrow(), ["started"], "{flavor}");
            tx.send(());
            // The wake came while nobody polled the set: the next `run_until` runs it.
            rt.block_on(local.run_until(async {
                while steps.borrow().len() < 2 {
                    runtime::task::yield_now().await;
                }
            }));
            assert_eq!(*steps.borrow(), ["started", "resumed"], "{flavor}");
        });
    }
}

#[test]
fn awaiting_a_local_set_waits_for_all_its_tasks() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let done = Rc::new(Cell::new(0));
            for i in 0..3u64 {
                let done = done.clone();
                local.spawn_local(async move {
                    runtime::time::sleep(std::time::Duration::from_millis(5 * i)).await;
                    // A task spawned by a task is waited for too.
                    let done2 = done.clone();
                    spawn_local(async move { done2.set(done2.get() + 1) });
                    done.set(done.get() + 1);
                });
            }
            rt.block_on(local);
            assert_eq!(done.get(), 6, "{flavor}");
        });
    }
}

#[test]
fn several_run_until_calls_at_once_all_complete_on_remote_wakes() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let (tx1, rx1) = oneshot::<u32>();
            let (tx2, rx2) = oneshot::<u32>();
            let sender = thread::spawn(move || {
                thread::sleep(std::time::Duration::from_millis(10));
                tx1.send(1);
                thread::sleep(std::time::Duration::from_millis(10));
                tx2.send(2);
            });
            let (a, b) = rt.block_on(async {
                runtime::join!(
                    local.run_until(async { spawn_local(rx1).await.unwrap() }),
                    local.run_until(async { spawn_local(rx2).await.unwrap() }),
                )
            });
            sender.join().unwrap();
            assert_eq!((a, b), (Some(1), Some(2)), "{flavor}");
        });
    }
}

#[test]
fn spawn_local_outside_a_local_set_panics_with_a_clear_message() {
    let rt = support::current();
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            drop(spawn_local(async {}));
        })
    }))
    .unwrap_err();
    assert!(
        panic_text(&*payload).contains("outside of a `task::LocalSet` or `LocalRuntime`"),
        "{}",
        panic_text(&*payload)
    );
    let payload = std::panic::catch_unwind(|| drop(spawn_local(async {}))).unwrap_err();
    assert!(panic_text(&*payload).contains("`spawn_local` called from outside"));
}

#[test]
fn enter_lets_sync_code_spawn_local_and_the_tasks_run_later() {
    bounded("enter", || {
        let rt = support::current();
        let local = LocalSet::new();
        let ran = Rc::new(Cell::new(false));
        let task = {
            let _guard = local.enter();
            let ran = ran.clone();
            spawn_local(async move { ran.set(true) })
        };
        assert!(!ran.get());
        local.block_on(&rt, task).unwrap();
        assert!(ran.get());
        // The guard is gone: no set is entered any more.
        assert!(std::panic::catch_unwind(|| drop(spawn_local(async {}))).is_err());
    });
}

#[test]
fn join_set_spawn_local_and_spawn_local_on() {
    for (flavor, build) in flavors() {
        bounded(flavor, move || {
            let rt = build();
            let local = LocalSet::new();
            let mut set = JoinSet::new();
            set.spawn_local_on(async { Rc::new(1) }, &local);
            let sum = local.block_on(&rt, async move {
                set.spawn_local(async { Rc::new(2) });
                let aborted = set.spawn_local(std::future::pending());
                aborted.abort();
                let (mut sum, mut cancelled) = (0, 0);
                while let Some(out) = set.join_next().await {
                    match out {
                        Ok(value) => sum += *value,
                        Err(err) if err.is_cancelled() => cancelled += 1,
                        Err(err) => panic!("{err}"),
                    }
                }
                (sum, cancelled)
            });
            assert_eq!(sum, (3, 1), "{flavor}");
        });
    }
}

#[test]
fn local_runtime_runs_local_and_send_tasks_on_one_thread() {
    bounded("local runtime", || {
        let rt = runtime::Builder::new_current_thread()
            .build_local(runtime::LocalOptions::default())
            .unwrap();
        let me = thread::current().id();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let out = rt.block_on(async {
            // `spawn_local` from a `Send` task spawned on the runtime works too.
            let from_send = runtime::spawn(async {
                let inner = spawn_local(async {
                    let rc = Rc::new(thread::current().id());
                    runtime::task::yield_now().await;
                    *rc
                });
                inner.await.unwrap()
            });
            let local = spawn_local({
                let seen = seen.clone();
                async move {
                    runtime::time::sleep(std::time::Duration::from_millis(2)).await;
                    seen.borrow_mut().push(thread::current().id());
                }
            });
            local.await.unwrap();
            from_send.await.unwrap()
        });
        assert_eq!(out, me);
        assert_eq!(*seen.borrow(), [me]);
        // Spawned from outside `block_on`, run by the next one; `handle()` spawns `Send` tasks.
        let task = rt.spawn_local(async { Rc::new(3) });
        let send = rt.handle().spawn(async { 4 });
        assert_eq!(*rt.block_on(task).unwrap() + rt.block_on(send).unwrap(), 7);
    });
}

#[test]
fn dropping_a_local_runtime_drops_pending_local_tasks_on_its_thread() {
    bounded("local runtime drop", || {
        let log = DropLog::default();
        let rt = runtime::Builder::new_current_thread()
            .build_local(runtime::LocalOptions::default())
            .unwrap();
        let token = log.token();
        rt.spawn_local(async move {
            let _token = token;
            runtime::time::sleep(std::time::Duration::from_secs(3600)).await;
        });
        rt.block_on(runtime::task::yield_now());
        drop(rt);
        assert_eq!(log.threads(), [thread::current().id()]);
    });
}

#[test]
fn local_runtime_shutdown_timeout_drops_local_tasks_on_its_thread_while_a_blocking_task_runs() {
    bounded("local runtime shutdown_timeout", || {
        let log = DropLog::default();
        let rt = runtime::Builder::new_current_thread()
            .build_local(runtime::LocalOptions::default())
            .unwrap();
        let token = log.token();
        let task = rt.spawn_local(async move {
            let _token = token;
            std::future::pending::<()>().await
        });
        rt.block_on(runtime::task::yield_now());
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        drop(rt.spawn_blocking(move || blocked.recv()));
        let abort = task.abort_handle();
        rt.shutdown_timeout(std::time::Duration::from_millis(10));
        assert_eq!(log.threads(), [thread::current().id()]);
        assert!(abort.is_finished());
        drop(release);
    });
}

#[test]
fn build_local_on_a_multi_thread_builder_is_an_invalid_input_error() {
    let err = runtime::Builder::new_multi_thread()
        .build_local(runtime::LocalOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("current_thread"), "{err}");
}

#[test]
fn a_local_task_panic_follows_the_local_runtime_unhandled_panic_policy() {
    let payload = bounded("policy", || {
        let rt = runtime::Builder::new_current_thread()
            .unhandled_panic(runtime::UnhandledPanic::ShutdownRuntime)
            .build_local(runtime::LocalOptions::default())
            .unwrap();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                drop(spawn_local(async { panic!("local task boom") }));
                std::future::pending::<()>().await
            })
        }))
        .unwrap_err()
    });
    assert!(
        panic_text(&*payload).contains("UnhandledPanic::ShutdownRuntime"),
        "{}",
        panic_text(&*payload)
    );
    // A plain `LocalSet` ignores it (Tokio's default): its runtime keeps running.
    bounded("ignore", || {
        let rt = runtime::Builder::new_current_thread()
            .unhandled_panic(runtime::UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap();
        let local = LocalSet::new();
        let out = local.block_on(&rt, async {
            let err = spawn_local(async { panic!("ignored") }).await.unwrap_err();
            err.is_panic()
        });
        assert!(out);
    });
}

#[runtime::test(flavor = "local")]
async fn test_macro_local_flavor_runs_the_body_on_a_local_runtime() {
    let shared = Rc::new(Cell::new(1));
    let task = spawn_local({
        let shared = shared.clone();
        async move { shared.set(shared.get() + 1) }
    });
    task.await.unwrap();
    assert_eq!(shared.get(), 2);
    assert_eq!(runtime::spawn(async { 3 }).await.unwrap(), 3);
}
