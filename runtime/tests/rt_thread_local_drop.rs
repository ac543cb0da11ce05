//! A `Runtime` stored in a `thread_local!` is dropped by the thread-local destructors when its
//! thread exits, possibly after the runtime's own thread-locals are gone. Shutting down there
//! must not touch a destroyed thread-local (which aborts the process), so each case runs in a
//! child process (re-executing this binary) and the parent checks the child exited cleanly.
//! Also: `spawn` called from a thread-local destructor, before and after the runtime's context
//! thread-local is destroyed, fails with its own panic and drops the future.

mod support;

use std::cell::RefCell;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::Watchdog;

const CHILD_ENV: &str = "RUNTIME_TLS_DROP_CHILD";
const CHILD_OK: &str = "tls-drop-child: ok";

/// Runs the ignored test `child` of this binary in a child process and asserts it succeeded.
fn run_child(child: &str) {
    let _dog = Watchdog::new(child, Duration::from_secs(60));
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            child,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child `{child}` failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(CHILD_OK),
        "child `{child}` did not report success:\n{stdout}\n{stderr}"
    );
}

thread_local! {
    static RUNTIME: RefCell<Option<runtime::Runtime>> = const { RefCell::new(None) };
}

/// Counts drops of the spawned task's future.
struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// On a fresh thread, stores a runtime in a thread-local *before* touching any of the runtime's
/// own thread-locals (thread-locals are destroyed in reverse order of first use, so the
/// runtime's go first and are gone when ours drops the runtime), then uses it: a task that
/// never finishes, a finished task and a blocking job. The thread must join `Ok` and the pending
/// task's future must have been dropped.
fn runtime_in_thread_local_is_shut_down_on_thread_exit(build: fn() -> runtime::Runtime) {
    assert_eq!(
        std::env::var(CHILD_ENV).as_deref(),
        Ok("1"),
        "run through the parent test"
    );
    let drops = Arc::new(AtomicUsize::new(0));
    let thread = std::thread::spawn({
        let drops = drops.clone();
        move || {
            RUNTIME.with(|slot| *slot.borrow_mut() = Some(build()));
            RUNTIME.with(|slot| {
                let slot = slot.borrow();
                let rt = slot.as_ref().unwrap();
                let guard = Guard(drops);
                rt.block_on(async move {
                    runtime::spawn(async move {
                        let _guard = guard;
                        std::future::pending::<()>().await;
                    });
                    let id = runtime::spawn(async { runtime::task::id() });
                    let expected = id.id();
                    assert_eq!(id.await.unwrap(), expected);
                    runtime::task::spawn_blocking(|| 1).await.unwrap();
                    runtime::task::yield_now().await;
                });
            });
        }
    });
    thread
        .join()
        .expect("thread with a runtime in a thread-local joins Ok");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the pending task's future was dropped once"
    );
    println!("{CHILD_OK}");
}

fn current_thread() -> runtime::Runtime {
    runtime::Builder::new_current_thread().build().unwrap()
}

fn multi_thread() -> runtime::Runtime {
    runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn current_thread_runtime_dropped_by_thread_local_destructor_shuts_down_without_abort() {
    run_child("child_current_thread");
}

#[test]
fn multi_thread_runtime_dropped_by_thread_local_destructor_shuts_down_without_abort() {
    run_child("child_multi_thread");
}

#[test]
#[ignore = "runs only as the child process of the current_thread test"]
fn child_current_thread() {
    runtime_in_thread_local_is_shut_down_on_thread_exit(current_thread);
}

#[test]
#[ignore = "runs only as the child process of the multi_thread test"]
fn child_multi_thread() {
    runtime_in_thread_local_is_shut_down_on_thread_exit(multi_thread);
}

thread_local! {
    /// Spawns from its destructor (see [`SpawnsOnDrop`]).
    static SPAWNER: RefCell<Option<SpawnsOnDrop>> = const { RefCell::new(None) };
}

/// On drop, calls `runtime::spawn` with no runtime entered and reports what happened: the
/// panic message, and whether the future (holding a [`Guard`]) was dropped.
struct SpawnsOnDrop {
    report: Arc<std::sync::Mutex<Option<(String, usize)>>>,
}

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = Guard(drops.clone());
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime::spawn(async move {
                let _guard = guard;
            })
        }))
        .expect_err("spawn without a runtime panics");
        let message = support::panic_text(&*panic);
        *self.report.lock().unwrap() = Some((message, drops.load(Ordering::SeqCst)));
    }
}

/// `spawn` from a thread-local destructor reaches the runtime context's own thread-local
/// without a closure (`engine::borrow_current`): whether that thread-local is still alive
/// (`context_first`: touched first, so destroyed after ours) or already destroyed (ours first),
/// the call must see "no runtime", drop the future, and panic with `spawn`'s own message.
fn spawn_from_a_thread_local_destructor(context_first: bool) {
    let report = Arc::new(std::sync::Mutex::new(None));
    let reported = report.clone();
    std::thread::spawn(move || {
        let touch_context = || {
            let rt = runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {});
        };
        if context_first {
            touch_context();
            SPAWNER.with(|s| *s.borrow_mut() = Some(SpawnsOnDrop { report: reported }));
        } else {
            SPAWNER.with(|s| *s.borrow_mut() = Some(SpawnsOnDrop { report: reported }));
            touch_context();
        }
    })
    .join()
    .unwrap();
    let (message, drops) = report.lock().unwrap().take().expect("the destructor ran");
    assert!(
        message.contains("must be called from the context of a runtime"),
        "{message}"
    );
    assert_eq!(drops, 1, "the future is dropped exactly once");
}

#[test]
fn spawn_from_a_thread_local_destructor_while_the_context_lives() {
    spawn_from_a_thread_local_destructor(true);
}

#[test]
fn spawn_from_a_thread_local_destructor_after_the_context_is_gone() {
    spawn_from_a_thread_local_destructor(false);
}
