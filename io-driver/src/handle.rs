//! [`Handle`]: the shareable side of the reactor — registering sources, interrupting a
//! blocking turn, shutting down, and the metrics counters.

use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::registration_set::RegistrationSet;
use crate::{Interest, Metrics, Registration};
use std::fmt;
use std::io;

/// Deferred releases queued before a registration's drop unparks the driver so it frees them.
/// Tokio's value (`NOTIFY_AFTER`); a churn benchmark (accept + drop in a loop on an otherwise
/// idle runtime) would justify changing it.
const RELEASE_UNPARK_THRESHOLD: usize = 16;

/// A cheap, cloneable reference to a reactor; `Send + Sync`.
///
/// Obtained from [`Driver::new`](crate::Driver::new). Registrations made through it are
/// dispatched by that driver's [`turn`](crate::Driver::turn).
///
/// # Examples
///
/// ```
/// use io_driver::{Driver, Interest};
///
/// let (_driver, handle) = Driver::new()?;
/// let mut listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
/// let registration = handle.register(&mut listener, Interest::READABLE)?;
/// assert_eq!(handle.metrics().registrations_alive, 1);
/// registration.deregister(&mut listener)?;
/// drop(registration);
/// assert_eq!(handle.metrics().registrations_alive, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    registry: mio::Registry,
    waker: mio::Waker,
    pub(crate) set: Mutex<RegistrationSet>,
    /// Mirror of the set's release queue length, so a turn with nothing to free skips the lock.
    pub(crate) pending_release: AtomicUsize,
    pub(crate) counters: Counters,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) readiness_events: AtomicU64,
    pub(crate) stale_events: AtomicU64,
    pub(crate) turns: AtomicU64,
    pub(crate) registrations_alive: AtomicUsize,
    pub(crate) fd_registered: AtomicU64,
    pub(crate) fd_deregistered: AtomicU64,
    pub(crate) precise_armings: AtomicU64,
}

impl Handle {
    pub(crate) fn new(registry: mio::Registry, waker: mio::Waker) -> Handle {
        let inner = Inner {
            registry,
            waker,
            set: Mutex::new(RegistrationSet::new()),
            pending_release: AtomicUsize::new(0),
            counters: Counters::default(),
        };
        Handle {
            inner: Arc::new(inner),
        }
    }

    /// Registers `source` once, edge-triggered, for `interest` (usually
    /// `Interest::READABLE | Interest::WRITABLE`).
    ///
    /// The returned [`Registration`] does not own the source: its owner must call
    /// [`Registration::deregister`] before closing it ([`Registered`](crate::Registered) does
    /// this for you). Fails with an error saying the runtime is shutting down after
    /// [`shutdown`](Self::shutdown), and with mio's error if the source cannot be registered.
    ///
    /// ```
    /// use io_driver::{Driver, Interest};
    ///
    /// let (_driver, handle) = Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let registration = handle.register(&mut a, Interest::READABLE | Interest::WRITABLE)?;
    /// assert_ne!(registration.token(), mio::Token(0));
    /// registration.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<Registration> {
        let (token, io) = self.inner.set.lock().allocate()?;
        // Counted before the `Registration` exists so its drop (on the error path too) balances.
        self.inner
            .counters
            .registrations_alive
            .fetch_add(1, Ordering::Relaxed);
        let registration = Registration::new(self.clone(), token, io);
        self.inner
            .registry
            .register(source, token, interest.to_mio())?;
        self.inner
            .counters
            .fd_registered
            .fetch_add(1, Ordering::Relaxed);
        Ok(registration)
    }

    /// Interrupts a [`turn`](crate::Driver::turn) blocked in the OS, from any thread; if no turn
    /// is blocked, the next one returns at once.
    ///
    /// ```
    /// use io_driver::Driver;
    ///
    /// let (mut driver, handle) = Driver::new()?;
    /// handle.unpark();
    /// let stats = driver.turn(None)?; // returns instead of blocking forever
    /// assert!(stats.unparked);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unpark(&self) {
        // mio's wakers (eventfd, pipe, kqueue user event) only fail when a wake-up is already
        // pending and the counter would overflow, in which case the turn returns anyway.
        let _ = self.inner.waker.wake();
    }

    /// Shuts the reactor down: every registration is marked shut down and all its waiters are
    /// woken; their I/O then fails with an error saying the runtime is shutting down, and new
    /// registrations are refused. Idempotent.
    ///
    /// ```
    /// use io_driver::{Driver, Interest};
    ///
    /// let (_driver, handle) = Driver::new()?;
    /// handle.shutdown();
    /// assert!(handle.is_shutdown());
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let err = handle.register(&mut a, Interest::READABLE).unwrap_err();
    /// assert!(err.to_string().contains("shutting down"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self) {
        let live = self.inner.set.lock().shutdown();
        for io in live {
            io.shutdown();
        }
        self.unpark();
    }

    /// Whether [`shutdown`](Self::shutdown) has run (or the [`Driver`](crate::Driver) was
    /// dropped).
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// assert!(!handle.is_shutdown());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.inner.set.lock().is_shutdown()
    }

    /// A snapshot of the reactor's counters.
    ///
    /// ```
    /// let (mut driver, handle) = io_driver::Driver::new()?;
    /// driver.turn(Some(std::time::Duration::ZERO))?;
    /// let metrics = handle.metrics();
    /// assert_eq!(metrics.turns, 1);
    /// assert_eq!(metrics.readiness_events, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metrics(&self) -> Metrics {
        let counters = &self.inner.counters;
        Metrics {
            registrations_alive: counters.registrations_alive.load(Ordering::Relaxed),
            readiness_events: counters.readiness_events.load(Ordering::Relaxed),
            stale_events: counters.stale_events.load(Ordering::Relaxed),
            turns: counters.turns.load(Ordering::Relaxed),
            fd_registered: counters.fd_registered.load(Ordering::Relaxed),
            fd_deregistered: counters.fd_deregistered.load(Ordering::Relaxed),
            precise_armings: counters.precise_armings.load(Ordering::Relaxed),
        }
    }

    /// Whether two handles refer to the same reactor.
    ///
    /// ```
    /// let (_d1, h1) = io_driver::Driver::new()?;
    /// let (_d2, h2) = io_driver::Driver::new()?;
    /// assert!(h1.ptr_eq(&h1.clone()));
    /// assert!(!h1.ptr_eq(&h2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ptr_eq(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.inner.registry.deregister(source)?;
        self.inner
            .counters
            .fd_deregistered
            .fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Called by a dropped registration: queue its slot for release at the next turn.
    pub(crate) fn release(&self, token: mio::Token) {
        let queued = {
            let mut set = self.inner.set.lock();
            let queued = set.defer_release(token);
            self.inner.pending_release.store(queued, Ordering::Release);
            queued
        };
        self.inner
            .counters
            .registrations_alive
            .fetch_sub(1, Ordering::Relaxed);
        if queued == RELEASE_UNPARK_THRESHOLD {
            self.unpark();
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("metrics", &self.metrics())
            .finish_non_exhaustive()
    }
}
