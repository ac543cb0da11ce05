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

/// Ids a thread takes from the global counter at once. Any size keeps ids unique (every id comes
/// from one counter); 1024 makes the shared counter's atomic add, which showed up at 12% of the
/// inlined spawn path in the `spawn_many_local_1w` profile, a once-per-1024-spawns cost.
const ID_BLOCK: u64 = 1024;

/// The process-global counter. Deliberately `std`'s atomic even under loom, since ids are not
/// part of any modelled protocol.
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

crate::loom::rt_thread_local! {
    /// This thread's unused ids: `next..end`.
    static BLOCK: std::cell::Cell<(u64, u64)> = std::cell::Cell::new((0, 0));
}

impl Id {
    /// A fresh id: from this thread's block, taking a new block when it runs out (or straight
    /// from the counter during thread-local destruction).
    pub(crate) fn next() -> Id {
        let id = BLOCK
            .try_with(|block| {
                let (next, end) = block.get();
                if next < end {
                    block.set((next + 1, end));
                    return next;
                }
                let start = take(ID_BLOCK);
                block.set((start + 1, start + ID_BLOCK));
                start
            })
            .unwrap_or_else(|_| take(1));
        Id(NonZeroU64::new(id).expect("task id counter wrapped"))
    }

    pub(crate) fn as_u64(self) -> u64 {
        self.0.get()
    }

    /// The id whose [`Id::as_u64`] is `id` (`None` for 0, which no task has).
    #[cfg_attr(loom, allow(dead_code))] // the watchdog's; none under loom
    pub(crate) fn from_u64(id: u64) -> Option<Id> {
        NonZeroU64::new(id).map(Id)
    }
}

/// Reserves `n` ids from the global counter, returning the first.
fn take(n: u64) -> u64 {
    let start = NEXT.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    assert!(start.checked_add(n).is_some(), "task id counter wrapped");
    start
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of the task being polled.
///
/// Also answers in the destructors of a task's future and output, wherever the runtime (or a
/// dropped [`JoinHandle`](crate::task::JoinHandle)) drops them.
///
/// # Panics
/// Outside a task (for example directly in `block_on`), use [`try_id`] instead. The panic
/// points at the caller.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = runtime::spawn(async { runtime::task::id() });
///     let expected = handle.id();
///     assert_eq!(handle.await.unwrap(), expected);
/// });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("runtime::task::id() called outside a spawned task")
}

/// The id of the task being polled, or `None` outside a task.
///
/// ```
/// assert_eq!(runtime::task::try_id(), None);
/// ```
pub fn try_id() -> Option<Id> {
    super::current_poll::id()
}

/// The name of the task being polled, given with [`Builder::name`](crate::task::Builder::name).
///
/// `None` if the task has no name. Blocking tasks spawned with a name see it too.
///
/// # Panics
/// Outside a task, like [`id`]; [`try_name`] answers `None` there instead.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let named = runtime::task::Builder::new()
///         .name("worker 1")
///         .spawn(async { runtime::task::name() })
///         .unwrap();
///     assert_eq!(named.await.unwrap().as_deref(), Some("worker 1"));
///     let unnamed = runtime::spawn(async { runtime::task::name() });
///     assert_eq!(unnamed.await.unwrap(), None);
/// });
/// ```
#[track_caller]
pub fn name() -> Option<String> {
    if try_id().is_none() {
        panic!("runtime::task::name() called outside a spawned task");
    }
    super::current_poll::name()
}

/// The name of the task being polled, or `None` outside a task (or for an unnamed task).
///
/// In the destructors of a task's future and output, which the runtime may run outside a
/// poll, the answer is `None` even for a named task.
///
/// ```
/// assert_eq!(runtime::task::try_name(), None);
/// ```
pub fn try_name() -> Option<String> {
    super::current_poll::name()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_across_threads_and_blocks() {
        // More ids per thread than one block holds, so every thread refills at least twice.
        let per_thread = 2 * ID_BLOCK as usize + 5;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || (0..per_thread).map(|_| Id::next()).collect::<Vec<Id>>())
            })
            .collect();
        let mut all: Vec<Id> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect::<Vec<Id>>();
        let total = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), total, "an id was handed out twice");
    }
}
