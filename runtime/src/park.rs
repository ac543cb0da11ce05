//! Thread parking: block a thread until it is unparked or a timeout passes, with no lost
//! wake-up.
//!
//! State word: `EMPTY`, `PARKED`, `NOTIFIED`. `unpark` always *swaps* in `NOTIFIED` (so every
//! unpark is a release that the parker acquires), and if the parker was `PARKED` it takes and
//! drops the mutex before signalling the condvar: the parker sets `PARKED` while holding the
//! mutex, so the signal cannot fall between "decided to wait" and "waiting". `park` consumes a
//! `NOTIFIED` without sleeping. Spurious condvar wake-ups loop back to waiting.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex};
use std::task::Waker;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The parking side; one per blocked thread.
#[derive(Debug)]
pub(crate) struct ParkThread {
    inner: Arc<Inner>,
}

/// The waking side; cheap to clone and usable from any thread.
#[cfg_attr(not(loom), allow(dead_code))] // only the loom stand-in in driver/io.rs uses it
#[derive(Clone, Debug)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
}

impl ParkThread {
    pub(crate) fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    #[cfg_attr(not(loom), allow(dead_code))] // only the loom stand-in in driver/io.rs uses it
    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// A waker that unparks this thread.
    pub(crate) fn waker(&self) -> Waker {
        crate::util::arc_waker::waker(self.inner.clone())
    }

    /// Blocks until unparked (returns at once if an unpark already happened).
    pub(crate) fn park(&self) {
        self.inner.park(None);
    }

    /// Blocks until unparked or `timeout` passed.
    pub(crate) fn park_timeout(&self, timeout: Duration) {
        self.inner.park(Some(timeout));
    }
}

#[cfg_attr(not(loom), allow(dead_code))] // only the loom stand-in in driver/io.rs uses it
impl Unparker {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        // Fast path: consume a pending notification.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.lock.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Swap (not store) so we synchronise with the latest unparker.
                let old = self.state.swap(EMPTY, Ordering::SeqCst);
                debug_assert_eq!(old, NOTIFIED);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
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
                // Give up the PARKED state; an unpark racing with this leaves NOTIFIED for the
                // next park, which is harmless.
                let _ = self.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
            // Spurious wake-up: keep waiting.
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, Ordering::SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // The parker holds the lock from setting PARKED until it waits; taking it here
                // means our signal cannot be missed.
                drop(self.lock.lock());
                self.condvar.notify_one();
            }
            actual => panic!("inconsistent park state: {actual}"),
        }
    }
}

impl crate::util::arc_waker::ArcWake for Inner {
    fn wake_by_ref(&self) {
        self.unpark();
    }
}
