//! The poll in progress on this thread: which task (its id and header), and whether it woke
//! itself meanwhile. One thread-local, set and restored around every task poll.
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

use super::Id;
use super::raw::Header;
use std::cell::Cell;
use std::ptr::NonNull;
use std::task::Waker;

/// Low bit of [`Polling::header`]: the task being polled asked to be polled again.
const WOKE_SELF: usize = 1;

#[derive(Clone, Copy)]
struct Polling {
    /// Address of the polled task's header (0: none), plus [`WOKE_SELF`].
    header: usize,
    id: Option<Id>,
}

const NONE: Polling = Polling {
    header: 0,
    id: None,
};

crate::loom::rt_thread_local! {
    static POLLING: Cell<Polling> = Cell::new(NONE);
}

/// Runs `poll` as the poll of task `id` at `header`; returns its result and whether the task
/// woke itself (through [`wake_by_ref`]) meanwhile.
pub(crate) fn polling<R>(header: NonNull<Header>, id: Id, poll: impl FnOnce() -> R) -> (R, bool) {
    struct Restore(Polling);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = POLLING.try_with(|cell| cell.set(self.0));
        }
    }
    let address = header.as_ptr() as usize;
    debug_assert_eq!(address & WOKE_SELF, 0, "task headers are aligned");
    let now = Polling {
        header: address,
        id: Some(id),
    };
    let previous = POLLING.try_with(|cell| cell.replace(now)).unwrap_or(NONE);
    // Restores `previous` if `poll` unwinds; on return, the one `replace` below does it.
    let restore = Restore(previous);
    let output = poll();
    std::mem::forget(restore);
    let woke_self = POLLING
        .try_with(|cell| cell.replace(previous).header == address | WOKE_SELF)
        .unwrap_or(false);
    (output, woke_self)
}

/// Runs `f` as task `id` without polling it: the runtime dropping a task's future or output
/// (cancellation, completion, a `JoinHandle` dropping the output), so that `task::id()` in
/// their destructors answers `id`. No self-wake mark can be taken meanwhile (header 0 is no
/// task's), and the previous state comes back afterwards, also on unwind.
pub(crate) fn with_task_id<R>(id: Id, f: impl FnOnce() -> R) -> R {
    struct Restore(Polling);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = POLLING.try_with(|cell| cell.set(self.0));
        }
    }
    let now = Polling {
        header: 0,
        id: Some(id),
    };
    let _restore = Restore(POLLING.try_with(|cell| cell.replace(now)).unwrap_or(NONE));
    f()
}

/// The id of the task being polled on this thread, if any.
pub(crate) fn id() -> Option<Id> {
    POLLING.try_with(|cell| cell.get().id).unwrap_or(None)
}

/// The name of the task being polled on this thread: `None` outside a poll (also in the
/// destructors the runtime runs with [`with_task_id`], which records no header) or when the
/// task has no name.
pub(crate) fn name() -> Option<String> {
    let header = POLLING.try_with(|cell| cell.get().header).unwrap_or(0) & !WOKE_SELF;
    let header = NonNull::new(header as *mut Header)?;
    // SAFETY: a non-zero header is the task this thread is polling right now: its poller owns
    // a reference until `polling` returns (R2), so the header is alive, and its name is
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
            let mut polling = cell.get();
            let hit = polling.header & !WOKE_SELF == address;
            if hit {
                polling.header = address | WOKE_SELF;
                cell.set(polling);
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
