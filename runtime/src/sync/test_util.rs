//! Test helpers for `sync`: a waker that counts its wakeups, hand polling, and a tiny
//! thread-parking `block_on` for multi-threaded tests that must not depend on the scheduler.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// Counts how many times any clone of its waker was woken.
#[derive(Debug, Default)]
pub(crate) struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A fresh counter and a waker feeding it.
    pub(crate) fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub(crate) fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// A pinned, boxed future with a counting waker, for "poll k times, drop" tests.
pub(crate) struct Harness<'a, T> {
    pub(crate) fut: Pin<Box<dyn Future<Output = T> + 'a>>,
    pub(crate) counter: Arc<CountingWaker>,
    waker: Waker,
}

impl<'a, T> Harness<'a, T> {
    pub(crate) fn new(fut: impl Future<Output = T> + 'a) -> Self {
        let (counter, waker) = CountingWaker::new();
        Self {
            fut: Box::pin(fut),
            counter,
            waker,
        }
    }

    pub(crate) fn poll(&mut self) -> Poll<T> {
        self.fut
            .as_mut()
            .poll(&mut Context::from_waker(&self.waker))
    }

    pub(crate) fn wakes(&self) -> usize {
        self.counter.wakes()
    }

    /// Polls and insists on `Ready`.
    #[track_caller]
    pub(crate) fn ready(&mut self) -> T {
        match self.poll() {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("future unexpectedly pending"),
        }
    }

    /// Polls and insists on `Pending`.
    #[track_caller]
    pub(crate) fn pending(&mut self) {
        assert!(self.poll().is_pending(), "future unexpectedly ready");
    }
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `fut` to completion on the current thread, parking between polls.
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        thread::park();
    }
}

/// Iteration counts shrink under miri, which is ~1000x slower.
pub(crate) const fn iters(n: usize) -> usize {
    if cfg!(miri) { n / 100 + 1 } else { n }
}
