//! The resource side of the `tracing` feature: what a timer or a sync primitive emits so that
//! `tokio-console` lists it as a resource.
//!
//! | what | `tracing` shape |
//! |---|---|
//! | the resource | span `runtime.resource` (no parent) with `concrete_type` (`Sleep`, `Mutex`, ...), `kind` (`timer`, `Sync`), `loc.file`, `loc.line`, `loc.col`: where it was created |
//! | its state | event at target `runtime::resource::state_update`, inside the resource span, with the attribute (`duration`, `locked`, `permits`, ...) and `<attribute>.op` (`override`, `add`, `sub`) and, if any, `<attribute>.unit` |
//! | an operation on it | span `runtime.resource.async_op` (`source`: the method) created inside the resource span, with a child `runtime.resource.async_op.poll` span |
//! | a poll of the operation | the three spans entered, then an event at target `runtime::resource::poll_op` with `op_name` and `is_ready` |
//!
//! Without the feature [`Resource`] and [`AsyncOp`] are zero-sized and every method is an
//! empty `#[inline(always)]` function.

use std::future::Future;
use std::task::Poll;

/// A `tracing` span that keeps the types holding it unwind-safe: a span is an identifier
/// handed to the subscriber, and a panic cannot leave it half-updated for anyone to observe
/// (the subscriber guards its own state), so `Mutex`, `Semaphore`, `Sleep`, ... stay
/// `UnwindSafe` and `RefUnwindSafe` with the feature on, as they are without it.
#[cfg(feature = "tracing")]
#[derive(Clone, Debug)]
struct Span(tracing::Span);

#[cfg(feature = "tracing")]
impl std::panic::UnwindSafe for Span {}
#[cfg(feature = "tracing")]
impl std::panic::RefUnwindSafe for Span {}

/// A resource's span (zero-sized without the feature).
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    #[cfg(feature = "tracing")]
    span: Span,
}

/// One operation on a resource (an acquire, a receive, a sleep): its spans, zero-sized
/// without the feature.
#[derive(Debug)]
pub(crate) struct AsyncOp {
    #[cfg(feature = "tracing")]
    resource: Span,
    #[cfg(feature = "tracing")]
    op: Span,
    #[cfg(feature = "tracing")]
    poll: Span,
}

/// One state attribute's change, as the console reads it.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) enum Update {
    /// The attribute is now this.
    Set,
    /// The attribute grew by this.
    Add,
    /// The attribute shrank by this.
    Sub,
}

impl Update {
    #[cfg(feature = "tracing")]
    fn as_str(self) -> &'static str {
        match self {
            Update::Set => "override",
            Update::Add => "add",
            Update::Sub => "sub",
        }
    }
}

impl Resource {
    /// A new resource of `concrete_type` and `kind` created at the caller's location.
    #[cfg(feature = "tracing")]
    #[track_caller]
    pub(crate) fn new(concrete_type: &'static str, kind: &'static str) -> Resource {
        let location = std::panic::Location::caller();
        Resource {
            span: Span(tracing::trace_span!(
                parent: None,
                "runtime.resource",
                concrete_type = concrete_type,
                kind = kind,
                loc.file = location.file(),
                loc.line = location.line(),
                loc.col = location.column(),
            )),
        }
    }

    /// Nothing without the feature.
    #[cfg(not(feature = "tracing"))]
    #[inline(always)]
    pub(crate) fn new(_concrete_type: &'static str, _kind: &'static str) -> Resource {
        Resource {}
    }

    /// A resource that reports nothing, buildable in `const` (the `const_new`
    /// constructors; Tokio's give no resource span either). Not under loom, which has no
    /// `const` constructors.
    #[cfg(not(loom))]
    pub(crate) const fn none() -> Resource {
        Resource {
            #[cfg(feature = "tracing")]
            span: Span(tracing::Span::none()),
        }
    }

    /// A state update of a numeric attribute (`attribute` is the field name the console shows,
    /// `unit` e.g. `"ms"` or `""`).
    #[inline(always)]
    pub(crate) fn update_u64(&self, attribute: Attribute, value: u64, op: Update) {
        #[cfg(feature = "tracing")]
        self.span.0.in_scope(|| attribute.emit_u64(value, op));
        #[cfg(not(feature = "tracing"))]
        let _ = (attribute, value, op);
    }

    /// A state update of a boolean attribute.
    #[inline(always)]
    pub(crate) fn update_bool(&self, attribute: Attribute, value: bool) {
        #[cfg(feature = "tracing")]
        self.span.0.in_scope(|| attribute.emit_bool(value));
        #[cfg(not(feature = "tracing"))]
        let _ = (attribute, value);
    }

    /// A new operation (`source`: the method, e.g. `"Mutex::lock"`) on this resource.
    #[inline(always)]
    pub(crate) fn async_op(&self, source: &'static str) -> AsyncOp {
        #[cfg(feature = "tracing")]
        {
            // Created while the resource span is entered: the console files an operation
            // under the resource entered when it is created.
            let _resource = self.span.0.enter();
            let op = tracing::trace_span!("runtime.resource.async_op", source = source);
            let poll = {
                let _op = op.enter();
                tracing::trace_span!("runtime.resource.async_op.poll")
            };
            AsyncOp {
                resource: self.span.clone(),
                op: Span(op),
                poll: Span(poll),
            }
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = source;
            AsyncOp {}
        }
    }
}

/// Runs `future` as an operation `source` on `resource`, each poll reported as `op_name`.
/// Without the feature, `future` itself.
#[cfg(feature = "tracing")]
pub(crate) fn instrument_op<F: Future>(
    resource: &Resource,
    source: &'static str,
    op_name: &'static str,
    future: F,
) -> impl Future<Output = F::Output> + use<F> {
    let op = resource.async_op(source);
    async move {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| op.poll(op_name, || future.as_mut().poll(cx))).await
    }
}

/// Without the feature: `future` itself.
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub(crate) fn instrument_op<F: Future>(
    _resource: &Resource,
    _source: &'static str,
    _op_name: &'static str,
    future: F,
) -> F {
    future
}

impl AsyncOp {
    /// Runs one poll of the operation inside its spans and reports its readiness as
    /// `op_name` (e.g. `"poll_elapsed"`, `"poll_acquire"`).
    #[inline(always)]
    pub(crate) fn poll<T>(&self, op_name: &'static str, poll: impl FnOnce() -> Poll<T>) -> Poll<T> {
        #[cfg(feature = "tracing")]
        {
            let _resource = self.resource.0.enter();
            let _op = self.op.0.enter();
            let _poll = self.poll.0.enter();
            let polled = poll();
            tracing::trace!(
                target: "runtime::resource::poll_op",
                op_name = op_name,
                is_ready = polled.is_ready(),
            );
            polled
        }
        #[cfg(not(feature = "tracing"))]
        {
            let _ = op_name;
            poll()
        }
    }
}

/// The state attributes the runtime's resources report, each with its field names (the
/// `tracing` macros need the names at compile time).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) enum Attribute {
    /// A timer's duration, in milliseconds.
    Duration,
    /// A lock is held.
    Locked,
    /// A semaphore's available permits.
    Permits,
    /// An `RwLock`'s readers.
    CurrentReaders,
    /// An `RwLock`'s most readers at once.
    MaxReaders,
    /// An `RwLock` is write-locked.
    WriteLocked,
    /// A oneshot's value was sent.
    ValueSent,
    /// A oneshot's value was received.
    ValueReceived,
    /// A oneshot's sender is gone.
    TxDropped,
    /// A oneshot's receiver is gone.
    RxDropped,
}

#[cfg(feature = "tracing")]
impl Attribute {
    fn emit_u64(self, value: u64, op: Update) {
        let op = op.as_str();
        match self {
            Attribute::Duration => tracing::trace!(
                target: "runtime::resource::state_update",
                duration = value,
                duration.unit = "ms",
                duration.op = op,
            ),
            Attribute::Permits => tracing::trace!(
                target: "runtime::resource::state_update",
                permits = value,
                permits.op = op,
            ),
            Attribute::CurrentReaders => tracing::trace!(
                target: "runtime::resource::state_update",
                current_readers = value,
                current_readers.op = op,
            ),
            Attribute::MaxReaders => tracing::trace!(
                target: "runtime::resource::state_update",
                max_readers = value,
                max_readers.op = op,
            ),
            other => other.emit_bool(value != 0),
        }
    }

    fn emit_bool(self, value: bool) {
        macro_rules! set {
            ($field:ident) => {
                tracing::trace!(
                    target: "runtime::resource::state_update",
                    $field = value,
                    $field.op = "override",
                )
            };
        }
        match self {
            Attribute::Locked => set!(locked),
            Attribute::WriteLocked => set!(write_locked),
            Attribute::ValueSent => set!(value_sent),
            Attribute::ValueReceived => set!(value_received),
            Attribute::TxDropped => set!(tx_dropped),
            Attribute::RxDropped => set!(rx_dropped),
            other => other.emit_u64(u64::from(value), Update::Set),
        }
    }
}
