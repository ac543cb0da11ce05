//! A `Runtime` stored in a `thread_local!` is dropped by the thread-local destructors when its
//! thread exits, possibly after the runtime's own thread-locals are gone. Shutting down there
//! must not touch a destroyed thread-local (which aborts the process), so each case runs in a
//! child process (re-executing this binary) and the parent checks the child exited cleanly.

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
