//! Loom-only mirrors of the engine's state machines for `loom-tests/` (re-exported as
//! `runtime::__loom`): the task state word ([`TaskState`]), the idle-worker coordinator
//! ([`Idle`]), the driver's sharded timer state ([`TimerShards`]), the worker's LIFO slot
//! ([`LifoSlot`]) and the watchdog's heal ([`heal_every_worker`]). Each forwards to the real
//! item unchanged, so a model drives exactly the code the runtime runs; only what a model
//! calls is forwarded.

use super::driver::{TimeState, entry::TimerEntry};
use super::scheduler::multi_thread::{idle, lifo};
use super::task::state;
use std::fmt;
use std::time::Duration;

/// A decoded copy of a task state word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// `RUNNING`: someone holds the poll lock.
    pub running: bool,
    /// `COMPLETE`: the future is gone.
    pub complete: bool,
    /// `NOTIFIED`: a `Notified` reference exists.
    pub notified: bool,
    /// `JOIN_INTEREST`: a `JoinHandle` wants the output.
    pub join_interested: bool,
    /// `JOIN_WAKER`: the join waker slot is published.
    pub join_waker: bool,
    /// `CANCELLED`: the task is to be cancelled.
    pub cancelled: bool,
    /// The reference count.
    pub refs: usize,
}

impl From<state::Snapshot> for Snapshot {
    fn from(s: state::Snapshot) -> Snapshot {
        Snapshot {
            running: s.is_running(),
            complete: s.is_complete(),
            notified: s.is_notified(),
            join_interested: s.is_join_interested(),
            join_waker: s.is_join_waker_set(),
            cancelled: s.is_cancelled(),
            refs: s.ref_count(),
        }
    }
}

/// Mirror of `state::ToRunning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToRunning {
    /// Poll the future.
    Success,
    /// Cancel and complete.
    Cancelled,
    /// Someone else runs it or it is done; the `Notified` reference was dropped.
    Failed,
    /// As `Failed`, and that was the last reference.
    Dealloc,
}

/// Mirror of `state::ToIdle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToIdle {
    /// The poller's reference was dropped, others remain.
    Ok,
    /// Woken during the poll: the poller's reference is now a `Notified` to schedule.
    OkNotified,
    /// The poller's reference was the last one.
    OkDealloc,
    /// Cancelled during the poll.
    Cancelled,
}

/// Mirror of `state::ToNotified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToNotified {
    /// Nothing to schedule.
    DoNothing,
    /// Schedule a `Notified` that owns one reference.
    Submit,
    /// The waker's reference was the last one.
    Dealloc,
}

/// Mirror of `state::ToComplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToComplete {
    /// Every reference handed in was dropped; `last`: they were the last ones.
    Released {
        /// Free the task.
        last: bool,
    },
    /// One reference kept (wake the join waker or drop the output first); the state after.
    KeptOne(Snapshot),
}

/// The task state word (`task/state.rs`), every transition forwarded unchanged.
pub struct TaskState(state::State);

impl TaskState {
    /// A freshly spawned task: refs 3 (list, `Notified`, `JoinHandle`), notified, join interest.
    pub fn new() -> TaskState {
        TaskState(state::State::new())
    }
    /// The current value.
    pub fn load(&self) -> Snapshot {
        self.0.load().into()
    }
    /// Consumes a `Notified` and tries to take `RUNNING`.
    pub fn transition_to_running(&self) -> ToRunning {
        match self.0.transition_to_running() {
            state::ToRunning::Success => ToRunning::Success,
            state::ToRunning::Cancelled => ToRunning::Cancelled,
            state::ToRunning::Failed => ToRunning::Failed,
            state::ToRunning::Dealloc => ToRunning::Dealloc,
        }
    }
    /// Releases `RUNNING` after `Pending`; `woke_self`: the task woke itself during the poll.
    pub fn transition_to_idle(&self, woke_self: bool) -> ToIdle {
        match self.0.transition_to_idle(woke_self) {
            state::ToIdle::Ok => ToIdle::Ok,
            state::ToIdle::OkNotified => ToIdle::OkNotified,
            state::ToIdle::OkDealloc => ToIdle::OkDealloc,
            state::ToIdle::Cancelled => ToIdle::Cancelled,
        }
    }
    /// `RUNNING` to `COMPLETE`, dropping the completer's `count` references in the same step
    /// unless one must be kept; `output_dropped`: the output was dropped before (no interest).
    pub fn transition_to_complete_and_release(
        &self,
        count: usize,
        output_dropped: bool,
    ) -> ToComplete {
        match self
            .0
            .transition_to_complete_and_release(count, output_dropped)
        {
            state::ToComplete::Released { last } => ToComplete::Released { last },
            state::ToComplete::KeptOne(s) => ToComplete::KeptOne(s.into()),
        }
    }
    /// Drops `count` references; `true` if they were the last.
    pub fn transition_to_terminal(&self, count: usize) -> bool {
        self.0.transition_to_terminal(count)
    }
    /// `Waker::wake` (by value).
    pub fn transition_to_notified_by_val(&self) -> ToNotified {
        map_notified(self.0.transition_to_notified_by_val())
    }
    /// `Waker::wake_by_ref`.
    pub fn transition_to_notified_by_ref(&self) -> ToNotified {
        map_notified(self.0.transition_to_notified_by_ref())
    }
    /// `abort`; `true` if the caller must schedule the new `Notified`.
    pub fn transition_to_notified_and_cancel(&self) -> bool {
        self.0.transition_to_notified_and_cancel()
    }
    /// The `JoinHandle` gives up interest; returns (before, after).
    pub fn transition_to_join_handle_dropped(&self) -> (Snapshot, Snapshot) {
        let (before, after) = self.0.transition_to_join_handle_dropped();
        (before.into(), after.into())
    }
    /// Adds a reference.
    pub fn ref_inc(&self) {
        self.0.ref_inc();
    }
    /// Drops a reference; `true` if it was the last.
    pub fn ref_dec(&self) -> bool {
        self.0.ref_dec()
    }
}

impl Default for TaskState {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn map_notified(action: state::ToNotified) -> ToNotified {
    match action {
        state::ToNotified::DoNothing => ToNotified::DoNothing,
        state::ToNotified::Submit => ToNotified::Submit,
        state::ToNotified::Dealloc => ToNotified::Dealloc,
    }
}

/// The idle-worker coordinator (`scheduler/multi_thread/idle.rs`), forwarded unchanged.
pub struct Idle(idle::Idle);

impl Idle {
    /// All `num_workers` workers unparked, none searching.
    pub fn new(num_workers: usize) -> Idle {
        Idle(idle::Idle::new(num_workers))
    }
    /// Rule I1: a parked worker to wake, counted as unparked and searching.
    pub fn worker_to_notify(&self) -> Option<usize> {
        self.0.worker_to_notify()
    }
    /// Records a park; `true` if it was the last searcher (rule I4).
    pub fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        self.0.transition_worker_to_parked(index, is_searching)
    }
    /// Tries to start searching (rule I2).
    pub fn transition_worker_to_searching(&self) -> bool {
        self.0.transition_worker_to_searching()
    }
    /// Stops searching; `true` if it was the last searcher (rule I3).
    pub fn transition_worker_from_searching(&self) -> bool {
        self.0.transition_worker_from_searching()
    }
    /// Whether `index` is listed as parked.
    pub fn is_parked(&self, index: usize) -> bool {
        self.0.is_parked(index)
    }
    /// Workers currently searching.
    pub fn num_searching(&self) -> usize {
        self.0.num_searching()
    }
}

impl fmt::Debug for Idle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Idle")
            .field("searching", &self.0.num_searching())
            .finish_non_exhaustive()
    }
}

/// The driver's sharded timer state (`driver::TimeState`), for the park-vs-insert model.
pub struct TimerShards(TimeState);

impl TimerShards {
    /// Timer state with `shards` wheels, on a running (not paused) clock.
    pub fn new(shards: usize) -> TimerShards {
        TimerShards(TimeState::new(shards))
    }

    /// Files a fresh timer `ms` after the state's origin in shard `shard`; returns whether the
    /// caller must unpark the driver (the registration's verdict).
    pub fn file(&self, shard: usize, ms: u64) -> bool {
        let entry = crate::loom::sync::Arc::new(TimerEntry::default());
        let (_, unpark) = self.0.register(shard, ms, &entry);
        unpark
    }

    /// One park of the driver with no scheduler timeout: plans it, runs `while_blocked` (the
    /// time the driver would spend blocked), then finishes the park (clears the announcement,
    /// fires what is due). Returns how long the driver would have blocked (`None`: until
    /// unparked) and `while_blocked`'s result.
    pub fn park<R>(&self, while_blocked: impl FnOnce() -> R) -> (Option<Duration>, R) {
        let plan = self.0.plan_park(None);
        let during = while_blocked();
        self.0.after_park(plan, false);
        (plan.timeout, during)
    }

    /// Timers filed, over every shard.
    pub fn len(&self) -> usize {
        self.0.num_timers()
    }

    /// No timer filed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for TimerShards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerShards").finish_non_exhaustive()
    }
}

/// Mirror of the multi-thread worker's LIFO slot (`scheduler/multi_thread/lifo.rs`, rules
/// L1-L3) holding numbers instead of tasks: the same code, so a model can race an owner's
/// push/pop against a thief's steal.
pub struct LifoSlot(lifo::LifoSlot<Box<u32>>);

impl lifo::SlotItem for Box<u32> {
    fn into_ptr(self) -> std::ptr::NonNull<()> {
        std::ptr::NonNull::from(Box::leak(self)).cast()
    }

    unsafe fn from_ptr(ptr: std::ptr::NonNull<()>) -> Self {
        // SAFETY: `ptr` came from `into_ptr` (a leaked `Box<u32>`) and is taken back once
        // (the caller's contract, rule L2).
        unsafe { Box::from_raw(ptr.cast::<u32>().as_ptr()) }
    }
}

impl LifoSlot {
    /// An empty slot.
    #[allow(clippy::new_without_default)]
    pub fn new() -> LifoSlot {
        LifoSlot(lifo::LifoSlot::new())
    }

    /// Owner: puts `value` in, returning the one it displaced.
    pub fn push(&self, value: u32) -> Option<u32> {
        self.0.push(Box::new(value)).map(|b| *b)
    }

    /// Owner: takes the value out.
    pub fn pop(&self) -> Option<u32> {
        self.0.pop().map(|b| *b)
    }

    /// Thief: takes the value out of a stuck owner's slot.
    pub fn steal(&self) -> Option<u32> {
        self.0.steal().map(|b| *b)
    }
}

impl fmt::Debug for LifoSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LifoSlot").finish_non_exhaustive()
    }
}

/// What the watchdog does to a worker stuck in a poll (`multi_thread/heal.rs`), run on every
/// worker of a multi-thread runtime at once (it is safe on a worker that is not stuck: rule
/// L2). Returns how many workers it healed (0 on the current-thread flavor).
pub fn heal_every_worker(handle: &super::Handle) -> usize {
    use super::scheduler::watchdog::Target;
    match handle {
        super::Handle::MultiThread(h) => (0..h.shared.remotes.len())
            .filter(|&worker| h.heal(worker))
            .count(),
        super::Handle::CurrentThread(_) | super::Handle::Simulation(_) => 0,
    }
}
