//! The poll in progress on this thread: which task (its header, through which its id and name
//! are read: rule P1 below), and whether it woke itself meanwhile. One thread-local word, set
//! and restored around every task poll.
//!
//! **Self-wakes folded into the end of the poll.** A task that wakes itself during its own
//! poll (a yield, a spent coop budget) only sets a mark here, and the harness sets `NOTIFIED`
//! in the compare-and-swap that ends the poll (`State::transition_to_idle`). That is one locked
//! read-modify-write per yield fewer (`wake_by_ref` on a running task is a CAS on the state
//! word; on this project's 2-core machine a locked RMW costs about 5.5 ns, a third of the
//! runtime's own work per yield). The resulting state and queue position are the same as with
//! `wake_by_ref` (rule R3: the task is rescheduled as a yield).
//!
//! The mark is taken only when the waker in hand is a waker of the task this very thread is
//! polling right now (our vtable, that task's header): a combinator's waker, another
//! executor's waker inside this task, or another task's waker is woken the normal way.
//!
//! **Rule P1 (alive while set).** A non-zero word is only ever set by [`polling`] and
//! [`as_dropping_task`], whose callers hold a reference to the task (R2) for the whole call, and
//! both put the previous word back before they return, also on unwind. So the header a
//! non-zero word names is alive, and its id and name (immutable after allocation, C3) may be
//! read through it: [`id`] and [`name`] do, instead of keeping a copy of the id beside it.

use super::Id;
use super::raw::Header;
use std::cell::Cell;
use std::ptr::NonNull;
use std::task::Waker;

/// Low bit of the word: the task being polled asked to be polled again.
const WOKE_SELF: usize = 1;
/// Second bit: not a poll but the runtime dropping the task's future or output
/// ([`as_dropping_task`]): no self-wake mark can be taken, and the task has no name there.
const DROPPING: usize = 2;
const FLAGS: usize = WOKE_SELF | DROPPING;

crate::loom::rt_thread_local! {
    /// The address of the header of the task this thread is polling or dropping (0: none),
    /// plus [`FLAGS`]. One word, so setting and restoring it around a poll is one store each
    /// (rule P1 in the module docs).
    static POLLING: Cell<usize> = Cell::new(0);
}

/// The header named by the current word, if any (rule P1 keeps it alive while we read it).
fn current() -> Option<(NonNull<Header>, usize)> {
    let word = POLLING.try_with(Cell::get).unwrap_or(0);
    Some((NonNull::new((word & !FLAGS) as *mut Header)?, word & FLAGS))
}

/// Puts `word` back into [`POLLING`] when dropped (on unwind).
struct Restore(usize);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = POLLING.try_with(|cell| cell.set(self.0));
    }
}

/// Runs `poll` as the poll of the task at `header`; returns its result and whether the task
/// woke itself (through [`wake_by_ref`]) meanwhile. The caller holds a reference to the task
/// for the whole call (rule P1).
#[inline]
pub(crate) fn polling<R>(header: NonNull<Header>, poll: impl FnOnce() -> R) -> (R, bool) {
    let address = header.as_ptr() as usize;
    debug_assert_eq!(address & FLAGS, 0, "task headers are aligned");
    let previous = POLLING.try_with(|cell| cell.replace(address)).unwrap_or(0);
    // Restores `previous` if `poll` unwinds; on return, the one `replace` below does it.
    let restore = Restore(previous);
    let output = poll();
    std::mem::forget(restore);
    let woke_self = POLLING
        .try_with(|cell| cell.replace(previous) == address | WOKE_SELF)
        .unwrap_or(false);
    (output, woke_self)
}

/// Runs `f` as the task at `header` without polling it: the runtime dropping a task's future
/// or output (cancellation, completion, a `JoinHandle` dropping the output), so that
/// `task::id()` in their destructors answers the task's id. No self-wake mark can be taken
/// meanwhile ([`DROPPING`]), and the previous word comes back afterwards, also on unwind. The
/// caller holds a reference to the task for the whole call (rule P1).
pub(crate) fn as_dropping_task<R>(header: NonNull<Header>, f: impl FnOnce() -> R) -> R {
    let word = header.as_ptr() as usize | DROPPING;
    let _restore = Restore(POLLING.try_with(|cell| cell.replace(word)).unwrap_or(0));
    f()
}

/// The id of the task being polled (or dropped) on this thread, if any.
pub(crate) fn id() -> Option<Id> {
    let (header, _) = current()?;
    // SAFETY: rule P1: the header is alive while the word names it, and ids never change.
    Some(unsafe { header.as_ref() }.id())
}

/// The name of the task being polled on this thread: `None` outside a poll (also in the
/// destructors the runtime runs with [`as_dropping_task`]) or when the task has no name.
pub(crate) fn name() -> Option<String> {
    let (header, flags) = current()?;
    if flags & DROPPING != 0 {
        return None;
    }
    // SAFETY: rule P1: the header is alive while the word names it, and its name is
    // immutable after allocation (C3).
    unsafe { header.as_ref() }.name().map(str::to_owned)
}

/// `waker.wake_by_ref()`, or only the mark if `waker` belongs to the task being polled here.
#[inline]
pub(crate) fn wake_by_ref(waker: &Waker) {
    if !super::waker::is_task_waker(waker) || !mark(waker.data() as usize) {
        waker.wake_by_ref();
    } else {
        super::instrument::self_wake(waker);
    }
}

fn mark(address: usize) -> bool {
    POLLING
        .try_with(|cell| {
            // A word with `DROPPING` set never equals a bare address: no mark there.
            let hit = cell.get() & !WOKE_SELF == address;
            if hit {
                cell.set(address | WOKE_SELF);
            }
            hit
        })
        .unwrap_or(false)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use crate::sync::test_util::CountingWaker;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    #[test]
    fn a_yield_polled_with_a_foreign_waker_inside_a_task_still_wakes_that_waker() {
        // `yield_now` polled by a nested "executor" inside a task: the waker is not the task's,
        // so it must be woken for real (a mark would be lost and the inner poll would hang).
        let rt = crate::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let woken = rt
            .block_on(rt.spawn(async {
                let (counter, waker) = CountingWaker::new();
                let mut cx = Context::from_waker(&waker);
                let mut yielding = std::pin::pin!(crate::task::yield_now());
                assert!(yielding.as_mut().poll(&mut cx).is_pending());
                assert!(yielding.as_mut().poll(&mut cx).is_ready());
                counter.wakes()
            }))
            .unwrap();
        assert_eq!(woken, 1);
    }

    /// A combinator that passes the task's own waker through to its inner future, counting its
    /// own polls; resolves to that count once the inner future is done.
    struct PassThrough<F>(Pin<Box<F>>, u32);
    impl<F: Future<Output = ()>> Future for PassThrough<F> {
        type Output = u32;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            self.1 += 1;
            match self.0.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(self.1),
                Poll::Pending => Poll::Pending,
            }
        }
    }

    #[test]
    fn yields_through_a_combinator_that_passes_the_task_waker_repoll_the_task() {
        for flavor in [false, true] {
            let rt = if flavor {
                crate::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap()
            } else {
                crate::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .build()
                    .unwrap()
            };
            let polls = rt
                .block_on(rt.spawn(PassThrough(
                    Box::pin(async {
                        for _ in 0..5 {
                            crate::task::yield_now().await;
                        }
                    }),
                    0,
                )))
                .unwrap();
            assert_eq!(
                polls, 6,
                "five yields, six polls (current_thread: {flavor})"
            );
        }
    }
}
