//! `UnhandledPanic::ShutdownRuntime` on both flavors: the first panicking task shuts the
//! runtime down, `block_on` panics with the documented message, every other task is
//! cancelled (its future dropped once), and later spawns are refused.

mod support;

use runtime::UnhandledPanic;
use runtime::task::JoinHandle;
use std::future::pending;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;
use support::{DropCounter, Watchdog};

const BOUND: Duration = Duration::from_secs(90);
/// The documented text of `block_on`'s panic after a shutdown on unhandled panic.
const SHUTDOWN_MESSAGE: &str = "UnhandledPanic::ShutdownRuntime";
const PENDING: usize = 50;

fn build(multi: bool) -> runtime::Runtime {
    let mut builder = support::builder(multi);
    builder
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap()
}

fn spawn_pending(rt: &runtime::Runtime, drops: &DropCounter) -> Vec<JoinHandle<()>> {
    (0..PENDING)
        .map(|_| {
            let token = drops.token();
            rt.spawn(async move {
                let _token = token;
                pending::<()>().await;
            })
        })
        .collect()
}

fn check_panic_in_task_shuts_down(multi: bool) {
    let flavor = if multi {
        "multi_thread"
    } else {
        "current_thread"
    };
    // Leaked if an assertion fails, so a stuck runtime cannot hang the unwinding test.
    let rt = ManuallyDrop::new(build(multi));
    let drops = DropCounter::new();
    let handles = spawn_pending(&rt, &drops);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            let bad = runtime::spawn(async { panic!("task failure") });
            // Never completes on its own: only the shutdown can end this `block_on`.
            pending::<()>().await;
            drop(bad);
        })
    }))
    .expect_err("block_on must panic once a task panicked under ShutdownRuntime");
    let text = support::panic_text(&*caught);
    assert!(
        text.contains(SHUTDOWN_MESSAGE),
        "{flavor}: undocumented block_on panic message: {text}"
    );

    // Later `block_on` calls panic the same way instead of running on a dead runtime.
    let again = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { 1 })))
        .expect_err("block_on after the shutdown must panic");
    assert!(
        support::panic_text(&*again).contains(SHUTDOWN_MESSAGE),
        "{flavor}"
    );

    // Both flavors cancel every task as they stop, without waiting for the runtime's drop
    // (the multi-thread workers as they stop, the current-thread `block_on` before it panics).
    for handle in handles {
        let err = support::block_on_plain(handle).expect_err("pending task must be cancelled");
        assert!(err.is_cancelled(), "{flavor}: {err:?}");
    }
    assert_eq!(
        drops.count(),
        PENDING,
        "{flavor}: each pending future dropped exactly once"
    );
    support::bounded("dropping the runtime after ShutdownRuntime", move || {
        drop(ManuallyDrop::into_inner(rt))
    });
    assert_eq!(
        drops.count(),
        PENDING,
        "{flavor}: a pending future was dropped twice"
    );
}

#[test]
fn shutdown_runtime_policy_multi_thread() {
    let _dog = Watchdog::new("shutdown_runtime_policy_multi_thread", BOUND);
    check_panic_in_task_shuts_down(true);
}

#[test]
fn shutdown_runtime_policy_current_thread() {
    let _dog = Watchdog::new("shutdown_runtime_policy_current_thread", BOUND);
    check_panic_in_task_shuts_down(false);
}

/// On the multi-thread flavor the panic shuts the runtime down even when nobody is in
/// `block_on`: tasks spawned from outside are cancelled and later spawns are refused.
#[test]
fn shutdown_runtime_policy_without_block_on() {
    let _dog = Watchdog::new("shutdown_runtime_policy_without_block_on", BOUND);
    let rt = ManuallyDrop::new(build(true));
    let drops = DropCounter::new();
    let handles = spawn_pending(&rt, &drops);
    let bad = rt.spawn(async { panic!("outside failure") });
    let err =
        support::block_on_plain(bad).expect_err("the panicking task itself reports the panic");
    assert_eq!(support::panic_text(&*err.into_panic()), "outside failure");
    for handle in handles {
        assert!(support::block_on_plain(handle).unwrap_err().is_cancelled());
    }
    assert_eq!(drops.count(), PENDING);
    let late_drops = DropCounter::new();
    let token = late_drops.token();
    let late = rt.spawn(async move {
        let _token = token;
        1
    });
    assert!(
        support::block_on_plain(late).unwrap_err().is_cancelled(),
        "spawn after shutdown must be refused"
    );
    assert_eq!(late_drops.count(), 1);
    let caught = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { 1 })))
        .expect_err("block_on must panic");
    assert!(support::panic_text(&*caught).contains(SHUTDOWN_MESSAGE));
    support::bounded("dropping the runtime", move || {
        drop(ManuallyDrop::into_inner(rt))
    });
}

/// The default policy (`Ignore`) is what lets a panicking task leave the runtime running; the
/// same scenario as above must not shut anything down.
#[test]
fn ignore_policy_keeps_runtime_running() {
    let _dog = Watchdog::new("ignore_policy_keeps_runtime_running", BOUND);
    for multi in [true, false] {
        let mut builder = if multi {
            runtime::Builder::new_multi_thread()
        } else {
            runtime::Builder::new_current_thread()
        };
        let rt = builder
            .unhandled_panic(UnhandledPanic::Ignore)
            .build()
            .unwrap();
        let drops = DropCounter::new();
        let handles = spawn_pending(&rt, &drops);
        let err = rt.block_on(async {
            runtime::spawn(async { panic!("ignored") })
                .await
                .unwrap_err()
        });
        assert!(err.is_panic());
        assert_eq!(
            rt.block_on(async { runtime::spawn(async { 2 }).await.unwrap() }),
            2
        );
        assert!(
            handles.iter().all(|h| !h.is_finished()),
            "Ignore must not cancel other tasks"
        );
        assert_eq!(drops.count(), 0);
        drop(rt);
        assert_eq!(drops.count(), PENDING);
    }
}

/// Current-thread flavor: when a task's panic shuts the runtime down, every other task (and
/// whatever it holds: sockets, locks, permits) is dropped before `block_on` panics, as the
/// multi-thread workers do, not later when the `Runtime` itself is dropped.
#[test]
fn current_thread_shutdown_on_panic_drops_every_task_before_block_on_panics() {
    let _dog = Watchdog::new("current_thread drops tasks before block_on panics", BOUND);
    let rt = ManuallyDrop::new(build(false));
    let drops = DropCounter::new();
    let handles = spawn_pending(&rt, &drops);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            // Let the pending tasks run once, so they hold their guards parked mid-task.
            runtime::task::yield_now().await;
            let _bad = runtime::spawn(async { panic!("task failure") });
            pending::<()>().await;
        })
    }))
    .expect_err("block_on must panic");
    assert!(support::panic_text(&*caught).contains(SHUTDOWN_MESSAGE));
    // The runtime is still alive here.
    assert_eq!(
        drops.count(),
        PENDING,
        "every pending task was dropped before block_on returned its panic"
    );
    for handle in handles {
        let err = support::block_on_plain(handle).expect_err("pending task must be cancelled");
        assert!(err.is_cancelled(), "{err:?}");
    }
    support::bounded("dropping the runtime after ShutdownRuntime", move || {
        drop(ManuallyDrop::into_inner(rt))
    });
    assert_eq!(drops.count(), PENDING, "no future was dropped twice");
}
