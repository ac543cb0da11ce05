//! Cancellation: `JoinHandle::abort` and `AbortHandle` before the first poll, while pending,
//! after completion, from inside the task and from other threads; each future is dropped
//! exactly once; dropping a `JoinHandle` detaches instead of cancelling.

mod support;

use runtime::task::{self, AbortHandle};
use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use support::{DropCounter, Watchdog, oneshot};

const BOUND: Duration = Duration::from_secs(60);

/// A task body that counts its polls and holds a drop token, then waits forever.
async fn pending_with_token(token: support::DropToken, polls: Arc<AtomicUsize>) {
    let _token = token;
    polls.fetch_add(1, Ordering::SeqCst);
    pending::<()>().await;
}

#[test]
fn abort_before_first_poll_current_thread() {
    let _dog = Watchdog::new("abort_before_first_poll_current_thread", BOUND);
    let rt = support::current();
    let drops = DropCounter::new();
    let polls = Arc::new(AtomicUsize::new(0));
    // Nobody drives a current-thread runtime outside `block_on`, so the task cannot have run.
    let handle = rt.spawn(pending_with_token(drops.token(), polls.clone()));
    handle.abort();
    let err = rt
        .block_on(handle)
        .expect_err("aborted task must not give an output");
    assert!(err.is_cancelled(), "expected cancelled, got {err:?}");
    assert!(!err.is_panic());
    assert_eq!(polls.load(Ordering::SeqCst), 0, "aborted task was polled");
    assert_eq!(drops.count(), 1, "future must be dropped exactly once");
    drop(rt);
    assert_eq!(
        drops.count(),
        1,
        "runtime drop must not drop the future again"
    );
}

#[test]
fn abort_before_first_poll_multi_thread() {
    let _dog = Watchdog::new("abort_before_first_poll_multi_thread", BOUND);
    // One worker: while the spawning task runs, nothing else can poll the child.
    let rt = support::multi(1);
    let drops = DropCounter::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let (token, polls2) = (drops.token(), polls.clone());
    let err = rt
        .block_on(rt.spawn(async move {
            let child = runtime::spawn(pending_with_token(token, polls2));
            child.abort();
            child
                .await
                .expect_err("aborted child must not give an output")
        }))
        .unwrap();
    assert!(err.is_cancelled());
    assert_eq!(polls.load(Ordering::SeqCst), 0, "aborted task was polled");
    assert_eq!(drops.count(), 1);
    drop(rt);
    assert_eq!(drops.count(), 1);
}

fn check_abort_while_pending(rt: runtime::Runtime) {
    let drops = DropCounter::new();
    let polls = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = oneshot::<()>();
    let token = drops.token();
    let polls2 = polls.clone();
    let handle = rt.spawn(async move {
        let _token = token;
        polls2.fetch_add(1, Ordering::SeqCst);
        started_tx.send(());
        pending::<()>().await;
    });
    let err = rt.block_on(async move {
        started_rx
            .await
            .expect("task dropped its sender before starting");
        assert!(!handle.is_finished());
        handle.abort();
        handle
            .await
            .expect_err("aborted task must not give an output")
    });
    assert!(err.is_cancelled());
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    assert_eq!(drops.count(), 1);
    drop(rt);
    assert_eq!(drops.count(), 1);
}

#[test]
fn abort_while_pending_multi_thread() {
    let _dog = Watchdog::new("abort_while_pending_multi_thread", BOUND);
    check_abort_while_pending(support::multi(2));
}

#[test]
fn abort_while_pending_current_thread() {
    let _dog = Watchdog::new("abort_while_pending_current_thread", BOUND);
    check_abort_while_pending(support::current());
}

#[test]
fn abort_handle_cancels_and_outlives_join_handle() {
    let _dog = Watchdog::new("abort_handle_cancels", BOUND);
    for rt in [support::multi(2), support::current()] {
        let drops = DropCounter::new();
        let handle = rt.spawn(pending_with_token(
            drops.token(),
            Arc::new(AtomicUsize::new(0)),
        ));
        let abort: AbortHandle = handle.abort_handle();
        let clone = abort.clone();
        assert_eq!(clone.id(), handle.id());
        drop(abort); // dropping an AbortHandle does nothing to the task
        assert!(!clone.is_finished());
        // Abort from a plain thread.
        let remote = clone.clone();
        std::thread::spawn(move || remote.abort()).join().unwrap();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert!(clone.is_finished());
        assert_eq!(drops.count(), 1);
        clone.abort(); // aborting a finished task is a no-op
        drop(rt);
        assert_eq!(drops.count(), 1);
    }
}

#[test]
fn abort_after_completion_keeps_output() {
    let _dog = Watchdog::new("abort_after_completion_keeps_output", BOUND);
    for rt in [support::multi(2), support::current()] {
        let handle = rt.spawn(async { 7 });
        let abort = handle.abort_handle();
        rt.block_on(async {
            while !abort.is_finished() {
                task::yield_now().await;
            }
        });
        handle.abort();
        abort.abort();
        assert_eq!(
            rt.block_on(handle).unwrap(),
            7,
            "abort after completion must not discard the output"
        );
    }
}

#[test]
fn task_aborting_itself_stops_at_next_yield_point() {
    let _dog = Watchdog::new("task_aborting_itself", BOUND);
    for rt in [support::multi(2), support::current()] {
        let passed_yield = Arc::new(AtomicBool::new(false));
        let drops = DropCounter::new();
        let (abort_tx, abort_rx) = oneshot::<AbortHandle>();
        let (flag, token) = (passed_yield.clone(), drops.token());
        let handle = rt.spawn(async move {
            let _token = token;
            let me = abort_rx.await.expect("abort handle not sent");
            me.abort();
            task::yield_now().await;
            flag.store(true, Ordering::SeqCst);
        });
        abort_tx.send(handle.abort_handle());
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert!(
            !passed_yield.load(Ordering::SeqCst),
            "task ran past its next yield point after abort"
        );
        assert_eq!(drops.count(), 1);
    }
}

#[test]
fn dropping_join_handle_detaches_task() {
    let _dog = Watchdog::new("dropping_join_handle_detaches_task", BOUND);
    for rt in [support::multi(2), support::current()] {
        let (go_tx, go_rx) = oneshot::<u32>();
        let (out_tx, out_rx) = oneshot::<u32>();
        drop(rt.spawn(async move {
            let v = go_rx.await.unwrap();
            out_tx.send(v * 2);
        }));
        go_tx.send(21);
        assert_eq!(
            rt.block_on(out_rx),
            Some(42),
            "detached task did not run to completion"
        );
    }
}

/// Abort races with a wake from a foreign thread: either outcome is fine, but the future is
/// dropped exactly once and the handle always resolves.
#[test]
fn abort_racing_with_foreign_wake() {
    let _dog = Watchdog::new("abort_racing_with_foreign_wake", BOUND);
    let rt = support::multi(2);
    let drops = DropCounter::new();
    const ROUNDS: usize = 500;
    let mut completed = 0;
    let mut cancelled = 0;
    for i in 0..ROUNDS {
        let (tx, rx) = oneshot::<usize>();
        let token = drops.token();
        let handle = rt.spawn(async move {
            let _token = token;
            rx.await.unwrap()
        });
        let abort = handle.abort_handle();
        let waker = std::thread::spawn(move || tx.send(i));
        abort.abort();
        match rt.block_on(handle) {
            Ok(v) => {
                assert_eq!(v, i);
                completed += 1;
            }
            Err(e) => {
                assert!(e.is_cancelled(), "unexpected join error {e:?}");
                cancelled += 1;
            }
        }
        waker.join().unwrap();
    }
    assert_eq!(completed + cancelled, ROUNDS);
    assert_eq!(
        drops.count(),
        ROUNDS,
        "each future must be dropped exactly once"
    );
    drop(rt);
    assert_eq!(drops.count(), ROUNDS);
}
