//! Models of a local task's cross-thread wake (issue 20, item 1; rule L1 in
//! `runtime/src/engine/task/mod.rs`): a waker sent to another thread queues the task on the
//! set's remote queue and wakes whoever drives the set, racing the owner running the set, or
//! dropping it. The task must run exactly once more (never lost, never twice), its future be
//! dropped exactly once, by the owner, and nothing leak (loom checks its `Arc`s).
#![cfg(loom)]

use loom_tests::gate::gate;
use loom_tests::support::{Counter, model, poll_once};
use runtime::task::LocalSet;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// The wake from another thread races the owner polling the set (`run_until` parks in
/// between): the task resumes exactly once and completes.
#[test]
fn a_remote_wake_races_the_owner_running_the_set() {
    model(|| {
        let local = LocalSet::new();
        let polls = Counter::new();
        let (opener, gate) = gate();
        let counted = polls.clone();
        let task = local.spawn_local(async move {
            let owned_here = Rc::new(());
            gate.await;
            counted.incr();
            Rc::strong_count(&owned_here)
        });
        let opener = loom::thread::spawn(move || opener.open());
        let out = loom::future::block_on(local.run_until(task)).unwrap();
        opener.join().unwrap();
        assert_eq!((out, polls.get()), (1, 1));
    });
}

/// The wake from another thread races the owner dropping the set: the pending task is
/// cancelled on the owner's thread, its future dropped once, and a `Notified` that reaches the
/// closed set's remote queue afterwards is only released.
#[test]
fn a_remote_wake_races_dropping_the_set() {
    model(|| {
        let local = LocalSet::new();
        let drops = Counter::new();
        let resumed = Counter::new();
        let (opener, gate) = gate();
        let guard = drops.on_drop();
        let counted = resumed.clone();
        let task = local.spawn_local(async move {
            let _guard = guard;
            let _not_send = Rc::new(());
            gate.await;
            counted.incr();
            std::future::pending::<()>().await
        });
        // One turn of the set: the task runs up to the gate and leaves its waker there.
        assert!(poll_once(pin!(local.run_until(async {})), Waker::noop()).is_ready());
        let opener = loom::thread::spawn(move || opener.open());
        drop(local);
        assert_eq!(drops.get(), 1);
        opener.join().unwrap();
        assert_eq!((drops.get(), resumed.get()), (1, 0));
        match poll_once(pin!(task), Waker::noop()) {
            Poll::Ready(result) => assert!(result.unwrap_err().is_cancelled()),
            Poll::Pending => panic!("the task of a dropped set is complete"),
        }
    });
}
