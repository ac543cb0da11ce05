//! `block_on` misuse and recovery: blocking inside a task or inside another `block_on` panics
//! with a clear message, and a panic escaping `block_on` leaves the runtime usable.

mod support;

use std::mem::ManuallyDrop;
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(90);
const NESTED_MESSAGE: &str = "Cannot start a runtime from within a runtime";

fn runtimes() -> [(&'static str, runtime::Runtime); 2] {
    [
        ("multi_thread", support::multi(2)),
        ("current_thread", support::current()),
    ]
}

#[test]
fn block_on_inside_a_task_panics_with_clear_message() {
    let _dog = Watchdog::new("block_on_inside_a_task", BOUND);
    for (flavor, rt) in runtimes() {
        let handle = rt.spawn(async {
            let handle = runtime::Handle::current();
            handle.block_on(async { 1 })
        });
        let err = rt
            .block_on(handle)
            .expect_err("block_on inside a task must panic");
        assert!(err.is_panic(), "{flavor}: {err:?}");
        let text = support::panic_text(&*err.into_panic());
        assert!(
            text.contains(NESTED_MESSAGE),
            "{flavor}: unclear message: {text}"
        );
        // The worker survived the misuse.
        assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5, "{flavor}");
    }
}

#[test]
fn block_on_of_another_runtime_inside_a_task_panics() {
    let _dog = Watchdog::new("block_on_of_another_runtime_inside_a_task", BOUND);
    let outer = support::multi(1);
    let inner = support::current();
    let inner_handle = inner.handle().clone();
    let err = outer
        .block_on(outer.spawn(async move { inner_handle.block_on(async { 1 }) }))
        .unwrap_err();
    assert!(support::panic_text(&*err.into_panic()).contains(NESTED_MESSAGE));
}

#[test]
fn nested_block_on_panics_and_runtime_stays_usable() {
    let _dog = Watchdog::new("nested_block_on", BOUND);
    for (flavor, rt) in runtimes() {
        // Leaked if the test fails, so a hanging runtime drop cannot hang the unwinding test.
        let rt = ManuallyDrop::new(rt);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async { runtime::Handle::current().block_on(async { 1 }) })
        }))
        .expect_err("nested block_on must panic");
        let text = support::panic_text(&*caught);
        assert!(
            text.contains(NESTED_MESSAGE),
            "{flavor}: unclear message: {text}"
        );
        // The thread is no longer marked as inside a runtime, and the runtime still works.
        assert_eq!(
            rt.block_on(async { 1 }),
            1,
            "{flavor}: thread still marked as inside a runtime"
        );
        let handle = rt.handle().clone();
        let after = support::bounded("block_on after a nested block_on panic", move || {
            handle.block_on(async { runtime::spawn(async { 8 }).await.unwrap() })
        });
        assert_eq!(after, 8, "{flavor}");
        support::bounded(
            "dropping the runtime after a nested block_on panic",
            move || drop(ManuallyDrop::into_inner(rt)),
        );
    }
}

/// A panic thrown by the `block_on` future itself unwinds out of `block_on`; afterwards the
/// runtime must still run futures and shut down (current-thread: its scheduler core must
/// not be lost with the unwinding frame).
#[test]
fn panic_in_block_on_future_leaves_runtime_usable() {
    let _dog = Watchdog::new("panic_in_block_on_future_leaves_runtime_usable", BOUND);
    for (flavor, rt) in runtimes() {
        let rt = ManuallyDrop::new(rt);
        let drops = support::DropCounter::new();
        let token = drops.token();
        let pending = rt.spawn(async move {
            let _token = token;
            std::future::pending::<()>().await;
        });
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                runtime::task::yield_now().await;
                panic!("block_on future panicked")
            })
        }))
        .expect_err("the panic must propagate out of block_on");
        assert_eq!(support::panic_text(&*caught), "block_on future panicked");
        let handle = rt.handle().clone();
        let after = support::bounded("block_on after a panic in block_on", move || {
            handle.block_on(async { runtime::spawn(async { 9 }).await.unwrap() })
        });
        assert_eq!(
            after, 9,
            "{flavor}: runtime unusable after a panic in block_on"
        );
        assert!(
            !pending.is_finished(),
            "{flavor}: unrelated task was cancelled by the panic"
        );
        support::bounded(
            "dropping the runtime after a panic in block_on",
            move || drop(ManuallyDrop::into_inner(rt)),
        );
        assert_eq!(
            drops.count(),
            1,
            "{flavor}: pending task not dropped exactly once at shutdown"
        );
        assert!(support::block_on_plain(pending).unwrap_err().is_cancelled());
    }
}

#[test]
fn block_on_from_several_plain_threads_at_once() {
    let _dog = Watchdog::new("block_on_from_several_plain_threads_at_once", BOUND);
    for (flavor, rt) in runtimes() {
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    handle.block_on(async move {
                        let hs: Vec<_> = (0..100u64)
                            .map(|i| runtime::spawn(async move { t * 100 + i }))
                            .collect();
                        let mut s = 0;
                        for h in hs {
                            s += h.await.unwrap();
                        }
                        s
                    })
                })
            })
            .collect();
        let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(total, (0..400u64).sum::<u64>(), "{flavor}");
    }
}
