//! Models of the task state word alone (`runtime::__loom::TaskState`): reference counting and
//! the `NOTIFIED` hand-off, checked exactly, where the runtime-level models can only see
//! symptoms (extra polls, leaks).
#![cfg(loom)]

use loom::sync::Arc;
use loom_tests::support::model;
use runtime::__loom::{TaskState, ToComplete, ToIdle, ToNotified, ToRunning};

/// A task that a worker is polling (it holds `RUNNING` and the reference of the consumed
/// `Notified`) and one extra reference for a cloned waker: refs = list + join + poller + waker.
fn running_with_waker() -> Arc<TaskState> {
    let state = Arc::new(TaskState::new());
    assert_eq!(state.transition_to_running(), ToRunning::Success);
    state.ref_inc();
    assert_eq!(state.load().refs, 4);
    state
}

/// A wake from another thread (`wake`) racing the end of the poll, which may itself carry a
/// folded self-wake (`woke_self`, see `current_poll`). Checks that exactly one side minted the
/// `Notified` and the task is left notified and idle; returns the poller's outcome and the
/// reference count.
fn race_end_of_poll(woke_self: bool, wake: fn(&TaskState) -> ToNotified) -> (ToIdle, usize) {
    let state = running_with_waker();
    let waker = {
        let state = state.clone();
        loom::thread::spawn(move || wake(&state))
    };
    let idle = state.transition_to_idle(woke_self);
    let woke = waker.join().unwrap();
    let submits = usize::from(woke == ToNotified::Submit) + usize::from(idle == ToIdle::OkNotified);
    assert_eq!(submits, 1, "poller {idle:?}, waker {woke:?}");
    let now = state.load();
    assert!(now.notified && !now.running, "{now:?}");
    (idle, now.refs)
}

/// A self-wake folded into the end of the poll (`current_poll`) racing a `wake` by value from
/// another thread: the poller alone mints the `Notified`; the waker's reference is dropped.
#[test]
fn self_wake_at_end_of_poll_racing_wake_by_val_notifies_once() {
    model(|| {
        let (idle, refs) = race_end_of_poll(true, TaskState::transition_to_notified_by_val);
        assert_eq!(idle, ToIdle::OkNotified);
        assert_eq!(refs, 3, "list + join + the one Notified");
    });
}

/// `wake` (by value) racing the end of the poll: exactly one side mints the `Notified`
/// (the waker via `Submit`, or the poller via `OkNotified`), and the waker's reference is
/// consumed either way: list + join + the one `Notified` remain.
#[test]
fn wake_by_val_racing_end_of_poll_notifies_once() {
    model(|| {
        let (_, refs) = race_end_of_poll(false, TaskState::transition_to_notified_by_val);
        assert_eq!(refs, 3);
    });
}

/// `wake_by_ref` racing the end of the poll: exactly one `Notified`, and it owns a reference
/// of its own; the waker keeps its reference: list + join + waker + `Notified`.
#[test]
fn wake_by_ref_racing_end_of_poll_adds_one_reference() {
    model(|| {
        let (_, refs) = race_end_of_poll(false, TaskState::transition_to_notified_by_ref);
        assert_eq!(refs, 4);
    });
}

/// `abort` racing completion on the state word: the abort schedules nothing once the task is
/// running or complete, completion always happens, and `CANCELLED` is only ever added.
#[test]
fn abort_racing_completion_never_schedules_a_running_task() {
    model(|| {
        let state = Arc::new(TaskState::new());
        assert_eq!(state.transition_to_running(), ToRunning::Success);
        let aborter = {
            let state = state.clone();
            loom::thread::spawn(move || state.transition_to_notified_and_cancel())
        };
        // The completion the harness runs: drop the poller's and the list's references with
        // `COMPLETE`; the `JoinHandle` is interested, so the output stays and nothing is kept.
        let done = state.transition_to_complete_and_release(2, false);
        let scheduled = aborter.join().unwrap();
        assert!(
            !scheduled,
            "a running or complete task needs no new Notified"
        );
        assert_eq!(done, ToComplete::Released { last: false });
        let now = state.load();
        assert!(now.complete && !now.running && now.refs == 1, "{now:?}");
    });
}

/// The folded completion (`transition_to_complete_and_release`, dropping the poller's and the
/// owned list's references with `COMPLETE`) racing `JoinHandle::drop` on another thread: the
/// output is dropped exactly once (early by the completer, after the step by the completer's
/// kept reference, or by the handle that finds the task complete), and exactly one side
/// frees the cell, after everyone else is done with it.
#[test]
fn folded_completion_racing_join_handle_drop_frees_once_and_drops_the_output_once() {
    model(|| {
        let state = Arc::new(TaskState::new());
        assert_eq!(state.transition_to_running(), ToRunning::Success);
        let handle = {
            let state = state.clone();
            loom::thread::spawn(move || {
                let (before, _) = state.transition_to_join_handle_dropped();
                // The handle drops the output only if it was kept for it (R1).
                let dropped_output = usize::from(before.complete);
                (dropped_output, state.ref_dec())
            })
        };
        let output_dropped = !state.load().join_interested;
        let mut completer_drops = usize::from(output_dropped);
        let completer_frees = match state.transition_to_complete_and_release(2, output_dropped) {
            ToComplete::Released { last } => last,
            ToComplete::KeptOne(s) => {
                assert!(
                    !s.join_interested,
                    "no join waker here: kept only for the output"
                );
                completer_drops += 1;
                state.transition_to_terminal(1)
            }
        };
        let (handle_drops, handle_frees) = handle.join().unwrap();
        assert_eq!(
            completer_drops + handle_drops,
            1,
            "the output is dropped once"
        );
        assert_eq!(usize::from(completer_frees) + usize::from(handle_frees), 1);
        let now = state.load();
        assert!(now.complete && !now.running && now.refs == 0, "{now:?}");
    });
}
