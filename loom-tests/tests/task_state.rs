//! Models of the task state machine, driven through the current-thread runtime.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom_tests::gate::gate;

fn current_thread() -> runtime::Runtime {
    runtime::Builder::new_current_thread().build().unwrap()
}

/// Counts drops of the value it guards.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A task woken from a foreign thread while it may be running or idle completes exactly once.
#[test]
fn wake_from_foreign_thread_completes_once() {
    loom::model(|| {
        let rt = current_thread();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            7
        });
        let opener_thread = loom::thread::spawn(move || opener.open());
        assert_eq!(rt.block_on(task).unwrap(), 7);
        opener_thread.join().unwrap();
    });
}

/// `abort` from another thread racing the task's completion: the handle sees exactly one
/// outcome and the future is dropped exactly once.
#[test]
fn abort_races_completion() {
    loom::model(|| {
        let rt = current_thread();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCounter(drops.clone());
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            let _guard = guard;
            gate.await;
        });
        let abort = task.abort_handle();
        let aborter = loom::thread::spawn(move || abort.abort());
        opener.open();
        let outcome = rt.block_on(task);
        aborter.join().unwrap();
        assert!(outcome.is_ok() || outcome.unwrap_err().is_cancelled());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// Dropping the `JoinHandle` on another thread while the task completes: the output is dropped
/// exactly once, whichever side gets there last.
#[test]
fn join_handle_dropped_while_completing() {
    loom::model(|| {
        let rt = current_thread();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = DropCounter(drops.clone());
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            output
        });
        let dropper = loom::thread::spawn(move || drop(task));
        opener.open();
        rt.block_on(async {
            // Let the task run to completion.
            while drops.load(Ordering::SeqCst) == 0 && rt_alive() {
                runtime::task::yield_now().await;
            }
        });
        dropper.join().unwrap();
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

fn rt_alive() -> bool {
    runtime::Handle::try_current().is_ok_and(|h| h.metrics().num_alive_tasks() > 0)
}

/// Dropping the runtime while a foreign thread wakes a pending task: the future is dropped
/// exactly once and the late wake is harmless.
#[test]
fn shutdown_races_wake() {
    loom::model(|| {
        let rt = current_thread();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCounter(drops.clone());
        let (opener, gate) = gate();
        let _task = rt.spawn(async move {
            let _guard = guard;
            gate.await;
        });
        let waker_thread = loom::thread::spawn(move || opener.open());
        drop(rt);
        waker_thread.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
