//! The task side of the `tracing` feature: a span per task and an event per waker operation,
//! in the shape `console-subscriber` reads, so `tokio-console` can show the runtime's tasks.
//!
//! | what | `tracing` shape |
//! |---|---|
//! | a spawned task | span `runtime.spawn` (target `runtime::task`, no parent) with `kind` (`task` or `blocking`), `task.name`, `task.id`, `loc.file`, `loc.line`, `loc.col` |
//! | a poll | the task's span entered around the future's `poll` (the console times polls by it) |
//! | a waker operation | event at target `runtime::waker` with `op` (`waker.clone`, `waker.wake`, `waker.wake_by_ref`, `waker.drop`) and `task.id` = the task span's id |
//!
//! The span lives with the future ([`Traced`]): it is entered around every poll and closed
//! when the future is dropped (completion, cancellation), which is when the console marks the
//! task done. The header keeps only the span's id ([`TaskTraceId`]) for the waker events,
//! whose vtable sees nothing but the header.
//!
//! Without the feature every item here is a zero-sized type or an empty `#[inline(always)]`
//! function: the task cell and the spawn, poll and wake paths compile to what they were.

use super::Id;
use std::panic::Location;

/// The task span's id, kept in the task header for the waker events (zero-sized without the
/// feature).
#[derive(Clone, Default)]
pub(crate) struct TaskTraceId {
    #[cfg(feature = "tracing")]
    id: Option<tracing::Id>,
}

/// What a spawn hook hands back: the future to store in the cell and the id for the header.
#[cfg(feature = "tracing")]
pub(crate) type Instrumented<F> = (Traced<F>, TaskTraceId);
#[cfg(not(feature = "tracing"))]
pub(crate) type Instrumented<F> = (F, TaskTraceId);

/// The spawn hook: wraps `future` in the span of a new task of `kind` (`"task"` or
/// `"blocking"`). Without the feature, returns `future` unchanged.
#[cfg(feature = "tracing")]
pub(crate) fn instrument<F>(
    future: F,
    kind: &'static str,
    name: Option<&str>,
    id: Id,
    location: &'static Location<'static>,
) -> Instrumented<F> {
    let span = tracing::trace_span!(
        target: "runtime::task",
        parent: None,
        "runtime.spawn",
        kind = %kind,
        task.name = %name.unwrap_or_default(),
        task.id = id.as_u64(),
        loc.file = location.file(),
        loc.line = location.line(),
        loc.col = location.column(),
    );
    let trace_id = TaskTraceId { id: span.id() };
    (
        Traced {
            inner: future,
            span,
        },
        trace_id,
    )
}

/// The spawn hook without the feature: nothing.
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn instrument<F>(
    future: F,
    _kind: &'static str,
    _name: Option<&str>,
    _id: Id,
    _location: &'static Location<'static>,
) -> Instrumented<F> {
    (future, TaskTraceId::default())
}

#[cfg(feature = "tracing")]
pin_project_lite::pin_project! {
    /// A task's future with its span: the span is entered around every poll and closed when
    /// the future is dropped.
    pub(crate) struct Traced<F> {
        // Declared first so it is dropped first, while the span is still open.
        #[pin]
        inner: F,
        span: tracing::Span,
    }
}

#[cfg(feature = "tracing")]
impl<F: std::future::Future> std::future::Future for Traced<F> {
    type Output = F::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        this.inner.poll(cx)
    }
}

/// A self-wake that `current_poll` absorbed without calling the waker (`yield_now`, a spent
/// coop budget): reported as the `waker.wake_by_ref` it stands for. Without the feature:
/// nothing.
#[inline(always)]
pub(crate) fn self_wake(waker: &std::task::Waker) {
    #[cfg(feature = "tracing")]
    {
        // SAFETY: the caller saw that `waker` is a task waker of the task being polled on this
        // thread, whose data pointer is its header (C1) and whose poller holds a reference
        // (R2), so the header is alive for this read.
        let header = unsafe { &*waker.data().cast::<super::raw::Header>() };
        waker_op(&header.trace, "waker.wake_by_ref");
    }
    #[cfg(not(feature = "tracing"))]
    let _ = waker;
}

/// A waker operation on the task whose header holds `trace` (`op` is one of the four names
/// the console reads). Without the feature: nothing.
#[inline(always)]
pub(crate) fn waker_op(trace: &TaskTraceId, op: &'static str) {
    #[cfg(feature = "tracing")]
    if let Some(id) = &trace.id {
        tracing::trace!(target: "runtime::waker", op = op, task.id = id.into_u64());
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (trace, op);
}
