//! The task cell's memory layout and the type-erased pointer to it.
//!
//! This is one of the few modules with `unsafe`. A task is a single heap allocation, a
//! [`Cell`]: `Header` first (so a header pointer *is* a cell pointer), then the `Core`
//! (scheduler handle and the future/output stage), then the `Trailer` (the join waker).
//! [`RawTask`] is a copyable, non-owning pointer to a header; whoever holds one must also own
//! a reference (rule R2 in `task/mod.rs`, which also states the cell's rules C1-C3). All
//! type-specific work goes through the header's static [`Vtable`], so non-generic code
//! (queues, wakers, handles) never names `F` or `S`.

use super::harness::Harness;
use super::identity::Identity;
use super::state::State;
use super::{Id, JoinError, Schedule};
use crate::loom::cell::UnsafeCell;
use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

/// Type-specific operations of one `(future, scheduler)` pair.
pub(crate) struct Vtable {
    /// Polls the task (consumes a `Notified` reference). `true`: the task woke itself during
    /// the poll and the caller now holds a new `Notified` reference, to queue as a yield.
    pub(crate) poll: unsafe fn(NonNull<Header>) -> bool,
    /// Hands a `Notified` reference of a task that woke itself to its scheduler, as a yield.
    pub(crate) yield_now: unsafe fn(NonNull<Header>),
    /// Hands a `Notified` reference to the task's scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Frees the allocation (reference count is zero).
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Moves the output into `*dst` (a `Poll<Result<T, JoinError>>`) or registers the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// The `JoinHandle` drop slow path.
    pub(crate) drop_join_handle_slow: unsafe fn(NonNull<Header>),
    /// `JoinHandle` drop when the handle holds the last reference of a complete task.
    pub(crate) drop_join_handle_exclusive: unsafe fn(NonNull<Header>),
    /// Cancels the task for runtime shutdown (consumes the caller's reference).
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
    /// A task dump's trace poll (consumes the caller's reference).
    pub(crate) trace: unsafe fn(NonNull<Header>) -> Traced,
}

/// What a dump's trace of one task found.
pub(crate) enum Traced {
    /// Not idle (running, scheduled, complete or cancelled): not polled. The state it had.
    Skipped(super::state::Snapshot),
    /// Polled once in trace mode and rescheduled (or completed, if it finished).
    Polled,
}

/// The hot, type-independent part of a task.
///
/// Identity (`id`, `identity`: spawn location and name) is immutable after allocation;
/// `stats` is written only by the holder of `RUNNING` (see [`PollStats`]). 48 bytes on 64-bit
/// targets: the identity and statistics of issue 18 added 16 to the 32 of before (the owner
/// slot shrank to a `u32` to pay for part of it).
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: Id,
    /// Where the task was spawned (`#[track_caller]` through every spawn function) and the
    /// name given with `task::Builder::name`, in one word (names are rare).
    pub(crate) identity: Identity,
    /// Where the owned-task list keeps this task (written and read under the shard's lock).
    pub(crate) owner_slot: crate::loom::sync::atomic::AtomicU32,
    pub(crate) stats: PollStats,
    /// The task span's id for waker events (feature `tracing`; zero-sized without it).
    pub(crate) trace: super::instrument::TaskTraceId,
}

impl Header {
    /// The task's id.
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    /// The task's name, if it was given one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.identity.name()
    }

    /// Where the task was spawned.
    pub(crate) fn spawned_at(&self) -> &'static Location<'static> {
        self.identity.spawned_at()
    }
}

/// What a spawn knows about the task it creates.
pub(crate) struct Meta {
    pub(crate) id: Id,
    pub(crate) identity: Identity,
}

impl Meta {
    /// A fresh id, the given spawn location, no name.
    pub(crate) fn new(spawned_at: &'static Location<'static>) -> Meta {
        Meta {
            id: Id::next(),
            identity: Identity::new(spawned_at, None),
        }
    }

    /// The name, if the task has one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.identity.name()
    }

    /// Where the task is spawned.
    pub(crate) fn spawned_at(&self) -> &'static Location<'static> {
        self.identity.spawned_at()
    }

    /// A fresh id, the given location and name (`None` for none).
    pub(crate) fn named(spawned_at: &'static Location<'static>, name: Option<&str>) -> Meta {
        Meta {
            id: Id::next(),
            identity: Identity::new(spawned_at, name),
        }
    }
}

/// Per-task poll statistics for task dumps.
///
/// Single writer: only the holder of `RUNNING` stores, with plain `Relaxed` loads and stores
/// (no read-modify-write); the next poller acquires the state word, so it continues from the
/// last values. Readers (a dump) may see a poll half-recorded. Times are in the coarse
/// clock's milliseconds (`scheduler::coarse_clock`). Deliberately `std`'s atomics even under
/// loom: they are not part of any modelled protocol. (Packing the count and the busy time
/// into one `u64` measured worse: 3 instructions more per poll, and 8 bytes more per task.)
#[derive(Default)]
pub(crate) struct PollStats {
    /// Polls so far (wrapping).
    pub(crate) polls: std::sync::atomic::AtomicU32,
    /// Coarse time at which the last poll started.
    pub(crate) last_poll_ms: std::sync::atomic::AtomicU32,
    /// Sum of the coarse durations of every poll (wrapping, after 49.7 days of busy time).
    pub(crate) busy_ms: std::sync::atomic::AtomicU32,
}

impl PollStats {
    /// (polls, busy milliseconds, start of the last poll).
    pub(crate) fn read(&self) -> (u32, u32, u32) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.polls.load(Relaxed),
            self.busy_ms.load(Relaxed),
            self.last_poll_ms.load(Relaxed),
        )
    }
}

/// What the task's future has become.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// The scheduler handle and the stage.
#[repr(C)]
pub(crate) struct Core<F: Future, S> {
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
}

/// Cold data: the `JoinHandle`'s waker.
#[repr(C)]
pub(crate) struct Trailer {
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// One task allocation.
///
/// Deliberately *not* over-aligned to a cache line: `align(128)` (Tokio's choice) sends every
/// spawn through glibc's `posix_memalign` slow path, which cost ~25% of spawn time in the
/// `spawn_many_local_1w` profile; removing it cut spawn-many by 25-40% in `benches` `compare`.
/// Neighbouring tasks may share a line; their hot word is the state, touched by whoever runs or
/// wakes that task, so false sharing needs two busy tasks allocated side by side on two cores.
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) core: Core<F, S>,
    pub(crate) trailer: Trailer,
}

impl<F, S> Cell<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    /// Allocates a new task in its initial state (three references).
    pub(crate) fn allocate(
        future: F,
        scheduler: S,
        meta: Meta,
        trace: super::instrument::TaskTraceId,
    ) -> RawTask {
        // Memory first, then the cell written straight into it: built before the (out-of-line)
        // allocation, the cell was assembled on the stack and copied over (a `memmove` of the
        // whole cell per spawn in the `ping_pong_1w` profile).
        let ptr = super::cell_cache::allocate(std::alloc::Layout::new::<Cell<F, S>>())
            .cast::<Cell<F, S>>();
        let cell = Cell {
            header: Header {
                state: State::new(),
                vtable: vtable::<F, S>(),
                id: meta.id,
                identity: meta.identity,
                owner_slot: crate::loom::sync::atomic::AtomicU32::new(u32::MAX),
                stats: PollStats::default(),
                trace,
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                join_waker: UnsafeCell::new(None),
            },
        };
        // SAFETY: `allocate` returned memory for a `Cell<F, S>` (its layout), unused (C1).
        unsafe { ptr.write(cell) };
        RawTask { ptr: ptr.cast() }
    }
}

fn vtable<F, S>() -> &'static Vtable
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        yield_now: yield_now::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle_slow: drop_join_handle_slow::<F, S>,
        drop_join_handle_exclusive: drop_join_handle_exclusive::<F, S>,
        shutdown: shutdown::<F, S>,
        trace: trace::<F, S>,
    }
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>` and the caller owns one reference, which it
/// gives up.
unsafe fn trace<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) -> Traced
where
    F::Output: 'static,
{
    // SAFETY: guaranteed by the caller: the cell type (C1) and a reference (R2).
    unsafe { Harness::<F, S>::from_raw(ptr) }.trace()
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>` and the caller owns a `Notified` reference.
unsafe fn poll<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) -> bool
where
    F::Output: 'static,
{
    // SAFETY: the caller guarantees `ptr` points into a live `Cell<F, S>` (C1, R2).
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll()
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>`; the caller owns a `Notified` reference of a
/// task that woke itself while running, which is handed to the scheduler as a yield.
unsafe fn yield_now<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: as in `schedule` (the cell type, R4).
    let scheduler = unsafe { &(*ptr.cast::<Cell<F, S>>().as_ptr()).core.scheduler };
    scheduler.yield_now(super::Notified::from_raw(RawTask { ptr }));
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>`; the caller owns a `Notified` reference, which
/// is handed to the scheduler.
unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the caller guarantees the cell type; the scheduler field is immutable for the
    // cell's whole life (rule R4), so a shared reference to it is fine from any thread.
    let scheduler = unsafe { &(*ptr.cast::<Cell<F, S>>().as_ptr()).core.scheduler };
    scheduler.schedule(super::Notified::from_raw(RawTask { ptr }));
}

/// # Safety
/// `ptr` is the header of a `Cell<F, S>` whose reference count reached zero.
unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    let cell = ptr.cast::<Cell<F, S>>();
    // SAFETY: the cell was written by `allocate` (C1) and no reference remains (R2), so its
    // contents are dropped once, here; then its memory goes back whence `allocate` took it.
    unsafe {
        cell.drop_in_place();
        super::cell_cache::free(cell.cast(), std::alloc::Layout::new::<Cell<F, S>>());
    }
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>`, the caller is its `JoinHandle`, and `dst`
/// points to a valid `Poll<Result<F::Output, JoinError>>`.
unsafe fn try_read_output<F: Future + 'static, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) where
    F::Output: 'static,
{
    let out = dst.cast::<Poll<Result<F::Output, JoinError>>>();
    // SAFETY: the caller guarantees the types (C1), a reference (R2) and that `dst` is valid
    // for writes.
    unsafe { Harness::<F, S>::from_raw(ptr).try_read_output(&mut *out, waker) };
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>` and the caller is its `JoinHandle`.
unsafe fn drop_join_handle_slow<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: guaranteed by the caller: the cell type (C1) and the handle's reference (R2).
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle_slow();
}

/// # Safety
/// `ptr` is the header of a complete `Cell<F, S>` and the caller is its `JoinHandle`, holding
/// the only reference left.
unsafe fn drop_join_handle_exclusive<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: guaranteed by the caller: the cell type (C1) and the last reference (R2).
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle_exclusive();
}

/// # Safety
/// `ptr` is the header of a live `Cell<F, S>` and the caller owns one reference.
unsafe fn shutdown<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>)
where
    F::Output: 'static,
{
    // SAFETY: guaranteed by the caller: the cell type (C1) and a reference (R2).
    unsafe { Harness::<F, S>::from_raw(ptr) }.shutdown();
}

/// A non-owning, copyable pointer to a task. Its holder owns one reference (rule R2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: a task is shared between threads by design; every field of `Header` is either
// immutable or atomic, and the non-`Sync` parts are guarded by the state word's rules (C3; a
// local task's stage is reached only on its owner thread, L1).
unsafe impl Send for RawTask {}
// SAFETY: as above (C3).
unsafe impl Sync for RawTask {}

impl RawTask {
    /// Rebuilds a `RawTask` from a header pointer taken from a waker.
    pub(crate) fn from_header(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    /// The header pointer (what [`RawTask::from_header`] takes back), e.g. to keep a task in
    /// an atomic slot.
    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the holder owns a reference (R2), so the allocation is alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn state(&self) -> &State {
        &self.header().state
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    /// Polls the task; consumes the caller's `Notified` reference.
    ///
    /// # Safety
    /// The caller owns a reference that the state word counts as the `Notified` (rule R3),
    /// and gives it up: it must not use or drop it afterwards (R2).
    pub(crate) unsafe fn poll(self) -> bool {
        // SAFETY: the header's vtable matches the cell's types (it was built with them in
        // `allocate`), and the caller hands over a `Notified` reference (R3), which keeps the
        // cell alive (R2).
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// Hands the caller's `Notified` reference of a task that woke itself to the scheduler,
    /// as a yield (the back of the queue).
    ///
    /// # Safety
    /// The caller owns a `Notified` reference (R3) and gives it up.
    pub(crate) unsafe fn yield_now(self) {
        // SAFETY: as in `schedule`.
        unsafe { (self.header().vtable.yield_now)(self.ptr) }
    }

    /// Hands the caller's `Notified` reference to the scheduler.
    ///
    /// # Safety
    /// The caller owns a reference minted for a new `Notified` (the transition that set
    /// `NOTIFIED` said to submit, rule R3) and gives it up (R2).
    pub(crate) unsafe fn schedule(self) {
        // SAFETY: the vtable matches the cell; the caller hands over a `Notified` reference
        // (R3), which keeps the cell alive (R2); the scheduler field never changes (R4).
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    /// Frees the task.
    ///
    /// # Safety
    /// The caller's transition dropped the reference count to zero (rule R2), so nobody else
    /// can reach the cell; `self` is not used again.
    pub(crate) unsafe fn dealloc(self) {
        // SAFETY: the vtable matches the cell, and the caller saw the count reach zero (R2).
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    /// The caller is the task's `JoinHandle` and `dst` is a valid
    /// `*mut Poll<Result<T, JoinError>>` where `T` is the future's output type.
    pub(crate) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded from the caller, the `JoinHandle` (R1, J1), which owns a reference
        // (R2); the vtable matches the cell (C1).
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// `JoinHandle::drop` when the task is complete and the handle holds the last reference
    /// (`JoinHandleDrop::Exclusive`): drops the output and frees the task.
    ///
    /// # Safety
    /// The caller is the task's `JoinHandle`, gives up its reference, and saw the task
    /// complete with that reference the only one left (rules R1, R2 and J6).
    pub(crate) unsafe fn drop_join_handle_exclusive(self) {
        // SAFETY: the vtable matches the cell; the caller is the handle and owns the last
        // reference of a complete task, so it alone touches the output and frees the cell
        // (R1, R2, J6).
        unsafe { (self.header().vtable.drop_join_handle_exclusive)(self.ptr) }
    }

    /// The `JoinHandle` drop slow path; the caller is the handle.
    ///
    /// # Safety
    /// The caller is the task's `JoinHandle` (the owner of `JOIN_INTEREST` and of the join
    /// waker slot while `JOIN_WAKER` is clear, rules R1 and J1) and gives up its reference (R2).
    pub(crate) unsafe fn drop_join_handle_slow(self) {
        // SAFETY: the vtable matches the cell; the caller is the handle and owns a reference
        // (R1, R2, J1).
        unsafe { (self.header().vtable.drop_join_handle_slow)(self.ptr) }
    }

    /// Cancels the task for shutdown; consumes the caller's reference.
    ///
    /// # Safety
    /// The caller owns a reference (rule R2) and gives it up.
    pub(crate) unsafe fn shutdown(self) {
        // SAFETY: the vtable matches the cell; the caller's reference keeps it alive (R2), and
        // the harness takes `RUNNING` before it touches the stage (R1, R5).
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// A task dump's trace poll: polls the task once in trace mode if it is idle (see
    /// `Harness::trace`); consumes the caller's reference.
    ///
    /// # Safety
    /// The caller owns a reference (rule R2) and gives it up.
    pub(crate) unsafe fn trace(self) -> Traced {
        // SAFETY: the vtable matches the cell; the caller's reference keeps it alive (R2), and
        // the harness takes `RUNNING` before it touches the stage (R1).
        unsafe { (self.header().vtable.trace)(self.ptr) }
    }

    /// Drops one reference, freeing the task if it was the last.
    ///
    /// # Safety
    /// The caller owns a reference (rule R2) and gives it up.
    pub(crate) unsafe fn drop_reference(self) {
        if self.state().ref_dec() {
            // SAFETY: our decrement took the count to zero (R2).
            unsafe { self.dealloc() };
        }
    }
}

#[cfg(all(test, not(loom), target_pointer_width = "64"))]
mod size_tests {
    use super::Header;

    /// Issue 18 grew the header from 32 to 48 bytes (location and name in one word, poll
    /// statistics; the owner slot shrank to 4 bytes). Issue 22 wants tasks smaller: a change here is a
    /// decision, so it must show up as a failing test. The `tracing` feature adds the task
    /// span's id (zero bytes without it), and its cells wrap the future in the span.
    #[test]
    #[cfg(not(feature = "tracing"))]
    fn the_header_is_48_bytes_and_a_small_task_cell_stays_under_two_cache_lines() {
        use super::Cell;
        assert_eq!(std::mem::size_of::<Header>(), 48);
        type Sched = std::sync::Arc<crate::engine::scheduler::multi_thread::Handle>;
        let small = async {};
        fn cell_size<F: std::future::Future>(_: &F) -> usize {
            std::mem::size_of::<Cell<F, Sched>>()
        }
        let size = cell_size(&small);
        assert!(size <= 128, "a cell for `async {{}}` is {size} bytes");
        eprintln!("cell of `async {{}}` on the multi-thread scheduler: {size} bytes");
    }

    #[test]
    #[cfg(feature = "tracing")]
    fn with_tracing_the_header_adds_only_the_span_id() {
        assert_eq!(
            std::mem::size_of::<Header>(),
            48 + std::mem::size_of::<super::super::instrument::TaskTraceId>()
        );
    }
}
