//! Trace mode: what a task dump's re-poll of an idle task records.
//!
//! A dump claims an idle task (`State::transition_to_traced`) and polls it once with the coop
//! budget at zero and this module's recorder switched on. Every runtime leaf asks the budget
//! first (`coop::poll_proceed`); with the budget spent and the recorder on, the leaf records
//! itself ([`leaf`]: its kind and `Location::caller()`) and returns `Pending` without touching
//! its resource: no registration, no consumption. Runtime combinators (`timeout`) record a
//! [`Frame`] around their inner poll ([`frame`]), so the recorded list, with depths, is the
//! tree of runtime awaits down to every leaf the task waits on (all branches of a `select!`
//! or `join!`, since each branch's leaf answers `Pending`).
//!
//! The normal path pays nothing for this: the recorder is consulted only when the budget is
//! already spent (a cold branch), and by combinators and named leaves on their own polls.
//!
//! Locations: a leaf whose `poll` is `#[track_caller]` all the way from the user's `.await`
//! (sleep, `JoinHandle`, oneshot, `Notify`, `timeout`) reports the user's `.await`. A leaf
//! reached through an `async fn` of the runtime reports a location inside the runtime, unless
//! the `async fn` is wrapped in a [`Located`] future that captured its caller (mpsc `recv`,
//! `Mutex::lock`), which relabels the leaf with the user's call site.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One line of a task's trace: a runtime future the task is awaiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub(crate) kind: &'static str,
    pub(crate) location: &'static Location<'static>,
    pub(crate) depth: usize,
    pub(crate) is_leaf: bool,
    /// The location came from a [`Located`] wrapper (the user's call site).
    pub(crate) relabelled: bool,
}

impl Frame {
    /// What the task awaits here, e.g. `"sleep"`, `"mpsc::Receiver::recv"`, `"timeout"`.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     runtime::spawn(runtime::time::sleep(std::time::Duration::from_secs(60)));
    ///     runtime::task::yield_now().await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let leaf = &dump.tasks()[0].trace()[0];
    ///     assert_eq!(leaf.kind(), "sleep");
    /// });
    /// ```
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Where it is awaited: the user's `.await` (or call) for the leaves and combinators that
    /// track their caller, otherwise the runtime's own source line.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     runtime::spawn(async {
    ///         runtime::time::sleep(std::time::Duration::from_secs(60)).await;
    ///     });
    ///     runtime::task::yield_now().await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let at = dump.tasks()[0].trace()[0].location();
    ///     assert_eq!((at.file(), at.line()), (file!(), line!() - 5));
    /// });
    /// ```
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// Nesting depth: 0 for what the task's future awaits directly, 1 inside a combinator
    /// such as `timeout`, and so on.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let (_tx, rx) = runtime::sync::oneshot::channel::<()>();
    ///     runtime::spawn(runtime::time::timeout(std::time::Duration::from_secs(60), rx));
    ///     runtime::task::yield_now().await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let trace = dump.tasks()[0].trace();
    ///     assert_eq!((trace[0].kind(), trace[0].depth()), ("timeout", 0));
    ///     assert_eq!((trace[1].kind(), trace[1].depth()), ("oneshot::Receiver", 1));
    /// });
    /// ```
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Whether this is a leaf (a resource the task is parked on) rather than a combinator.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     runtime::spawn(runtime::time::sleep(std::time::Duration::from_secs(60)));
    ///     runtime::task::yield_now().await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     assert!(dump.tasks()[0].trace()[0].is_leaf());
    /// });
    /// ```
    pub fn is_leaf(&self) -> bool {
        self.is_leaf
    }
}

#[derive(Default)]
struct Recorder {
    frames: Vec<Frame>,
    depth: usize,
}

crate::loom::rt_thread_local! {
    static ACTIVE: Cell<bool> = Cell::new(false);
}

crate::loom::rt_thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder {
        frames: Vec::new(),
        depth: 0,
    });
}

/// Whether a dump's trace poll is running on this thread.
#[inline]
pub(crate) fn is_active() -> bool {
    ACTIVE.try_with(Cell::get).unwrap_or(false)
}

/// Runs `f` (a trace poll) with the recorder on; returns its result and what was recorded.
/// Nested use (a traced task taking a dump itself) keeps the outer recording intact.
pub(crate) fn record<R>(f: impl FnOnce() -> R) -> (R, Vec<Frame>) {
    struct Restore(bool, Recorder);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = ACTIVE.try_with(|a| a.set(self.0));
            let outer = std::mem::take(&mut self.1);
            let _ = RECORDER.try_with(|r| *r.borrow_mut() = outer);
        }
    }
    let was_active = ACTIVE.try_with(|a| a.replace(true)).unwrap_or(false);
    let outer = RECORDER
        .try_with(|r| std::mem::take(&mut *r.borrow_mut()))
        .unwrap_or_default();
    let restore = Restore(was_active, outer);
    let out = f();
    let frames = RECORDER
        .try_with(|r| std::mem::take(&mut r.borrow_mut().frames))
        .unwrap_or_default();
    drop(restore);
    (out, frames)
}

/// Records a leaf at the current depth (called by `coop::poll_proceed` in trace mode).
pub(crate) fn leaf(kind: &'static str, location: &'static Location<'static>) {
    push(kind, location, true);
}

fn push(kind: &'static str, location: &'static Location<'static>, is_leaf: bool) {
    let _ = RECORDER.try_with(|r| {
        let mut r = r.borrow_mut();
        let depth = r.depth;
        r.frames.push(Frame {
            kind,
            location,
            depth,
            is_leaf,
            relabelled: false,
        });
    });
}

/// Ends a combinator's frame when dropped.
pub(crate) struct FrameGuard(());

impl Drop for FrameGuard {
    fn drop(&mut self) {
        let _ = RECORDER.try_with(|r| {
            let mut r = r.borrow_mut();
            r.depth = r.depth.saturating_sub(1);
        });
    }
}

/// In trace mode, records a combinator frame and nests what its inner poll records under it
/// until the guard drops; outside trace mode, one thread-local read.
#[inline]
pub(crate) fn frame(
    kind: &'static str,
    location: &'static Location<'static>,
) -> Option<FrameGuard> {
    if !is_active() {
        return None;
    }
    push(kind, location, false);
    let _ = RECORDER.try_with(|r| r.borrow_mut().depth += 1);
    Some(FrameGuard(()))
}

pin_project_lite::pin_project! {
    /// A runtime `async fn` leaf that remembers where it was called, so a dump shows the
    /// user's line instead of the runtime's (the `async fn` itself cannot be
    /// `#[track_caller]`).
    ///
    /// Costs nothing on a `Ready` poll and one thread-local read on a `Pending` one.
    pub(crate) struct Located<F> {
        kind: &'static str,
        location: &'static Location<'static>,
        #[pin]
        future: F,
    }
}

impl<F> Located<F> {
    #[track_caller]
    pub(crate) fn new(kind: &'static str, future: F) -> Located<F> {
        Located {
            kind,
            location: Location::caller(),
            future,
        }
    }
}

impl<F: Future> Future for Located<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let polled = this.future.poll(cx);
        if polled.is_pending() && is_active() {
            relabel_last_leaf(this.kind, this.location);
        }
        polled
    }
}

/// Gives the last recorded leaf, if no wrapper has claimed it yet, the kind and location of
/// the wrapper around it.
fn relabel_last_leaf(kind: &'static str, location: &'static Location<'static>) {
    let _ = RECORDER.try_with(|r| {
        let mut r = r.borrow_mut();
        if let Some(last) = r.frames.last_mut()
            && last.is_leaf
            && !last.relabelled
        {
            last.kind = kind;
            last.location = location;
            last.relabelled = true;
        }
    });
}
