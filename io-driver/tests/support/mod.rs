//! Shared test helpers: counting wakers, a thread-parking `block_on`, a driver thread, and a
//! bounded "turn until" loop so a missing event fails the test instead of hanging it.

#![allow(dead_code)] // Each test binary uses a different subset.

use io_driver::{Driver, Handle};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread};
use std::time::Duration;

/// A waker that counts its wakes; `Arc::strong_count` shows how many copies are stored.
pub struct Counter(AtomicUsize);

impl Counter {
    pub fn new() -> Arc<Counter> {
        Arc::new(Counter(AtomicUsize::new(0)))
    }

    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread, parking between polls.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

/// Turns `driver` (at most 100 ms per turn, at most 200 turns) until `done` holds.
pub fn turn_until(driver: &mut Driver, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        driver.turn(Some(Duration::from_millis(100))).expect("turn");
    }
    panic!("condition not reached after 200 turns");
}

/// A std thread turning a driver until stopped.
pub struct DriverThread {
    stop: Arc<AtomicBool>,
    handle: Handle,
    thread: Option<JoinHandle<Driver>>,
}

impl DriverThread {
    pub fn start() -> (DriverThread, Handle) {
        let (mut driver, handle) = Driver::new().expect("driver");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    driver.turn(None).expect("turn");
                }
                driver
            })
        };
        let this = DriverThread {
            stop,
            handle: handle.clone(),
            thread: Some(thread),
        };
        (this, handle)
    }

    /// Stops the thread and hands the driver back (not yet shut down).
    pub fn stop(mut self) -> Driver {
        self.stop_inner().expect("driver thread")
    }

    fn stop_inner(&mut self) -> Option<Driver> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.unpark();
        self.thread
            .take()
            .map(|thread| thread.join().expect("driver thread panicked"))
    }
}

impl Drop for DriverThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.unpark();
        if let Some(thread) = self.thread.take()
            && !thread::panicking()
        {
            thread.join().expect("driver thread panicked");
        }
    }
}
