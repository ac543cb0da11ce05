//! The worker parker: sleep on the shared driver if it is free, else on an own condvar.
//!
//! State word: `EMPTY`, `PARKED_CONDVAR`, `PARKED_DRIVER`, `NOTIFIED`. The first worker to
//! park that wins the driver's try-lock blocks *in the driver* (so it polls I/O and fires
//! timers while idle); the others wait on their condvar. `unpark` always swaps in `NOTIFIED`
//! and then, depending on what it replaced, signals the condvar (after taking and dropping
//! the mutex, closing the set-state-then-wait window) or interrupts the driver.
//!
//! A zero-timeout park (the run loop's maintenance poll) is not a sleep: it polls the driver
//! if it is free and leaves the state word alone. A pending `NOTIFIED` therefore survives it
//! and makes the next real park return at once (the worker is awake and re-checks its queues
//! anyway), and an `unpark` during the poll only swaps in `NOTIFIED` (no driver interrupt, so
//! no wasted `eventfd` write and no spurious event on the next turn). Consuming the
//! notification there instead skipped the reactor poll whenever one was pending (a busy
//! worker that had raced with a notifier left ready I/O for a later poll), and a poll that
//! went ahead advertised `PARKED_DRIVER`, so a concurrent `unpark` wrote the `eventfd`.

use crate::engine::driver::{Driver, DriverHandle};
use crate::engine::scheduler::watchdog::{PollRecord, Watch};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crossbeam_utils::CachePadded;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The driver shared by all workers of a runtime.
#[derive(Debug)]
pub(crate) struct SharedDriver {
    pub(crate) driver: Mutex<Driver>,
    pub(crate) handle: DriverHandle,
}

/// The parking side of one worker. Its state sits on a cache line of its own: other workers
/// swap it on every unpark, and sharing a line with whatever the allocator put next to it
/// cost `yield_many` 40 % in a build without the watchdog thread (session 14).
#[derive(Debug)]
pub(crate) struct Parker {
    inner: Arc<CachePadded<Inner>>,
}

/// The waking side of one worker.
#[derive(Clone, Debug)]
pub(crate) struct Unparker {
    inner: Arc<CachePadded<Inner>>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    shared: Arc<SharedDriver>,
    /// This worker's poll record: a park in the driver says so there (watchdog rule W4).
    record: Arc<CachePadded<PollRecord>>,
    watch: Arc<Watch>,
}

impl Parker {
    /// The parker of the worker whose poll record is `record` (one of `watch`'s).
    pub(crate) fn new(
        shared: Arc<SharedDriver>,
        record: Arc<CachePadded<PollRecord>>,
        watch: Arc<Watch>,
    ) -> Parker {
        Parker {
            inner: Arc::new(CachePadded::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
                shared,
                record,
                watch,
            })),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked.
    pub(crate) fn park(&mut self) {
        self.inner.park(None);
    }

    /// Sleeps until unparked or `timeout`; a zero timeout only polls the driver, if free, and
    /// neither consumes nor needs a notification (see the module docs).
    pub(crate) fn park_timeout(&mut self, timeout: Duration) {
        if timeout.is_zero() {
            self.inner.poll_driver();
        } else {
            self.inner.park(Some(timeout));
        }
    }

    /// Shuts the driver down (the last worker to stop does this).
    pub(crate) fn shutdown(&mut self) {
        let shared = &self.inner.shared;
        shared.driver.lock().shutdown(&shared.handle);
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    /// `timeout` is `None` or non-zero: zero-timeout polls go through [`Inner::poll_driver`].
    fn park(&self, timeout: Option<Duration>) {
        debug_assert_ne!(timeout, Some(Duration::ZERO));
        // Before blocking anywhere (the driver or the condvar): this worker's deferred ring
        // sockets' SQEs must reach the kernel, or their tasks would wait for another turn.
        self.shared.handle.flush_ring();
        if self.take_notification() {
            return;
        }
        // The worker's record says `PARKED` (the worker stored it before parking): the
        // watchdog learns which kind of park this is (its rule W4).
        if let Some(mut driver) = self.shared.driver.try_lock() {
            self.record.park_in_driver();
            self.park_driver(&mut driver, timeout);
        } else {
            self.watch.parked_off_driver();
            self.park_condvar(timeout);
        }
    }

    /// Consumes a pending notification, if any.
    fn take_notification(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// The maintenance poll: one non-blocking driver turn if no other worker holds the
    /// driver. The state word stays as it is: this thread never sleeps here, so nobody needs
    /// to interrupt it, and a notification that arrived stays for the next real park.
    fn poll_driver(&self) {
        if let Some(mut driver) = self.shared.driver.try_lock() {
            driver.park(&self.shared.handle, Some(Duration::ZERO));
        }
    }

    fn park_driver(&self, driver: &mut Driver, timeout: Option<Duration>) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent worker park state: {actual}"),
        }
        driver.park(&self.shared.handle, timeout);
        match self.state.swap(EMPTY, Ordering::SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent worker park state: {actual}"),
        }
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.lock.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent worker park state: {actual}"),
        }
        loop {
            let timed_out = match timeout {
                Some(timeout) => self.condvar.wait_timeout(&mut guard, timeout),
                None => {
                    self.condvar.wait(&mut guard);
                    false
                }
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
            if timed_out {
                self.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, Ordering::SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                drop(self.lock.lock());
                self.condvar.notify_one();
            }
            PARKED_DRIVER => self.shared.handle.unpark(),
            actual => panic!("inconsistent worker park state: {actual}"),
        }
    }
}
