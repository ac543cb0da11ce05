//! Task identifiers.

use std::fmt;
use std::num::NonZeroU64;

/// An opaque, process-unique identifier of a task.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let a = runtime::spawn(async { runtime::task::id() });
///     let b = runtime::spawn(async {});
///     let (a_id, b_id) = (a.id(), b.id());
///     assert_ne!(a_id, b_id);
///     assert_eq!(a.await.unwrap(), a_id);
/// });
/// ```
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        // A process-global counter; deliberately `std`'s atomic even under loom, since ids are
        // not part of any modelled protocol.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("task id counter wrapped"))
    }

    pub(crate) fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

crate::loom::rt_thread_local! {
    static CURRENT_TASK: std::cell::Cell<Option<Id>> = std::cell::Cell::new(None);
}

/// Runs `f` with `id` recorded as the task being polled on this thread.
pub(crate) fn with_current<R>(id: Id, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Id>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CURRENT_TASK.try_with(|c| c.set(self.0));
        }
    }
    let previous = CURRENT_TASK
        .try_with(|c| c.replace(Some(id)))
        .unwrap_or(None);
    let _reset = Reset(previous);
    f()
}

/// The id of the task being polled.
///
/// # Panics
/// Outside a task (for example directly in `block_on`), use [`try_id`] instead.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = runtime::spawn(async { runtime::task::id() });
///     let expected = handle.id();
///     assert_eq!(handle.await.unwrap(), expected);
/// });
/// ```
pub fn id() -> Id {
    try_id().expect("runtime::task::id() called outside a spawned task")
}

/// The id of the task being polled, or `None` outside a task.
///
/// ```
/// assert_eq!(runtime::task::try_id(), None);
/// ```
pub fn try_id() -> Option<Id> {
    CURRENT_TASK.try_with(std::cell::Cell::get).unwrap_or(None)
}
