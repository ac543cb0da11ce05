//! The join and abort references: what the public `JoinHandle` and `AbortHandle` hold.
//!
//! A [`JoinRef`] is the task's one join-interested reference (rules R1, R2, J1-J6 in
//! [`super`]): it alone may read the output and owns the join waker slot while `JOIN_WAKER` is
//! clear. An [`AbortRef`] is a plain counted reference that can only cancel and observe. Every
//! `unsafe` call into the raw task is here, so the face never names the raw task.

use super::raw::RawTask;
use super::state::JoinHandleDrop;
use super::{Id, JoinError};
use std::marker::PhantomData;
use std::task::{Poll, Waker};

/// The join-interested reference of a task whose output is `T`.
pub(crate) struct JoinRef<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the reference only moves the output `T` out of the task, so it is `Send` when `T` is;
// everything else it touches is the atomic state word (R2).
unsafe impl<T: Send> Send for JoinRef<T> {}
// SAFETY: `&JoinRef` exposes only atomic state reads and `abort` (R3, R5).
unsafe impl<T: Send> Sync for JoinRef<T> {}

impl<T> JoinRef<T> {
    /// Wraps the join reference minted by `Cell::allocate` (rule R2: the caller hands it over).
    pub(super) fn new(raw: RawTask) -> JoinRef<T> {
        JoinRef {
            raw,
            _output: PhantomData,
        }
    }

    /// Requests cancellation (rule R5).
    pub(crate) fn abort(&self) {
        abort_raw(self.raw);
    }

    /// Whether the task has completed (its output may still be unread).
    pub(crate) fn is_finished(&self) -> bool {
        self.raw.state().load().is_complete()
    }

    /// A new counted reference that can cancel the task.
    pub(crate) fn abort_ref(&self) -> AbortRef {
        self.raw.state().ref_inc();
        AbortRef { raw: self.raw }
    }

    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }

    /// Takes the output if the task is complete, else leaves `waker` to be woken when it is.
    pub(crate) fn poll_output(&mut self, waker: &Waker) -> Poll<Result<T, JoinError>> {
        let mut output: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: we are the task's join reference (R1, J1-J6) and `output` has the type the
        // task produces (`T` was fixed when the task and this reference were created together).
        unsafe { self.raw.try_read_output((&raw mut output).cast(), waker) };
        output
    }
}

/// Requests cancellation; schedules the task if it needs a worker to run the cancellation.
fn abort_raw(raw: RawTask) {
    if raw.state().transition_to_notified_and_cancel() {
        // SAFETY: the transition set `NOTIFIED` and minted a reference for the new `Notified`
        // (R3, R5), which `schedule` takes over.
        unsafe { raw.schedule() };
    }
}

impl<T> Drop for JoinRef<T> {
    fn drop(&mut self) {
        match self.raw.state().drop_join_handle_fast() {
            JoinHandleDrop::Done => {}
            // SAFETY: we are the join reference; the fast path saw the task complete with our
            // reference the only one left (R2, J6), and it is being dropped.
            JoinHandleDrop::Exclusive => unsafe { self.raw.drop_join_handle_exclusive() },
            // SAFETY: we are the join reference and give it up here (R2, J1).
            JoinHandleDrop::Slow => unsafe { self.raw.drop_join_handle_slow() },
        }
    }
}

/// A counted reference that can cancel the task and observe completion.
pub(crate) struct AbortRef {
    raw: RawTask,
}

// SAFETY: an abort reference only touches the atomic state word and schedules the task (R2,
// R3, R5).
unsafe impl Send for AbortRef {}
// SAFETY: as above (R2, R3, R5).
unsafe impl Sync for AbortRef {}

impl AbortRef {
    /// Requests cancellation (rule R5).
    pub(crate) fn abort(&self) {
        abort_raw(self.raw);
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.raw.state().load().is_complete()
    }

    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Clone for AbortRef {
    fn clone(&self) -> AbortRef {
        self.raw.state().ref_inc();
        AbortRef { raw: self.raw }
    }
}

impl Drop for AbortRef {
    fn drop(&mut self) {
        // SAFETY: the reference owns one count (taken in `abort_ref` or `clone`) and gives it
        // up here (R2).
        unsafe { self.raw.drop_reference() };
    }
}
