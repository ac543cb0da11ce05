//! Helpers shared by the `macros_*` tests: a minimal executor and instrumented futures, so the
//! combinators can be checked poll by poll.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// Wakes by unparking the thread that blocks.
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread, without any runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

/// Polls once with a waker that does nothing.
pub fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Counters shared between a test and its [`Probe`]s.
#[derive(Default, Debug)]
pub struct Stats {
    pub polls: AtomicUsize,
    pub drops: AtomicUsize,
}

impl Stats {
    pub fn polls(&self) -> usize {
        self.polls.load(Ordering::SeqCst)
    }
    pub fn drops(&self) -> usize {
        self.drops.load(Ordering::SeqCst)
    }
}

/// An ordered record of which probe was polled.
pub type Log = Arc<Mutex<Vec<&'static str>>>;

/// A future that is `Pending` (waking itself) a set number of times, then yields its value;
/// it counts polls and drops and writes its name to an optional log on every poll.
pub struct Probe<T> {
    name: &'static str,
    pending_left: usize,
    value: Option<T>,
    stats: Arc<Stats>,
    log: Option<Log>,
}

impl<T: Unpin> Probe<T> {
    pub fn new(pending: usize, value: T, stats: &Arc<Stats>) -> Self {
        Probe {
            name: "",
            pending_left: pending,
            value: Some(value),
            stats: stats.clone(),
            log: None,
        }
    }

    pub fn logged(name: &'static str, pending: usize, value: T, log: &Log) -> Self {
        Probe {
            name,
            pending_left: pending,
            value: Some(value),
            stats: Arc::default(),
            log: Some(log.clone()),
        }
    }

    /// Never completes.
    pub fn forever(value: T, stats: &Arc<Stats>) -> Self {
        Self::new(usize::MAX, value, stats)
    }
}

impl<T: Unpin> Future for Probe<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.stats.polls.fetch_add(1, Ordering::SeqCst);
        if let Some(log) = &self.log {
            log.lock().unwrap().push(self.name);
        }
        if self.pending_left > 0 {
            self.pending_left -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.value.take().expect("Probe polled after completion"))
    }
}

impl<T> Drop for Probe<T> {
    fn drop(&mut self) {
        self.stats.drops.fetch_add(1, Ordering::SeqCst);
    }
}
