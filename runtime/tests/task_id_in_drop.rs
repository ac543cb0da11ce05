//! `task::id()` / `try_id()` inside the destructor of a task's future or output: the runtime
//! drops them in the task's context, so both return the task's id wherever the drop happens
//! (completion, abort, shutdown, a dropped or late-dropped `JoinHandle`).

mod support;

use runtime::task::{Id, JoinHandle};
use std::future::Future;
use std::panic::catch_unwind;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(60);

/// One destructor's view: `try_id()`, and `id()` (`None` if it panicked).
type Sighting = (Option<Id>, Option<Id>);

/// What the destructors saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Sighting>>>);

impl Seen {
    fn record(&self) {
        let try_id = runtime::task::try_id();
        let id = catch_unwind(runtime::task::id).ok();
        self.0.lock().unwrap().push((try_id, id));
    }

    /// Asserts exactly one destructor ran and it saw `expected` both ways.
    fn assert_saw(&self, expected: Id, what: &str) {
        let seen = self.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![(Some(expected), Some(expected))],
            "{what}: (try_id, id) seen by the destructor"
        );
    }
}

/// Records the task id when dropped.
struct RecordOnDrop(Seen);

impl Drop for RecordOnDrop {
    fn drop(&mut self) {
        self.0.record();
    }
}

/// A future that is ready at once (or never, if `pending`) and records the id when dropped.
struct Recording {
    _on_drop: RecordOnDrop,
    pending: bool,
}

impl Future for Recording {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        if self.pending {
            Poll::Pending
        } else {
            Poll::Ready(5)
        }
    }
}

fn recording(seen: &Seen, pending: bool) -> Recording {
    Recording {
        _on_drop: RecordOnDrop(seen.clone()),
        pending,
    }
}

fn runtimes() -> Vec<(&'static str, runtime::Runtime)> {
    vec![
        (
            "current_thread",
            runtime::Builder::new_current_thread().build().unwrap(),
        ),
        (
            "multi_thread",
            runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap(),
        ),
    ]
}

#[test]
fn a_completed_future_dropped_by_the_runtime_sees_its_task_id() {
    let _dog = Watchdog::new("completed future", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Seen::default();
        let handle = rt.spawn(recording(&seen, false));
        let id = handle.id();
        let out = rt.block_on(handle);
        assert_eq!(
            out.expect("the destructor must not turn completion into a panic"),
            5,
            "{flavor}"
        );
        seen.assert_saw(id, flavor);
    }
}

/// A completed future whose destructor calls `task::id()` (which panics outside a task).
struct IdOnDrop(Arc<Mutex<Option<Id>>>);

impl Future for IdOnDrop {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Ready(())
    }
}

impl Drop for IdOnDrop {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(runtime::task::id());
    }
}

#[test]
fn a_future_whose_destructor_calls_task_id_still_completes_normally() {
    let _dog = Watchdog::new("destructor calls id", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Arc::new(Mutex::new(None));
        let handle = rt.spawn(IdOnDrop(seen.clone()));
        let id = handle.id();
        let out = rt.block_on(handle);
        assert!(out.is_ok(), "{flavor}: completion became {out:?}");
        assert_eq!(*seen.lock().unwrap(), Some(id), "{flavor}");
    }
}

#[test]
fn a_future_cancelled_by_abort_sees_its_task_id_in_its_destructor() {
    let _dog = Watchdog::new("aborted future", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Seen::default();
        let handle = rt.spawn(recording(&seen, true));
        let id = handle.id();
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{flavor}: {err:?}");
        seen.assert_saw(id, flavor);
    }
}

#[test]
fn a_future_dropped_at_shutdown_sees_its_task_id_in_its_destructor() {
    let _dog = Watchdog::new("shutdown", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Seen::default();
        let handle = rt.spawn(recording(&seen, true));
        let id = handle.id();
        // Let it be polled once (parked in `Pending`) before the shutdown.
        rt.block_on(runtime::task::yield_now());
        drop(rt);
        seen.assert_saw(id, flavor);
        drop(handle);
    }
}

/// Spawns a task whose output records the id when dropped; the task finishes only when the
/// returned sender fires.
fn output_task(
    rt: &runtime::Runtime,
    seen: &Seen,
) -> (JoinHandle<RecordOnDrop>, runtime::sync::oneshot::Sender<()>) {
    let (go, wait) = runtime::sync::oneshot::channel::<()>();
    let output = RecordOnDrop(seen.clone());
    let handle = rt.spawn(async move {
        let _ = wait.await;
        output
    });
    (handle, go)
}

#[test]
fn an_output_dropped_by_the_runtime_after_the_join_handle_left_sees_its_task_id() {
    let _dog = Watchdog::new("output dropped by runtime", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Seen::default();
        let (handle, go) = output_task(&rt, &seen);
        let id = handle.id();
        drop(handle);
        go.send(()).unwrap();
        // Drive the runtime (a current-thread one only runs tasks inside `block_on`).
        rt.block_on(async {
            while seen.0.lock().unwrap().is_empty() {
                runtime::task::yield_now().await;
            }
        });
        seen.assert_saw(id, flavor);
    }
}

#[test]
fn an_output_dropped_with_its_unread_join_handle_sees_its_task_id() {
    let _dog = Watchdog::new("output dropped by JoinHandle", BOUND);
    for (flavor, rt) in runtimes() {
        let seen = Seen::default();
        let (handle, go) = output_task(&rt, &seen);
        let id = handle.id();
        go.send(()).unwrap();
        rt.block_on(async {
            while !handle.is_finished() {
                runtime::task::yield_now().await;
            }
        });
        // The output waits in the task for its handle; dropping the handle drops it here, on
        // a thread outside the runtime.
        drop(handle);
        seen.assert_saw(id, flavor);
    }
}

#[test]
fn task_id_panic_outside_a_task_points_at_the_caller() {
    let location = Arc::new(Mutex::new(None));
    let hook = std::panic::take_hook();
    let me = std::thread::current().id();
    std::panic::set_hook(Box::new({
        let location = location.clone();
        move |info| {
            // Other tests may panic on their threads meanwhile: keep only ours.
            if std::thread::current().id() == me {
                *location.lock().unwrap() =
                    info.location().map(|l| (l.file().to_owned(), l.line()));
            }
        }
    }));
    let line = line!() + 1;
    let result = catch_unwind(|| runtime::task::id());
    std::panic::set_hook(hook);
    assert!(result.is_err(), "id() outside a task panics");
    let (file, at) = location.lock().unwrap().clone().expect("panic location");
    assert!(
        file.ends_with("task_id_in_drop.rs"),
        "panic reported in {file}:{at}"
    );
    assert_eq!(at, line);
}
