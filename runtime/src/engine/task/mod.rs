//! The task core: the cell and its state word, the harness that polls it, its waker, the
//! owned-task list, the current-poll thread-local, task ids, join errors, the coop budget and
//! the `tracing` hooks (`trace.rs`: a task span, waker events; nothing without the feature).
//! The public face (`JoinHandle`, `AbortHandle`, `JoinSet`, `spawn`, ...) lives in
//! `crate::task` and holds a task only through [`JoinRef`] and [`AbortRef`].
//!
//! # The task protocol
//!
//! A spawned task is one heap allocation (`raw::Cell`) shared by several *references*:
//!
//! | reference | count | who holds it |
//! |---|---|---|
//! | `Task` | 1 | the scheduler's owned-task list (lets shutdown find every task) |
//! | `Notified` | 1 | whoever may run the task next: a run queue, the LIFO slot, the injector |
//! | `JoinHandle` | 1 | the user, until dropped |
//! | `Waker` | 1 each | clones of the task's waker (the waker passed to `poll` is borrowed) |
//! | `UnownedTask` | 2 | a blocking-pool job: `Task` and `Notified` in one |
//!
//! The state word (`state.rs`) holds six flags and the reference count. The rules:
//!
//! - **R1 (stage).** The future/output *stage* is touched only by the holder of the `RUNNING`
//!   bit; after `COMPLETE`, by the completer if no `JoinHandle` is interested, otherwise only by
//!   the `JoinHandle`. (`JOIN_INTEREST` is never set again once clear, so a completer that
//!   sees it clear drops the output while still `RUNNING` and can then give up every reference
//!   together with `RUNNING`.)
//! - **R2 (lifetime).** Every holder of a `RawTask` owns one reference; the cell is freed by
//!   whoever drops the count to zero, and only then.
//! - **R3 (notified).** At most one `Notified` exists (the `NOTIFIED` bit); running it consumes
//!   its reference. A wake during a poll sets `NOTIFIED`, and the poller reschedules the task
//!   *as a yield* (back of the queue) when the poll returns `Pending`. A task that wakes
//!   itself through its own waker on the polling thread (`yield_now`, a spent coop budget)
//!   only marks the poll (`current_poll`); the poller then sets `NOTIFIED` in the same CAS that
//!   clears `RUNNING`, with the same outcome and one read-modify-write fewer.
//! - **R4 (scheduler).** The scheduler handle in the cell never changes after allocation; any
//!   reference holder may read it.
//! - **R5 (cancel).** `CANCELLED` makes the next holder of `RUNNING` drop the future and
//!   complete with a cancelled `JoinError`; shutdown takes `RUNNING` itself when the task is
//!   idle, so every future is dropped exactly once, on the thread that shuts down.
//!
//! The join waker slot has its own access rules, keyed on the `JOIN_WAKER` bit:
//!
//! - **J1.** `JOIN_WAKER` clear: the `JoinHandle` owns the slot exclusively.
//! - **J2.** Set and not complete: nobody touches it. To look at it again (is the waker still
//!   the same?) the handle first takes it back by clearing the bit (J4).
//! - **J3.** Set and complete: the runtime owns it: it takes the waker out and wakes it by
//!   value (for a task waker, its reference becomes the awaiting task's `Notified`).
//! - **J4.** To replace its waker the handle clears the bit (fails if complete), writes, and
//!   sets it again (if that fails the task completed, and the handle clears the slot itself).
//! - **J5.** Before completion only the handle flips the bit; after, only the runtime.
//! - **J6.** After waking, the runtime clears the bit to give the slot back, in the same
//!   read-modify-write that drops its references. If the handle is gone by then, the waker
//!   stays in the slot until the cell is freed (at once, if those were the last references).
//!
//! The cell itself (`raw.rs`) keeps these rules, which the `unsafe` around it relies on:
//!
//! - **C1 (layout).** A task is one `Box<Cell<F, S>>`, leaked by `Cell::allocate` and freed
//!   only through the vtable's `dealloc` (when R2 says so). The cell is `#[repr(C)]` with the
//!   `Header` first, so a header pointer is a cell pointer; a `RawTask` and a task waker's data
//!   pointer are that (non-null) header pointer, and the header's vtable was built for the
//!   same `F` and `S`, so its functions may cast the header back to `Cell<F, S>`.
//! - **C2 (pinned).** The future is never moved out of the cell: it is polled where it lies
//!   and dropped in place (by replacing the stage), so pinning it there is sound.
//! - **C3 (threads).** The future and output are `Send` (required at spawn) and the scheduler
//!   handle is `Send + Sync` (`Schedule`); every header field is immutable or atomic, and the
//!   non-`Sync` parts (the stage, the join waker slot) are reached only as R1 and J1-J6
//!   allow. So references to a task may move between threads and be shared by them.
//! - **L1 (local tasks).** A task allocated by [`new_local_task`] (`LocalSet`, `spawn_local`)
//!   may have a `!Send` future and output; C3's "the future and output are `Send`" is replaced
//!   by: its stage is touched only on its *owner thread*. The local scheduler keeps it: only
//!   its run loop polls the task, and it runs only on the owner thread (asserted in debug
//!   builds before every poll); its owned-task list is closed and swept (R5's cancel) only by
//!   the `LocalSet`'s drop, on the owner thread; it is in no runtime's list, so a dump never
//!   traces it. Every other reference holder (a waker on another thread, an abort) only
//!   touches the state word and hands a `Notified` to the scheduler, which queues it for the
//!   owner thread. The cell can be freed elsewhere only once the stage is `Consumed` or holds
//!   an output that the `JoinHandle` drops where it lives (its `JoinRef<T>` is `!Send` when
//!   `T` is).

mod cell_cache;
pub mod coop;

mod current_poll;
pub(crate) mod dump;
mod error;
mod harness;
mod id;
mod identity;
mod instrument;
mod join_ref;
pub(crate) mod list;
pub(crate) mod raw;
mod slots;
pub(crate) mod state;
pub(crate) mod trace;
mod waker;

pub(crate) use current_poll::wake_by_ref as wake_current_by_ref;
pub use error::JoinError;
pub use id::{Id, id, name, try_id, try_name};
pub(crate) use join_ref::{AbortRef, JoinRef};
pub(crate) use raw::Meta;

use raw::RawTask;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;

/// What a task needs from the scheduler that owns it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues a task that was woken.
    fn schedule(&self, task: Notified<Self>);

    /// Queues a task that woke itself while running (goes to the back, never the LIFO slot).
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// Removes a completed task from the owned-task list, returning the list's reference.
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;

    /// Called when a task's `poll` panicked (for `UnhandledPanic::ShutdownRuntime`).
    fn unhandled_panic(&self) {}
}

/// The owned-task list's reference to a task.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

/// A reference that allows running the task (rule R3).
pub(crate) struct Notified<S: 'static>(Task<S>);

/// A task run by the blocking pool: owns two references (owned + notified) and is in no list.
pub(crate) struct UnownedTask<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

// SAFETY: references to a task can move between threads; the task's future and output are
// `Send` (enforced at spawn) or touched only on the owner thread (a local task, L1), and all
// shared state is synchronised by the state word (C3).
unsafe impl<S> Send for Task<S> {}
// SAFETY: as above; `&Task` only exposes atomic state and immutable header fields (C3).
unsafe impl<S> Sync for Task<S> {}
// SAFETY: as above (C3).
unsafe impl<S> Send for UnownedTask<S> {}

impl<S: 'static> Task<S> {
    pub(crate) fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _scheduler: PhantomData,
        }
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }

    /// Cancels the task for runtime shutdown, consuming this reference.
    pub(crate) fn shutdown(self) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `self` owns a reference (R2); `ManuallyDrop` keeps `Drop` from giving it up
        // a second time.
        unsafe { this.raw.shutdown() };
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        // SAFETY: a `Task` owns one reference (R2), given up as it is dropped.
        unsafe { self.raw.drop_reference() };
    }
}

impl<S: 'static> Notified<S> {
    pub(crate) fn from_raw(raw: RawTask) -> Notified<S> {
        Notified(Task::from_raw(raw))
    }

    /// Polls the task, consuming this reference; a task that woke itself meanwhile is handed
    /// to its scheduler as a yield.
    pub(crate) fn run(self) {
        if let Some(task) = self.run_keeping_yield() {
            // SAFETY: `into_raw` hands over the `Notified` reference the poll gave back (R3).
            unsafe { task.into_raw().yield_now() };
        }
    }

    /// Polls the task, consuming this reference; returns the task if it woke itself during
    /// the poll, for the caller to queue as a yield (the worker that ran it, with its queue in
    /// hand, skips the scheduler's thread-local lookup).
    #[inline]
    pub(crate) fn run_keeping_yield(self) -> Option<Notified<S>> {
        let this = ManuallyDrop::new(self);
        let raw = this.0.raw;
        // SAFETY: `self` is the task's one `Notified` (R3), handed over; `ManuallyDrop` keeps
        // `Drop` from giving its reference up a second time. `true` means the poll made a new
        // `Notified` reference ours (R3), which the returned value owns.
        unsafe { raw.poll() }.then(|| Notified::from_raw(raw))
    }

    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }

    /// Gives up ownership without dropping the reference: the caller keeps the raw pointer
    /// and must turn it back into a `Notified` with [`Notified::from_raw`] exactly once (R2).
    pub(crate) fn into_raw(self) -> RawTask {
        ManuallyDrop::new(self).0.raw
    }
}

impl<S: 'static> UnownedTask<S> {
    /// Runs the task to completion, then drops the second reference.
    pub(crate) fn run(self) {
        let this = ManuallyDrop::new(self);
        let raw = this.raw;
        // SAFETY: an `UnownedTask` owns two references (the `Task` and the `Notified` in one);
        // the poll consumes the `Notified` (R3) and the second is given up after (R2).
        unsafe {
            if raw.poll() {
                raw.yield_now();
            }
            raw.drop_reference();
        }
    }
}

impl<S: 'static> Drop for UnownedTask<S> {
    fn drop(&mut self) {
        // Dropped unrun (blocking-pool shutdown): cancel so the `JoinHandle` resolves instead
        // of waiting forever. `shutdown` consumes one of our two references.
        let raw = self.raw;
        // SAFETY: as in `run`, we own two references: `shutdown` consumes one, and the second
        // is given up after (R2).
        unsafe {
            raw.shutdown();
            raw.drop_reference();
        }
    }
}

impl<S> std::fmt::Debug for Notified<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notified").field("id", &self.id()).finish()
    }
}

/// Allocates a task for `scheduler`, returning the owned-list reference, the first
/// `Notified`, and the join reference (the future `JoinHandle`).
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    meta: Meta,
) -> (Task<S>, Notified<S>, JoinRef<F::Output>)
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let (future, trace) =
        instrument::instrument(future, "task", meta.name(), meta.id, meta.spawned_at());
    let raw = raw::Cell::allocate(future, scheduler, meta, trace);
    (
        Task::from_raw(raw),
        Notified::from_raw(raw),
        JoinRef::new(raw),
    )
}

/// Allocates a local task: [`new_task`] without the `Send` bounds.
///
/// # Safety
/// Rule L1: `scheduler` polls the task only on one owner thread, sweeps its owned list only
/// there, and never lets a dump trace it; any `Notified` it receives on another thread is
/// queued for the owner thread, never run or cancelled where it was received.
pub(crate) unsafe fn new_local_task<F, S>(
    future: F,
    scheduler: S,
    meta: Meta,
) -> (Task<S>, Notified<S>, JoinRef<F::Output>)
where
    F: std::future::Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    let (future, trace) =
        instrument::instrument(future, "local", meta.name(), meta.id, meta.spawned_at());
    let raw = raw::Cell::allocate(future, scheduler, meta, trace);
    (
        Task::from_raw(raw),
        Notified::from_raw(raw),
        JoinRef::new(raw),
    )
}

/// Allocates a blocking task (not in any owned list).
pub(crate) fn unowned<F, S>(
    future: F,
    scheduler: S,
    meta: Meta,
) -> (UnownedTask<S>, JoinRef<F::Output>)
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let (future, trace) =
        instrument::instrument(future, "blocking", meta.name(), meta.id, meta.spawned_at());
    let raw = raw::Cell::allocate(future, scheduler, meta, trace);
    (
        UnownedTask {
            raw,
            _scheduler: PhantomData,
        },
        JoinRef::new(raw),
    )
}
