//! The type-aware half of the task machinery: polling, completing, cancelling, joining.
//!
//! Every function here runs with a reference owned by its caller (rule R2) and touches the
//! stage and join waker only as rules R1 and J1-J6 of `task/mod.rs` allow; the `// SAFETY:`
//! comments cite those rules.

use super::raw::{Cell, Header, RawTask, Stage};
use super::state::{ToComplete, ToIdle, ToRunning};
use super::waker::borrowed_waker;
use super::{JoinError, Notified, Schedule, Task};
use crate::engine::scheduler::coarse_clock;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, Waker};

/// How one poll of the future ended.
enum Polled {
    /// The stage holds the output (or the panic); the future is gone.
    Ready,
    /// Not done; `woke_self`: the task woke itself during the poll (`current_poll`) and must be
    /// rescheduled.
    Pending { woke_self: bool },
}

/// A typed view of one task cell.
pub(crate) struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
}

impl<F, S> Harness<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    /// # Safety
    /// `ptr` is the header of a live `Cell<F, S>` and the caller owns a reference to it.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Harness<F, S> {
        Harness { cell: ptr.cast() }
    }

    fn cell(&self) -> &Cell<F, S> {
        // SAFETY: the caller of `from_raw` owns a reference, so the cell is alive (R2).
        unsafe { self.cell.as_ref() }
    }

    fn raw(&self) -> RawTask {
        RawTask::from_header(self.cell.cast())
    }

    fn id(&self) -> super::Id {
        self.cell().header.id
    }

    /// Replaces the stage, dropping what was there.
    ///
    /// # Safety
    /// The caller has exclusive access to the stage (R1).
    unsafe fn set_stage(&self, stage: Stage<F>) {
        self.cell().core.stage.with_mut(|ptr| {
            // SAFETY: exclusive access is guaranteed by the caller (R1).
            unsafe { *ptr = stage }
        });
    }

    /// Drops the future or output in place, catching a panic from its destructor. The caller
    /// runs it as the task (`task::id()` works in the destructor): inside the poll, or in
    /// [`Harness::drop_stage_as_task`].
    ///
    /// # Safety
    /// The caller has exclusive access to the stage (R1).
    unsafe fn drop_stage_catching(&self) -> Result<(), Box<dyn std::any::Any + Send>> {
        // SAFETY: exclusive access is guaranteed by the caller (R1).
        catch_unwind(AssertUnwindSafe(|| unsafe {
            self.set_stage(Stage::Consumed)
        }))
    }

    /// [`Harness::drop_stage_catching`] outside a poll, with this task's id set for the
    /// destructor.
    ///
    /// # Safety
    /// The caller has exclusive access to the stage (R1).
    unsafe fn drop_stage_as_task(&self) -> Result<(), Box<dyn std::any::Any + Send>> {
        // SAFETY: forwarded from the caller (R1).
        if unsafe { self.stage_drop_runs_no_user_code() } {
            // The common detached task's `Ok(())`: no destructor could ask for the id, so the
            // two thread-local writes are skipped (a spawn-heavy loop pays them per task).
            // SAFETY: forwarded from the caller (R1).
            return unsafe { self.drop_stage_catching() };
        }
        // SAFETY: forwarded from the caller (R1).
        super::current_poll::as_dropping_task(self.cell.cast(), || unsafe {
            self.drop_stage_catching()
        })
    }

    /// Whether dropping the stage runs no destructor of the user's: it is consumed, or a
    /// successful output whose type has no drop glue.
    ///
    /// # Safety
    /// The caller has exclusive access to the stage (R1).
    unsafe fn stage_drop_runs_no_user_code(&self) -> bool {
        self.cell().core.stage.with(|ptr| {
            // SAFETY: exclusive access is guaranteed by the caller (R1), so nothing writes
            // meanwhile.
            match unsafe { &*ptr } {
                Stage::Consumed => true,
                Stage::Finished(Ok(_)) => !std::mem::needs_drop::<F::Output>(),
                Stage::Finished(Err(_)) | Stage::Running(_) => false,
            }
        })
    }

    /// Runs the task: consumes the caller's `Notified` reference. Returns `true` if the task
    /// woke itself while running: the poller's reference is then the caller's again, as the
    /// task's new `Notified`, to queue at the back (a yield). The caller queues it, so a
    /// worker with its queue in hand does it without the scheduler's thread-local lookup.
    pub(crate) fn poll(self) -> bool {
        match self.cell().header.state.transition_to_running() {
            ToRunning::Success => {}
            ToRunning::Cancelled => {
                self.cancel_and_complete();
                return false;
            }
            ToRunning::Failed => return false,
            ToRunning::Dealloc => {
                // SAFETY: the transition dropped our `Notified` reference, the last one (R2).
                unsafe { self.raw().dealloc() };
                return false;
            }
        }
        let Polled::Pending { woke_self } = self.poll_future::<false>() else {
            self.complete();
            return false;
        };
        match self.cell().header.state.transition_to_idle(woke_self) {
            ToIdle::Ok => false,
            // Woken while running: the poller's reference becomes the new `Notified` (R3).
            ToIdle::OkNotified => true,
            ToIdle::OkDealloc => {
                // SAFETY: the transition dropped the poller's reference, the last one (R2).
                unsafe { self.raw().dealloc() };
                false
            }
            ToIdle::Cancelled => {
                self.cancel_and_complete();
                false
            }
        }
    }

    /// A task dump's trace poll; consumes the caller's reference.
    ///
    /// If the task is idle, takes `RUNNING` (`transition_to_traced`) and polls it once with the
    /// coop budget at zero, so every runtime leaf records itself instead of working (the
    /// caller has the recorder on, `trace::record`). The waker is the task's own, as in any
    /// poll, so a future that stores it keeps a valid waker. Afterwards the task is always
    /// rescheduled (as if it had woken itself): a trace poll may have let a non-runtime future
    /// make progress and then stopped at a leaf that did not register, and a spurious wake-up
    /// is always allowed, a lost one never. A task that finishes (or was cancelled) during
    /// the trace poll completes here like after any poll. The poll statistics are left as
    /// they were: a trace poll is not the task's work.
    pub(crate) fn trace(self) -> super::raw::Traced {
        let state = &self.cell().header.state;
        if let Err(snapshot) = state.transition_to_traced() {
            // SAFETY: our reference is given up, as `trace` promises (R2).
            unsafe { self.raw().drop_reference() };
            return super::raw::Traced::Skipped(snapshot);
        }
        let polled = super::coop::with_budget_value(Some(0), || self.poll_future::<true>());
        // From here on, exactly the end of `poll`, with our reference as the poller's.
        if let Polled::Ready = polled {
            self.complete();
            return super::raw::Traced::Polled;
        }
        match state.transition_to_idle(true) {
            ToIdle::OkNotified => {
                self.cell()
                    .core
                    .scheduler
                    .yield_now(Notified::from_raw(self.raw()));
            }
            ToIdle::Cancelled => self.cancel_and_complete(),
            ToIdle::Ok | ToIdle::OkDealloc => {
                unreachable!("a self-woken task is always notified when it goes idle")
            }
        }
        super::raw::Traced::Polled
    }

    /// Polls the future once with a borrowed waker; on `Ready` or panic the stage holds the
    /// result and the future is gone. `TRACE`: a dump's trace poll, which records no poll
    /// statistics.
    ///
    /// A const parameter rather than a flag: `poll` and `trace` each get their own copy with
    /// one caller, so LLVM keeps inlining the hot one into `poll` (with a shared copy it
    /// outlined it, about 25 instructions more per poll: callgrind on a `yield_now` loop).
    fn poll_future<const TRACE: bool>(&self) -> Polled {
        let waker = borrowed_waker(self.cell.cast());
        let mut cx = Context::from_waker(&waker);
        let stage = &self.cell().core.stage;
        let header = self.cell.cast();
        // Poll statistics (rule: no clock read, no read-modify-write on the poll path): the
        // coarse clock is one `Relaxed` load, and we are the only writer while RUNNING.
        let stats = &self.cell().header.stats;
        let started = coarse_clock::now_ms();
        if !TRACE {
            stats.last_poll_ms.store(started, Relaxed);
        }
        // The future is dropped inside the poll's context, so its destructor sees the task's id.
        let (polled, woke_self) = super::current_poll::polling(header, || {
            let polled = catch_unwind(AssertUnwindSafe(|| {
                stage.with_mut(|ptr| {
                    // SAFETY: we hold RUNNING, so the stage is ours (R1).
                    match unsafe { &mut *ptr } {
                        Stage::Running(future) => {
                            // SAFETY: the future lives in the heap cell and is only ever
                            // dropped in place, never moved, so pinning it here is sound (C2).
                            let future = unsafe { Pin::new_unchecked(future) };
                            future.poll(&mut cx)
                        }
                        _ => unreachable!("polled a task whose future is gone"),
                    }
                })
            }));
            match polled {
                Ok(Poll::Pending) => None,
                // SAFETY: we hold RUNNING (R1).
                Ok(Poll::Ready(output)) => match unsafe { self.drop_stage_catching() } {
                    Ok(()) => Some(Ok(Ok(output))),
                    Err(payload) => {
                        drop(output);
                        Some(Ok(Err(payload)))
                    }
                },
                Err(payload) => {
                    // SAFETY: we hold RUNNING (R1). A second panic from the destructor is
                    // dropped.
                    let _ = unsafe { self.drop_stage_catching() };
                    Some(Err(payload))
                }
            }
        });
        if !TRACE {
            // Branch-free on purpose: an `if ended != started` here made the poll 12
            // instructions longer (register pressure; callgrind on a `yield_now` loop).
            let elapsed = coarse_clock::now_ms().wrapping_sub(started);
            stats
                .polls
                .store(stats.polls.load(Relaxed).wrapping_add(1), Relaxed);
            stats
                .busy_ms
                .store(stats.busy_ms.load(Relaxed).wrapping_add(elapsed), Relaxed);
        }
        let result = match polled {
            None => return Polled::Pending { woke_self },
            Some(Ok(Ok(output))) => Ok(output),
            Some(Ok(Err(payload))) => Err(JoinError::panic(self.id(), payload)),
            Some(Err(payload)) => {
                self.cell().core.scheduler.unhandled_panic();
                Err(JoinError::panic(self.id(), payload))
            }
        };
        // SAFETY: we hold RUNNING (R1); the stage is `Consumed`, so nothing is dropped here.
        unsafe { self.set_stage(Stage::Finished(result)) };
        Polled::Ready
    }

    /// Drops the future (we hold RUNNING), records the cancellation, completes.
    fn cancel_and_complete(self) {
        // SAFETY: every caller holds RUNNING (R1).
        let result = match unsafe { self.drop_stage_as_task() } {
            Ok(()) => JoinError::cancelled(self.id()),
            Err(payload) => JoinError::panic(self.id(), payload),
        };
        // SAFETY: we hold RUNNING (R1); the stage is `Consumed`.
        unsafe { self.set_stage(Stage::Finished(Err(result))) };
        self.complete();
    }

    /// Publishes completion, hands the output over, and drops the caller's reference (plus the
    /// owned list's, if the scheduler releases it).
    ///
    /// The task leaves the owned list first, while we still hold `RUNNING`, so the references
    /// we hold are known before completion is published and can be dropped in the same
    /// read-modify-write. If the `JoinHandle` is already gone (`JOIN_INTEREST` is never set
    /// again) the output is dropped first, under `RUNNING` (R1). A task nobody awaits (or
    /// whose handle has not registered a waker yet) then completes with that one step; only a
    /// join waker to wake, or a handle that left in between, keeps one reference for a second.
    fn complete(self) {
        let me = ManuallyDrop::new(Task::<S>::from_raw(self.raw()));
        let count = match self.cell().core.scheduler.release(&me) {
            Some(owned) => {
                std::mem::forget(owned);
                2
            }
            None => 1,
        };
        let state = &self.cell().header.state;
        let output_dropped = !state.load().is_join_interested() && {
            // SAFETY: we hold RUNNING and no `JoinHandle` will read the output (R1).
            let _ = unsafe { self.drop_stage_as_task() };
            true
        };
        let snapshot = match state.transition_to_complete_and_release(count, output_dropped) {
            ToComplete::Released { last } => {
                if last {
                    // SAFETY: the release dropped the last references (R2).
                    unsafe { self.raw().dealloc() };
                }
                return;
            }
            ToComplete::KeptOne(snapshot) => snapshot,
        };
        // `true` once the join waker was woken: the slot goes back to the handle (J6) in the
        // same read-modify-write that drops our last reference.
        let woke_join_waker = catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // SAFETY: no `JoinHandle` will read the output (R1), so it is ours to drop.
                let _ = unsafe { self.drop_stage_as_task() };
                false
            } else {
                debug_assert!(snapshot.is_join_waker_set());
                let waker = self.cell().trailer.join_waker.with_mut(|ptr| {
                    // SAFETY: JOIN_WAKER is set and the task is complete: the runtime owns the
                    // slot until it clears the bit (J3).
                    unsafe { (*ptr).take() }
                });
                // By value: a task waker's reference becomes the awaiting task's `Notified`
                // instead of being dropped later (one read-modify-write fewer).
                if let Some(waker) = waker {
                    waker.wake();
                }
                true
            }
        }))
        .unwrap_or(false);
        let last = if woke_join_waker {
            state.transition_to_terminal_and_unset_join_waker(1)
        } else {
            state.transition_to_terminal(1)
        };
        if last {
            // SAFETY: the transition dropped the last reference (R2).
            unsafe { self.raw().dealloc() };
        }
    }

    /// Cancels for runtime shutdown; consumes the caller's reference.
    pub(crate) fn shutdown(self) {
        if self.cell().header.state.transition_to_shutdown() {
            self.cancel_and_complete();
        } else {
            // SAFETY: the caller's reference is given up here, as `shutdown` promises (R2).
            unsafe { self.raw().drop_reference() };
        }
    }

    /// `JoinHandle::poll`: moves the output out if complete, else registers `waker`.
    pub(crate) fn try_read_output(
        self,
        dst: &mut Poll<Result<F::Output, JoinError>>,
        waker: &Waker,
    ) {
        if !self.can_read_output(waker) {
            return;
        }
        let stage = self.cell().core.stage.with_mut(|ptr| {
            // SAFETY: the task is complete and we are the `JoinHandle`, whose interest kept the
            // runtime away from the output (R1).
            unsafe { std::mem::replace(&mut *ptr, Stage::Consumed) }
        });
        match stage {
            Stage::Finished(output) => *dst = Poll::Ready(output),
            _ => panic!("JoinHandle polled after it returned its output"),
        }
    }

    fn can_read_output(&self, waker: &Waker) -> bool {
        let state = &self.cell().header.state;
        let snapshot = state.load();
        if snapshot.is_complete() {
            return true;
        }
        let registered = if !snapshot.is_join_waker_set() {
            self.set_join_waker(Some(waker.clone()))
        } else {
            // J2: while the bit is set the slot is not ours, not even to read; take it back
            // first (J4). That fails only if the task completed: the output is ready.
            if let Err(snapshot) = state.unset_join_waker() {
                debug_assert!(snapshot.is_complete());
                return true;
            }
            let same = self.cell().trailer.join_waker.with(|ptr| {
                // SAFETY: JOIN_WAKER is clear again, so the handle owns the slot (J1).
                unsafe { &*ptr }
                    .as_ref()
                    .is_some_and(|w| w.will_wake(waker))
            });
            self.set_join_waker((!same).then(|| waker.clone()))
        };
        match registered {
            Ok(_) => false,
            Err(snapshot) => {
                debug_assert!(snapshot.is_complete());
                true
            }
        }
    }

    /// Publishes the slot (J1 -> J2), storing `waker` in it first if given (else the slot
    /// keeps the waker it has). If the task completed meanwhile the slot is emptied and the
    /// completed snapshot comes back as the error.
    fn set_join_waker(
        &self,
        waker: Option<Waker>,
    ) -> Result<super::state::Snapshot, super::state::Snapshot> {
        let trailer = &self.cell().trailer;
        if let Some(waker) = waker {
            // SAFETY: JOIN_WAKER is clear, so the handle owns the slot exclusively (J1).
            trailer
                .join_waker
                .with_mut(|ptr| unsafe { *ptr = Some(waker) });
        }
        let result = self.cell().header.state.set_join_waker();
        if result.is_err() {
            // SAFETY: the bit was not set (the task completed first), so the slot is still
            // ours (J4).
            trailer.join_waker.with_mut(|ptr| unsafe { *ptr = None });
        }
        result
    }

    /// `JoinHandle::drop` when the task is complete and the handle's reference is the last
    /// one (`JoinHandleDrop::Exclusive`): nobody else can reach the cell (R2), so the handle
    /// drops the output it was owed (R1), the join waker slot and the cell itself.
    pub(crate) fn drop_join_handle_exclusive(self) {
        // SAFETY: the task is complete and the handle is interested, so the stage is the
        // handle's (R1); no other reference exists, so nothing else touches it.
        let _ = unsafe { self.drop_stage_as_task() };
        self.cell().trailer.join_waker.with_mut(|ptr| {
            // SAFETY: as above, the slot has no other possible reader or writer (R2; the J
            // rules are moot).
            unsafe { *ptr = None }
        });
        // SAFETY: the handle held the only reference left and gives it up here (R2).
        unsafe { self.raw().dealloc() };
    }

    /// `JoinHandle::drop` when no fast path applied.
    pub(crate) fn drop_join_handle_slow(self) {
        let (before, after) = self.cell().header.state.transition_to_join_handle_dropped();
        if before.is_complete() {
            // SAFETY: the output was kept for the handle (R1); the handle drops it here so a
            // `!Send` output dies where the handle lives.
            let _ = unsafe { self.drop_stage_as_task() };
        }
        if !after.is_join_waker_set() {
            self.cell().trailer.join_waker.with_mut(|ptr| {
                // SAFETY: JOIN_WAKER is clear, so the slot is the handle's (J1, J6).
                unsafe { *ptr = None }
            });
        }
        // SAFETY: the handle's reference is given up here, as `drop_join_handle_slow` promises
        // (R2).
        unsafe { self.raw().drop_reference() };
    }
}
