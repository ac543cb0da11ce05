//! Blocking a plain thread on a `sync` future: the engine of the `blocking_*` methods
//! (`mpsc::Sender::blocking_send`, `oneshot::Receiver::blocking_recv`, ...), which let
//! synchronous code talk to async code.

use crate::park::ParkThread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

/// Runs `future` to completion on this thread, parking between polls.
///
/// # Panics
/// On a thread that drives a runtime (a worker, or inside `block_on`): blocking there would
/// stall every task it runs, as in Tokio. `what` names the method for the message.
#[track_caller]
pub(crate) fn block_on<F: Future>(what: &str, future: F) -> F::Output {
    if crate::engine::is_in_runtime() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called on a \
             thread that drives asynchronous tasks. Use the async method with `.await`, or \
             call it from `spawn_blocking` or a thread outside the runtime."
        );
    }
    let park = ParkThread::new();
    let waker = park.waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        park.park();
    }
}
