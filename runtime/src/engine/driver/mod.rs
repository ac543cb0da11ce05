//! The park seam: what a worker blocks on when it has nothing to run.
//!
//! A [`Driver`] is owned by whichever thread is allowed to block in it (the multi-thread
//! scheduler keeps it behind a try-lock so exactly one parked worker drives it; the others
//! sleep on their own condvars). [`Driver::park`] sleeps until [`DriverHandle::unpark`] is
//! called, the timeout passes or the earliest timer is due, and on its way out does the
//! driver's work: firing due timers and (in the I/O part, `io.rs`) dispatching socket
//! readiness.
//!
//! Layering: `park` asks the time part for a plan (how long it may block, see
//! [`time::TimeState::plan_park`]), blocks in the I/O reactor (`io.rs`) for that
//! long, then lets the time part fire what is due. The [`DriverHandle`] is shared by every
//! thread that registers timers; it holds the wheel, the clock and the unparker.

mod auto_advance;
pub(crate) mod clock;
pub(crate) mod entry;
pub(crate) mod io;
mod time;
mod time_shard;
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
pub(crate) mod uring;

pub(crate) use auto_advance::{AutoAdvanceGate, InhibitAutoAdvance};
pub(crate) use time::{FiledKey, Filing, TimeState};

use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use io::{IoPark, IoUnpark};
use std::time::Duration;

/// The blocking side of the park seam.
#[derive(Debug)]
pub(crate) struct Driver {
    park: IoPark,
}

/// The waking side of the park seam; cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub(crate) struct DriverHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    unpark: IoUnpark,
    /// Set by every `unpark`; a paused clock only auto-advances if nothing unparked the
    /// driver since the previous park (something may be about to schedule work).
    woken: AtomicBool,
    time: TimeState,
    /// The io_uring (feature `io-uring`), when the builder asked for it and the kernel
    /// accepted it (`uring.rs`); `None` means `fs` uses the blocking pool.
    #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
    ring: Option<Arc<uring::Ring>>,
}

/// `RUNTIME_IO_URING=0` turns the ring off for every runtime of the process (as
/// `Builder::io_uring(false)` does for one), e.g. to compare both paths without rebuilding.
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
fn uring_allowed_by_env() -> bool {
    std::env::var_os("RUNTIME_IO_URING").is_none_or(|v| v != "0")
}

impl Driver {
    /// A driver whose timers are spread over `timer_shards` wheels (one per worker), with an
    /// io_uring next to the reactor if `io_uring` is set, the feature is on and the kernel
    /// accepts one (silently none otherwise).
    ///
    /// `pausable`: the clock can be paused (the current-thread flavor): a ring operation that
    /// waits then holds the clock back as a blocking job does (`uring.rs`, rule U6).
    /// `ring_sockets`: `TcpStream`s read and write through the ring too (`uring.rs`, "Sockets").
    pub(crate) fn new(
        timer_shards: usize,
        io_uring: bool,
        pausable: bool,
        ring_sockets: bool,
    ) -> std::io::Result<(Driver, DriverHandle)> {
        let (park, unpark) = IoPark::new()?;
        #[cfg(not(all(feature = "io-uring", target_os = "linux", not(loom))))]
        let _ = (io_uring, pausable, ring_sockets);
        // Cyclic: a ring on a pausable clock names its driver weakly, to hold the clock back.
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        let inner = Arc::new_cyclic(|driver: &std::sync::Weak<Inner>| {
            let gate = pausable.then(|| driver.clone());
            let ring = (io_uring && uring_allowed_by_env())
                .then(|| {
                    uring::Ring::new(unpark.reactor(), gate, ring_sockets)
                        .ok()
                        .map(Arc::new)
                })
                .flatten();
            Inner {
                unpark,
                woken: AtomicBool::new(false),
                time: TimeState::new(timer_shards),
                ring,
            }
        });
        #[cfg(not(all(feature = "io-uring", target_os = "linux", not(loom))))]
        let inner = Arc::new(Inner {
            unpark,
            woken: AtomicBool::new(false),
            time: TimeState::new(timer_shards),
        });
        Ok((Driver { park }, DriverHandle { inner }))
    }

    /// Blocks until unparked, `timeout` passes (`Some(ZERO)` polls without blocking) or the
    /// earliest timer is due, then fires due timers. With a paused clock and `timeout == None`
    /// (the scheduler is idle) it instead jumps the clock to the next deadline.
    pub(crate) fn park(&mut self, handle: &DriverHandle, timeout: Option<Duration>) {
        let inner = &*handle.inner;
        // The plan first: it reads the auto-advance gate, and a blocking job leaves the gate
        // only after its wake-up's unpark, so a gate read as open here implies that unpark is
        // visible to the swap below (see `time::pause::AutoAdvanceGate`).
        let plan = inner.time.plan_park(timeout);
        // Ring sockets' deferred SQEs go to the kernel before this thread blocks (one enter
        // for the whole turn's reads and writes).
        handle.flush_ring();
        let woken_before = inner.woken.swap(false, Ordering::SeqCst);
        let io_events = match plan.timeout {
            Some(timeout) => self.park.park_timeout(timeout),
            None => self.park.park(),
        };
        // Completions whose eventfd signal ended the park (or that arrived meanwhile).
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        let io_events = io_events | inner.ring.as_ref().is_some_and(|ring| ring.turn() > 0);
        let woken_during = io_events || inner.woken.load(Ordering::SeqCst);
        inner.time.after_park(plan, !woken_before && !woken_during);
    }

    /// Fires every pending timer and refuses new ones; called once, at runtime shutdown.
    pub(crate) fn shutdown(&mut self, handle: &DriverHandle) {
        handle.inner.time.shutdown();
        handle.inner.unpark.shutdown();
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &handle.inner.ring {
            ring.shutdown();
        }
    }
}

impl DriverHandle {
    /// Interrupts a thread blocked in [`Driver::park`] (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.inner.woken.store(true, Ordering::SeqCst);
        self.inner.unpark.unpark();
    }

    /// Submits the ring sockets' deferred SQEs, if any (a worker about to park calls it before
    /// it blocks, wherever it blocks). One relaxed load without a ring or with nothing pushed.
    #[inline]
    pub(crate) fn flush_ring(&self) {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.inner.ring {
            ring.flush();
        }
    }

    /// The I/O part: the reactor sockets register with.
    #[cfg(not(loom))]
    pub(in crate::engine) fn io(&self) -> &io_driver::Handle {
        self.inner.unpark.reactor()
    }

    /// The io_uring, if this runtime has one (`uring.rs`).
    #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
    pub(in crate::engine) fn ring(&self) -> Option<&Arc<uring::Ring>> {
        self.inner.ring.as_ref()
    }

    /// The reactor's counters, less the io_uring's own eventfd registration (a runtime-internal
    /// source, like the reactor's waker, which the counters do not include either). Its
    /// completion signals do count as readiness events.
    #[cfg(not(loom))]
    pub(in crate::engine) fn io_metrics(&self) -> io_driver::Metrics {
        #[allow(unused_mut)]
        let mut metrics = self.io().metrics();
        #[cfg(all(feature = "io-uring", target_os = "linux"))]
        if self.inner.ring.is_some() {
            metrics.fd_registered -= 1;
            metrics.registrations_alive -= 1;
        }
        metrics
    }

    /// The time part: wheel, clock, tick conversions.
    pub(in crate::engine) fn time(&self) -> &TimeState {
        &self.inner.time
    }

    /// The runtime's clock: real time, or the frozen time of a paused clock.
    pub(crate) fn now(&self) -> std::time::Instant {
        self.inner.time.clock.now()
    }

    /// `time::pause`: freezes the clock (see `TimeState::pause`).
    pub(crate) fn pause_clock(&self) {
        self.inner.time.pause();
    }

    /// `time::resume`: the clock follows real time again.
    pub(crate) fn resume_clock(&self) {
        self.inner.time.clock.resume();
    }

    /// `time::advance`: moves a paused clock forward by `by` and fires the timers now due.
    pub(crate) fn advance_clock(&self, by: Duration) {
        self.inner.time.clock.advance(by);
        self.inner.time.fire_due();
    }
}
