//! A loom-visible one-shot gate: a future that completes once another thread opens it.

use loom::sync::{Arc, Mutex};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct Inner {
    open: bool,
    waker: Option<Waker>,
}

/// The side that opens the gate.
pub struct Opener(Arc<Mutex<Inner>>);

/// The future that waits for the gate.
pub struct Gate(Arc<Mutex<Inner>>);

/// A connected opener/gate pair.
pub fn gate() -> (Opener, Gate) {
    let inner = Arc::new(Mutex::new(Inner::default()));
    (Opener(inner.clone()), Gate(inner))
}

impl Opener {
    /// Opens the gate and wakes the waiting task, if any (outside the lock).
    pub fn open(self) {
        let waker = {
            let mut inner = self.0.lock().unwrap();
            inner.open = true;
            inner.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.0.lock().unwrap();
        if inner.open {
            Poll::Ready(())
        } else {
            inner.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}
