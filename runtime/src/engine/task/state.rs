//! The task state word: every transition of a task's lifecycle as one atomic read-modify-write.
//!
//! No `unsafe` lives here. Each transition loads the word, decides the next value and an action
//! in a closure, and installs it with a compare-and-swap; the action comes back as a
//! `#[must_use]` value the caller has to act on. The rules these transitions implement are
//! written at the top of [`super`] (`task/mod.rs`).

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use std::fmt;

/// The task is being polled (or cancelled); acts as the lock on the future/output stage.
const RUNNING: usize = 0b00_0001;
/// The future finished (or was cancelled) and was dropped. Never cleared.
const COMPLETE: usize = 0b00_0010;
/// A `Notified` reference exists: the task sits in some run queue.
const NOTIFIED: usize = 0b00_0100;
/// A `JoinHandle` exists and wants the output.
const JOIN_INTEREST: usize = 0b00_1000;
/// Access bit for the join waker slot (rules J1-J6 in `task/mod.rs`).
const JOIN_WAKER: usize = 0b01_0000;
/// Cancel the task as soon as possible.
const CANCELLED: usize = 0b10_0000;

const STATE_MASK: usize = RUNNING | COMPLETE | NOTIFIED | JOIN_INTEREST | JOIN_WAKER | CANCELLED;
const REF_SHIFT: u32 = STATE_MASK.count_ones();
/// One reference in the count held in the high bits.
const REF_ONE: usize = 1 << REF_SHIFT;

/// Fresh task: three references (owned list, the first `Notified`, the `JoinHandle`),
/// scheduled, join interest set.
const INITIAL: usize = (3 * REF_ONE) | JOIN_INTEREST | NOTIFIED;

/// The atomic state word of one task.
pub(crate) struct State {
    word: AtomicUsize,
}

/// A decoded copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What the poller must do after trying to take the `RUNNING` lock.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToRunning {
    /// Poll the future.
    Success,
    /// Cancel the future (drop it) and complete.
    Cancelled,
    /// Someone else runs it or it is done; the `Notified` reference was dropped.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What the poller must do after the future returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToIdle {
    /// Nothing: the poller's reference was dropped and others remain.
    Ok,
    /// Woken during the poll: the poller's reference now belongs to a new `Notified` that must
    /// be scheduled (as a yield).
    OkNotified,
    /// The poller's reference was the last one: free the task.
    OkDealloc,
    /// Cancelled during the poll: still `RUNNING`; drop the future and complete.
    Cancelled,
}

/// What `JoinHandle::drop` must do next (see [`State::drop_join_handle_fast`]).
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JoinHandleDrop {
    /// Reference and interest dropped; nothing else to do.
    Done,
    /// The task is complete and the handle holds the last reference: free it.
    Exclusive,
    /// Take the general path (`drop_join_handle_slow`).
    Slow,
}

/// What a waker must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToNotified {
    /// Nothing to schedule.
    DoNothing,
    /// Schedule a `Notified` that owns one reference.
    Submit,
    /// (by value only) The waker's reference was the last one: free the task.
    Dealloc,
}

/// What the completer still has to do after [`State::transition_to_complete_and_release`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToComplete {
    /// Every reference handed in was dropped in the same step; `last`: they were the last
    /// ones, free the task.
    Released { last: bool },
    /// One reference was kept because the completer still has to touch the cell: wake the
    /// join waker (the snapshot has `JOIN_WAKER`) or drop the output (the `JoinHandle` left
    /// after the completer looked), then drop that reference.
    KeptOne(Snapshot),
}

impl State {
    /// The state of a newly spawned task.
    pub(crate) fn new() -> State {
        State {
            word: AtomicUsize::new(INITIAL),
        }
    }

    /// The current state (for decisions that are re-checked by a later CAS, and for tests).
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Ordering::Acquire))
    }

    /// Runs a CAS loop: `f` sees the current value and returns the action and the next value.
    /// The CAS is performed even if the value does not change, so every transition is a release
    /// that publishes the caller's earlier writes to whoever acquires the word next.
    fn update<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Snapshot)) -> T {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let (action, next) = f(Snapshot(current));
            match self.word.compare_exchange_weak(
                current,
                next.0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return action,
                Err(actual) => current = actual,
            }
        }
    }

    /// Like `update`, but the closure may decline (`None`), in which case nothing is written.
    fn try_update(
        &self,
        mut f: impl FnMut(Snapshot) -> Option<Snapshot>,
    ) -> Result<Snapshot, Snapshot> {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let Some(next) = f(Snapshot(current)) else {
                return Err(Snapshot(current));
            };
            match self.word.compare_exchange_weak(
                current,
                next.0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(next),
                Err(actual) => current = actual,
            }
        }
    }

    /// Consumes a `Notified` reference and tries to take the `RUNNING` lock.
    pub(crate) fn transition_to_running(&self) -> ToRunning {
        self.update(|mut s| {
            debug_assert!(
                s.is_notified(),
                "running a task that was not notified: {s:?}"
            );
            if s.is_running() || s.is_complete() {
                s.ref_dec();
                let action = if s.ref_count() == 0 {
                    ToRunning::Dealloc
                } else {
                    ToRunning::Failed
                };
                return (action, s);
            }
            s.0 = (s.0 | RUNNING) & !NOTIFIED;
            let action = if s.is_cancelled() {
                ToRunning::Cancelled
            } else {
                ToRunning::Success
            };
            (action, s)
        })
    }

    /// Claims an idle task for a task dump's trace poll: sets `RUNNING` on a task that is not
    /// running, notified, complete or cancelled, and fails (returning the state) otherwise. No
    /// reference changes hands: the dump's counted reference stands in for the `Notified` that
    /// does not exist (R3), and [`State::transition_to_idle`] with `woke_self` afterwards turns
    /// it into one, so the task is rescheduled exactly once.
    pub(crate) fn transition_to_traced(&self) -> Result<Snapshot, Snapshot> {
        self.try_update(|s| {
            if s.is_running() || s.is_notified() || s.is_complete() || s.is_cancelled() {
                None
            } else {
                Some(Snapshot(s.0 | RUNNING))
            }
        })
    }

    /// Releases the `RUNNING` lock after a `Pending` poll. `woke_self`: the task woke itself
    /// during the poll (`current_poll`), which counts as a wake while running: `NOTIFIED` is set in
    /// the same step.
    pub(crate) fn transition_to_idle(&self, woke_self: bool) -> ToIdle {
        self.update(|mut s| {
            debug_assert!(s.is_running());
            if s.is_cancelled() {
                return (ToIdle::Cancelled, s);
            }
            s.0 &= !RUNNING;
            if woke_self {
                s.0 |= NOTIFIED;
            }
            if s.is_notified() {
                // The poller's reference is handed to the new `Notified`.
                return (ToIdle::OkNotified, s);
            }
            s.ref_dec();
            let action = if s.ref_count() == 0 {
                ToIdle::OkDealloc
            } else {
                ToIdle::Ok
            };
            (action, s)
        })
    }

    /// Flips `RUNNING` to `COMPLETE` and, in the same step, drops the `count` references the
    /// completer holds (its own, plus the owned list's if the scheduler released it), unless
    /// it still needs the cell afterwards: to wake the join waker, or to drop an output the
    /// `JoinHandle` gave up after `output_dropped` was decided (then one is kept:
    /// [`ToComplete::KeptOne`]). A task nobody awaits thus completes with one read-modify-write.
    ///
    /// `output_dropped`: the completer saw `JOIN_INTEREST` clear and already dropped the output
    /// (interest is never set again, so it cannot be wanted later).
    pub(crate) fn transition_to_complete_and_release(
        &self,
        count: usize,
        output_dropped: bool,
    ) -> ToComplete {
        debug_assert!(count >= 1, "the completer holds a reference");
        self.update(|mut s| {
            debug_assert!(s.is_running() && !s.is_complete(), "{s:?}");
            s.0 ^= RUNNING | COMPLETE;
            let keep_one = s.is_join_waker_set() || (!s.is_join_interested() && !output_dropped);
            let dropped = if keep_one { count - 1 } else { count };
            debug_assert!(s.ref_count() >= count, "reference count underflow: {s:?}");
            s.0 -= dropped * REF_ONE;
            if keep_one {
                (ToComplete::KeptOne(s), s)
            } else {
                let last = s.ref_count() == 0;
                (ToComplete::Released { last }, s)
            }
        })
    }

    /// Flips `RUNNING` to `COMPLETE` and nothing else (the unit tests build states with it;
    /// the runtime completes through [`State::transition_to_complete_and_release`]).
    #[cfg(test)]
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let previous = Snapshot(self.word.fetch_xor(RUNNING | COMPLETE, Ordering::AcqRel));
        debug_assert!(previous.is_running() && !previous.is_complete());
        Snapshot(previous.0 ^ (RUNNING | COMPLETE))
    }

    /// Drops `count` references at once; returns `true` if they were the last.
    pub(crate) fn transition_to_terminal(&self, count: usize) -> bool {
        let previous = Snapshot(self.word.fetch_sub(count * REF_ONE, Ordering::AcqRel));
        debug_assert!(
            previous.ref_count() >= count,
            "reference count underflow: {previous:?}"
        );
        previous.ref_count() == count
    }

    /// [`State::transition_to_terminal`] for a completer that woke the join waker: clears
    /// `JOIN_WAKER` in the same step, giving the slot back to the handle (rule J6). The bit is
    /// known to be set (after completion only the runtime flips it, J5), so subtracting it
    /// clears it.
    pub(crate) fn transition_to_terminal_and_unset_join_waker(&self, count: usize) -> bool {
        let previous = Snapshot(
            self.word
                .fetch_sub(count * REF_ONE + JOIN_WAKER, Ordering::AcqRel),
        );
        debug_assert!(
            previous.is_complete() && previous.is_join_waker_set(),
            "JOIN_WAKER given back twice or before completion: {previous:?}"
        );
        debug_assert!(
            previous.ref_count() >= count,
            "reference count underflow: {previous:?}"
        );
        previous.ref_count() == count
    }

    /// A waker consumed by value: its reference either becomes the `Notified` or is dropped.
    pub(crate) fn transition_to_notified_by_val(&self) -> ToNotified {
        self.update(|mut s| {
            if s.is_running() {
                s.0 |= NOTIFIED;
                s.ref_dec();
                debug_assert!(s.ref_count() > 0, "the poller holds a reference");
                (ToNotified::DoNothing, s)
            } else if s.is_complete() || s.is_notified() {
                s.ref_dec();
                let action = if s.ref_count() == 0 {
                    ToNotified::Dealloc
                } else {
                    ToNotified::DoNothing
                };
                (action, s)
            } else {
                s.0 |= NOTIFIED;
                (ToNotified::Submit, s)
            }
        })
    }

    /// A waker used by reference: adds a reference only when a new `Notified` is minted.
    pub(crate) fn transition_to_notified_by_ref(&self) -> ToNotified {
        self.update(|mut s| {
            if s.is_complete() || s.is_notified() {
                (ToNotified::DoNothing, s)
            } else if s.is_running() {
                s.0 |= NOTIFIED;
                (ToNotified::DoNothing, s)
            } else {
                s.0 |= NOTIFIED;
                s.ref_inc();
                (ToNotified::Submit, s)
            }
        })
    }

    /// Requests cancellation (`abort`). Returns `true` if the caller must schedule a new
    /// `Notified` (which owns the reference added here) so the cancellation runs on a worker.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.update(|mut s| {
            if s.is_cancelled() || s.is_complete() {
                (false, s)
            } else if s.is_running() || s.is_notified() {
                s.0 |= CANCELLED | NOTIFIED;
                (false, s)
            } else {
                s.0 |= CANCELLED | NOTIFIED;
                s.ref_inc();
                (true, s)
            }
        })
    }

    /// Marks the task cancelled for shutdown. Returns `true` if the caller also took the
    /// `RUNNING` lock and must now drop the future and complete the task itself.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.update(|mut s| {
            let idle = !s.is_running() && !s.is_complete();
            s.0 |= CANCELLED;
            if idle {
                s.0 |= RUNNING;
            }
            (idle, s)
        })
    }

    /// The `JoinHandle` fast paths, tried before the general [`State::transition_to_join_handle_dropped`]:
    ///
    /// - from exactly the initial state, drop its reference and its interest with one CAS;
    /// - if the task is complete and the handle's reference is the *only* one left, nobody
    ///   else can reach the task any more (rule R2: touching it takes a reference, and only
    ///   holders mint new ones), so the handle owns the whole cell without writing the word.
    ///   This is the usual case after awaiting a task, and it saves the three read-modify-writes
    ///   of the general path (a failed CAS, the interest CAS and the reference decrement). The
    ///   `Acquire` load synchronises with the `AcqRel` decrements that released the other
    ///   references, so the completer's writes to the stage are visible.
    pub(crate) fn drop_join_handle_fast(&self) -> JoinHandleDrop {
        let current = self.word.load(Ordering::Acquire);
        if current == INITIAL {
            let dropped = self.word.compare_exchange(
                INITIAL,
                (INITIAL - REF_ONE) & !JOIN_INTEREST,
                Ordering::Release,
                Ordering::Relaxed,
            );
            if dropped.is_ok() {
                return JoinHandleDrop::Done;
            }
            return JoinHandleDrop::Slow;
        }
        let snapshot = Snapshot(current);
        if snapshot.is_complete() && snapshot.ref_count() == 1 {
            debug_assert!(snapshot.is_join_interested());
            return JoinHandleDrop::Exclusive;
        }
        JoinHandleDrop::Slow
    }

    /// The `JoinHandle` gives up its interest. Returns the state *before*: if it was complete
    /// the handle must drop the output; the handle may touch the waker slot if `JOIN_WAKER` is
    /// clear in the state after (rule J6).
    pub(crate) fn transition_to_join_handle_dropped(&self) -> (Snapshot, Snapshot) {
        self.update(|s| {
            debug_assert!(s.is_join_interested());
            let mut next = Snapshot(s.0 & !JOIN_INTEREST);
            if !s.is_complete() {
                next.0 &= !JOIN_WAKER;
            }
            ((s, next), next)
        })
    }

    /// Publishes a join waker written by the handle (rule J4). Fails if the task completed.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.try_update(|s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                None
            } else {
                Some(Snapshot(s.0 | JOIN_WAKER))
            }
        })
    }

    /// Takes the join waker slot back before the handle reads or replaces the waker (rules J2,
    /// J4). Fails if complete.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.try_update(|s| {
            debug_assert!(s.is_join_interested());
            if s.is_complete() {
                // The runtime may already have woken and cleared the waker (J6): nothing to do.
                return None;
            }
            debug_assert!(
                s.is_join_waker_set(),
                "before completion only the handle clears JOIN_WAKER (J5)"
            );
            Some(Snapshot(s.0 & !JOIN_WAKER))
        })
    }

    /// Adds a reference (a cloned waker, a new handle). Aborts on overflow, like `Arc`.
    pub(crate) fn ref_inc(&self) {
        let previous = self.word.fetch_add(REF_ONE, Ordering::Relaxed);
        if previous > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops a reference; returns `true` if it was the last.
    pub(crate) fn ref_dec(&self) -> bool {
        let previous = Snapshot(self.word.fetch_sub(REF_ONE, Ordering::AcqRel));
        debug_assert!(previous.ref_count() >= 1, "reference count underflow");
        previous.ref_count() == 1
    }
}

impl Snapshot {
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("cancelled", &self.is_cancelled())
            .field("refs", &self.ref_count())
            .finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
