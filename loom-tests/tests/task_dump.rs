//! Models of a task dump's trace poll (issue 18, item 3) racing the task's own life: a wake
//! (the task must be scheduled exactly once afterwards, rule R3), an abort (it completes
//! normally, its future dropped once), and the task's own poll on the runtime's thread (a
//! running task is reported, never polled twice at once: rule R1 would panic in the stage
//! access, and loom sees the `UnsafeCell` race).
#![cfg(loom)]

use loom_tests::gate::gate;
use loom_tests::support::{Counter, current_thread, model, poll_once};
use std::pin::pin;
use std::task::{Poll, Waker};

/// Takes a dump of `handle` on this (foreign) thread; returns how many tasks it listed.
fn dump_here(handle: &runtime::Handle) -> usize {
    match poll_once(pin!(handle.dump()), Waker::noop()) {
        Poll::Ready(dump) => dump.tasks().len(),
        Poll::Pending => panic!("a dump outside any task completes at once"),
    }
}

/// A dump on a foreign thread races the gate's opener (a wake, possibly during the trace
/// poll) and the runtime's own thread driving the task: the task completes exactly once with
/// its value, and every reference is released (loom's leak check sees the task's scheduler
/// `Arc`; a second `Notified` would poll a finished future or leave a reference behind).
#[test]
fn dump_racing_a_wake_reschedules_the_task_exactly_once() {
    model(|| {
        let rt = current_thread();
        let (opener, gate) = gate();
        let polls = Counter::new();
        let counted = polls.clone();
        let task = rt.spawn(async move {
            counted.incr();
            gate.await;
            7
        });
        // Park the task on its gate first.
        rt.block_on(runtime::task::yield_now());
        let handle = rt.handle().clone();
        let dumper = loom::thread::spawn(move || dump_here(&handle));
        let opener = loom::thread::spawn(move || opener.open());
        assert_eq!(rt.block_on(task).unwrap(), 7);
        let listed = dumper.join().unwrap();
        opener.join().unwrap();
        assert!(listed <= 1);
        drop(rt);
        // The counter sits before the gate, so only the first poll passes it: a trace poll or
        // a rescheduled poll resumes at the gate.
        assert_eq!(polls.get(), 1);
    });
}

/// An abort from another thread races the dump's trace poll: the task completes cancelled and
/// its future is dropped exactly once, whoever holds `RUNNING` when the abort lands.
#[test]
fn dump_racing_an_abort_completes_the_task_cancelled_once() {
    model(|| {
        let rt = current_thread();
        let drops = Counter::new();
        let guard = drops.on_drop();
        let (_opener, gate) = gate();
        let task = rt.spawn(async move {
            let _guard = guard;
            gate.await;
        });
        rt.block_on(runtime::task::yield_now());
        let abort = task.abort_handle();
        let handle = rt.handle().clone();
        let dumper = loom::thread::spawn(move || dump_here(&handle));
        let aborter = loom::thread::spawn(move || abort.abort());
        let outcome = rt.block_on(task);
        dumper.join().unwrap();
        aborter.join().unwrap();
        assert!(outcome.unwrap_err().is_cancelled());
        drop(rt);
        assert_eq!(drops.get(), 1);
    });
}
