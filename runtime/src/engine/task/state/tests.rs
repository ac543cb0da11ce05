//! Exhaustive checks of the state-word transitions.

use super::*;

fn notified_running() -> State {
    let state = State::new();
    assert_eq!(state.transition_to_running(), ToRunning::Success);
    state
}

#[test]
fn initial_state_has_three_references_and_is_notified() {
    let s = State::new().load();
    assert_eq!(s.ref_count(), 3);
    assert!(s.is_notified() && s.is_join_interested());
    assert!(!s.is_running() && !s.is_complete() && !s.is_cancelled() && !s.is_join_waker_set());
}

#[test]
fn running_clears_notified_and_idle_drops_the_poller_reference() {
    let state = notified_running();
    let s = state.load();
    assert!(s.is_running() && !s.is_notified());
    assert_eq!(state.transition_to_idle(false), ToIdle::Ok);
    assert_eq!(state.load().ref_count(), 2);
}

#[test]
fn a_self_wake_folded_into_idle_reschedules_like_a_wake_while_running() {
    let state = notified_running();
    assert_eq!(state.transition_to_idle(true), ToIdle::OkNotified);
    let s = state.load();
    assert!(s.is_notified() && !s.is_running());
    assert_eq!(
        s.ref_count(),
        3,
        "the poller's reference moved to the new Notified"
    );
}

#[test]
fn wake_while_running_reschedules_with_the_pollers_reference() {
    let state = notified_running();
    assert_eq!(state.transition_to_notified_by_ref(), ToNotified::DoNothing);
    assert_eq!(
        state.load().ref_count(),
        3,
        "by-ref wake while running adds nothing"
    );
    assert_eq!(state.transition_to_idle(false), ToIdle::OkNotified);
    let s = state.load();
    assert!(s.is_notified() && !s.is_running());
    assert_eq!(
        s.ref_count(),
        3,
        "the poller's reference moved to the new Notified"
    );
}

#[test]
fn wake_by_ref_when_idle_adds_exactly_one_reference_once() {
    let state = notified_running();
    assert_eq!(state.transition_to_idle(false), ToIdle::Ok);
    assert_eq!(state.transition_to_notified_by_ref(), ToNotified::Submit);
    assert_eq!(state.load().ref_count(), 3);
    assert_eq!(
        state.transition_to_notified_by_ref(),
        ToNotified::DoNothing,
        "already notified"
    );
    assert_eq!(state.load().ref_count(), 3);
}

#[test]
fn wake_by_val_reuses_or_drops_its_reference() {
    let state = notified_running();
    assert_eq!(state.transition_to_idle(false), ToIdle::Ok);
    state.ref_inc(); // a cloned waker
    assert_eq!(state.transition_to_notified_by_val(), ToNotified::Submit);
    assert_eq!(
        state.load().ref_count(),
        3,
        "the waker's reference became the Notified"
    );
    state.ref_inc();
    assert_eq!(
        state.transition_to_notified_by_val(),
        ToNotified::DoNothing,
        "already notified"
    );
    assert_eq!(state.load().ref_count(), 3);
}

#[test]
fn complete_then_terminal_frees_on_last_reference() {
    let state = notified_running();
    let s = state.transition_to_complete();
    assert!(s.is_complete() && !s.is_running() && s.is_join_interested());
    assert!(
        !state.transition_to_terminal(2),
        "poller + owned list, the join handle remains"
    );
    let (before, _) = state.transition_to_join_handle_dropped();
    assert!(before.is_complete());
    assert!(state.ref_dec(), "the join handle's reference was the last");
}

#[test]
fn wake_after_complete_is_a_no_op() {
    let state = notified_running();
    let _ = state.transition_to_complete();
    assert_eq!(state.transition_to_notified_by_ref(), ToNotified::DoNothing);
    state.ref_inc();
    assert_eq!(state.transition_to_notified_by_val(), ToNotified::DoNothing);
    assert_eq!(state.load().ref_count(), 3);
}

#[test]
fn abort_when_idle_schedules_once_and_running_sees_cancelled() {
    let state = notified_running();
    assert_eq!(state.transition_to_idle(false), ToIdle::Ok);
    assert!(
        state.transition_to_notified_and_cancel(),
        "idle: the aborter schedules"
    );
    assert!(
        !state.transition_to_notified_and_cancel(),
        "second abort does nothing"
    );
    assert_eq!(state.transition_to_running(), ToRunning::Cancelled);
}

#[test]
fn abort_before_first_poll_does_not_schedule_again() {
    let state = State::new();
    assert!(
        !state.transition_to_notified_and_cancel(),
        "already notified"
    );
    assert_eq!(state.transition_to_running(), ToRunning::Cancelled);
}

#[test]
fn abort_while_running_is_seen_at_idle() {
    let state = notified_running();
    assert!(!state.transition_to_notified_and_cancel());
    assert_eq!(state.transition_to_idle(false), ToIdle::Cancelled);
    assert!(
        state.load().is_running(),
        "the poller keeps the lock to cancel"
    );
}

#[test]
fn shutdown_takes_the_lock_only_when_idle() {
    let state = notified_running();
    assert!(!state.transition_to_shutdown(), "running elsewhere");
    assert!(state.load().is_cancelled());
    let idle = State::new();
    assert!(idle.transition_to_shutdown());
    assert!(idle.load().is_running());
}

#[test]
fn running_a_notified_complete_task_fails_and_drops_its_reference() {
    let state = notified_running();
    assert!(!state.transition_to_notified_and_cancel());
    let _ = state.transition_to_complete();
    // The `Notified` minted by the abort-while-running (NOTIFIED bit) still gets run later.
    assert_eq!(state.load().ref_count(), 3);
    assert_eq!(state.transition_to_running(), ToRunning::Failed);
    assert_eq!(state.load().ref_count(), 2);
}

#[test]
fn join_handle_fast_drop_only_from_the_initial_state() {
    let state = State::new();
    assert_eq!(state.drop_join_handle_fast(), JoinHandleDrop::Done);
    let s = state.load();
    assert_eq!(s.ref_count(), 2);
    assert!(!s.is_join_interested());
    let other = notified_running();
    assert_eq!(other.drop_join_handle_fast(), JoinHandleDrop::Slow);
}

#[test]
fn join_handle_owns_a_complete_task_once_it_holds_the_last_reference() {
    let state = notified_running();
    let _ = state.transition_to_complete();
    assert_eq!(
        state.drop_join_handle_fast(),
        JoinHandleDrop::Slow,
        "the poller and the owned list still hold references"
    );
    assert!(!state.transition_to_terminal(2));
    assert_eq!(state.drop_join_handle_fast(), JoinHandleDrop::Exclusive);
    let s = state.load();
    assert!(
        s.is_join_interested() && s.ref_count() == 1,
        "the exclusive path does not write the word"
    );

    let pending = notified_running();
    assert!(!pending.ref_dec());
    let _ = pending.transition_to_idle(false);
    assert_eq!(pending.load().ref_count(), 1);
    assert_eq!(
        pending.drop_join_handle_fast(),
        JoinHandleDrop::Slow,
        "not complete: a waker may still be minted"
    );
}

#[test]
fn join_waker_protocol() {
    let state = notified_running();
    assert!(state.set_join_waker().is_ok());
    assert!(state.load().is_join_waker_set());
    assert!(state.unset_join_waker().is_ok());
    assert!(state.set_join_waker().is_ok());
    let s = state.transition_to_complete();
    assert!(s.is_join_waker_set());
    assert!(
        state.unset_join_waker().is_err(),
        "the handle may not take the slot after completion"
    );
    // The step the runtime takes after waking the join waker: give the slot back while
    // dropping its own reference (J6).
    assert!(!state.transition_to_terminal_and_unset_join_waker(1));
    let after = state.load();
    assert!(!after.is_join_waker_set() && after.is_join_interested());
}

#[test]
fn join_handle_drop_clears_the_waker_bit_only_before_completion() {
    let state = notified_running();
    assert!(state.set_join_waker().is_ok());
    let (before, after) = state.transition_to_join_handle_dropped();
    assert!(!before.is_complete());
    assert!(!after.is_join_waker_set() && !after.is_join_interested());

    let done = notified_running();
    assert!(done.set_join_waker().is_ok());
    let _ = done.transition_to_complete();
    let (before, after) = done.transition_to_join_handle_dropped();
    assert!(before.is_complete());
    assert!(
        after.is_join_waker_set(),
        "after completion the runtime owns the slot"
    );
}

#[test]
fn idle_with_last_reference_deallocates() {
    let state = notified_running();
    // Drop the owned-list and join-handle references while running.
    assert!(!state.ref_dec());
    assert!(!state.ref_dec());
    assert_eq!(state.transition_to_idle(false), ToIdle::OkDealloc);
}

#[test]
fn completer_gives_the_waker_slot_back_with_its_last_references() {
    let state = notified_running();
    assert!(state.set_join_waker().is_ok());
    let s = state.transition_to_complete();
    assert!(s.is_join_waker_set() && s.is_join_interested());
    assert!(
        !state.transition_to_terminal_and_unset_join_waker(2),
        "the handle's reference remains"
    );
    let s = state.load();
    assert!(!s.is_join_waker_set() && s.is_join_interested() && s.is_complete());
    assert_eq!(s.ref_count(), 1);
    assert_eq!(state.drop_join_handle_fast(), JoinHandleDrop::Exclusive);
}

#[test]
fn complete_and_release_drops_every_reference_when_nobody_waits() {
    let state = notified_running();
    let (before, _) = state.transition_to_join_handle_dropped();
    assert!(!before.is_complete());
    assert!(!state.ref_dec(), "the handle's reference");
    assert_eq!(
        state.transition_to_complete_and_release(2, true),
        ToComplete::Released { last: true },
        "poller + owned list were the last two, in one step"
    );
}

#[test]
fn complete_and_release_leaves_the_output_to_a_handle_without_waker() {
    let state = notified_running();
    assert_eq!(
        state.transition_to_complete_and_release(2, false),
        ToComplete::Released { last: false }
    );
    let s = state.load();
    assert!(s.is_complete() && !s.is_running() && s.is_join_interested());
    assert_eq!(s.ref_count(), 1, "only the handle's reference is left");
    assert_eq!(state.drop_join_handle_fast(), JoinHandleDrop::Exclusive);
}

#[test]
fn complete_and_release_keeps_one_reference_to_wake_the_join_waker() {
    let state = notified_running();
    assert!(state.set_join_waker().is_ok());
    let ToComplete::KeptOne(s) = state.transition_to_complete_and_release(2, false) else {
        panic!("the join waker must be woken with a reference held");
    };
    assert!(s.is_complete() && s.is_join_waker_set() && s.is_join_interested());
    assert_eq!(s.ref_count(), 2, "the handle's and the kept one");
    assert!(!state.transition_to_terminal_and_unset_join_waker(1));
    let s = state.load();
    assert!(!s.is_join_waker_set() && s.ref_count() == 1);
}

#[test]
fn complete_and_release_keeps_one_when_the_handle_left_after_the_look() {
    let state = notified_running();
    // The completer saw JOIN_INTEREST (so kept the output); then the handle left.
    let (before, _) = state.transition_to_join_handle_dropped();
    assert!(!before.is_complete());
    assert!(!state.ref_dec());
    let ToComplete::KeptOne(s) = state.transition_to_complete_and_release(2, false) else {
        panic!("the output still has to be dropped");
    };
    assert!(!s.is_join_interested() && s.ref_count() == 1);
    assert!(
        state.transition_to_terminal(1),
        "the kept reference was the last"
    );
}
