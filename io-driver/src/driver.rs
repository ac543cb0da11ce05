//! [`Driver`]: the owner of the `mio::Poll`; each [`turn`](Driver::turn) waits for events and
//! dispatches them to registrations.
//!
//! One turn:
//! 1. free the slots of registrations dropped since the last turn (deferred release);
//! 2. `poll` mio with the caller's timeout (`EINTR` ends the turn early and empty); a timeout
//!    with a sub-millisecond part first arms the precise timer (`precise_timeout.rs`), since
//!    `epoll_wait` alone would round it up to the next millisecond (unless an earlier turn's
//!    arming for the same deadline is still pending: counted in `Metrics::precise_armings`);
//! 3. under the registration-set lock, map each token to its `ScheduledIo` (the waker token
//!    only records the unpark; stale tokens are counted and dropped);
//! 4. with no set lock held, set each registration's readiness and wake its waiters (each
//!    `ScheduledIo` wakes in batches outside its own lock).
//!
//! Step 3 records plain pointers, not `Arc` clones (two atomic RMWs per event saved). Two
//! rules make that sound:
//!
//! - **DR1.** A slot's `ScheduledIo` is only freed by step 1: the set holds an `Arc` in every
//!   live slot, a dropped registration only queues its token (`RegistrationSet::defer_release`,
//!   RS3), and `release_pending` runs nowhere but at the start of `turn`, which takes
//!   `&mut self`. So every pointer found in step 3 stays valid until this turn returns, whatever
//!   registrations are dropped meanwhile on other threads; the set itself lives as long as the
//!   driver (it sits behind the driver's own `Handle`).
//! - **DR2.** The pointers live only within one turn: the `dispatch` vector is drained before
//!   `turn` returns, so no pointer outlives the turn that found it.
//!
//! The driver has no threads: whoever owns it (the runtime's parked worker) calls `turn`.

use crate::handle::Handle;
use crate::loom::sync::atomic::Ordering;
use crate::precise_timeout::{PreciseTimeout, TIMER_TOKEN, wants_precision};
use crate::registration_set::WAKER_TOKEN;
use crate::scheduled_io::ScheduledIo;
use crate::{Ready, TurnStats};
use std::fmt;
use std::io;
use std::ptr::NonNull;
use std::time::Duration;

/// Events fetched per `poll`: tokio's value. More events arrive on the next turn; a caller that
/// wants fewer per busy poll can cap what it processes (tokio #8410).
const EVENTS_CAPACITY: usize = 1024;

/// The blocking side of the reactor; owned by whichever thread turns it.
///
/// Dropping the driver shuts the reactor down (like [`Handle::shutdown`]), so no waiter hangs
/// on a reactor nobody turns any more.
///
/// # Examples
///
/// ```
/// use io_driver::{Driver, Interest};
/// use std::io::Write;
/// use std::task::{Context, Waker};
///
/// let (mut driver, handle) = Driver::new()?;
/// let (mut a, mut b) = mio::net::UnixStream::pair()?;
/// let registration = handle.register(&mut a, Interest::READABLE)?;
///
/// b.write_all(b"ping")?;
/// let stats = driver.turn(None)?;
/// assert_eq!(stats.events, 1);
///
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(registration.poll_read_ready(&mut cx).is_ready());
/// registration.deregister(&mut a)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    handle: Handle,
    /// The sub-millisecond park timer; `None` where there is none (then timeouts round up).
    precise: Option<PreciseTimeout>,
    /// Reused between turns, empty between them: (registration, readiness) pairs found under
    /// the set lock. The pointers are only valid during the turn that found them (module docs).
    dispatch: Vec<(IoRef, Ready)>,
}

/// A registration found by the current turn: a plain pointer, valid until the turn returns
/// (DR1, DR2).
struct IoRef(NonNull<ScheduledIo>);

// SAFETY: an `IoRef` only gives shared access to a `ScheduledIo`, which is `Sync`; and the
// driver only holds `IoRef`s during a turn (DR2), so moving the driver to another thread never
// carries a live one along.
unsafe impl Send for IoRef {}

impl Driver {
    /// Creates a reactor: a `mio::Poll`, its waker on token 0, and the [`Handle`] to share.
    ///
    /// ```
    /// let (driver, handle) = io_driver::Driver::new()?;
    /// assert!(driver.handle().ptr_eq(&handle));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<(Driver, Handle)> {
        let poll = mio::Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let precise = PreciseTimeout::new(poll.registry()).ok();
        let handle = Handle::new(registry, waker);
        let driver = Driver {
            poll,
            events: mio::Events::with_capacity(EVENTS_CAPACITY),
            handle: handle.clone(),
            precise,
            dispatch: Vec::new(),
        };
        Ok((driver, handle))
    }

    /// A handle to this reactor.
    ///
    /// ```
    /// let (driver, _handle) = io_driver::Driver::new()?;
    /// assert!(!driver.handle().is_shutdown());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Waits up to `timeout` (`None`: until an event or [`Handle::unpark`]; `Some(ZERO)`: no
    /// wait) and dispatches what arrived. Wakers run on this thread, outside every lock.
    ///
    /// Returns `Ok` with `interrupted` set if a signal interrupted the wait; other OS errors
    /// from `poll` are returned as they are.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (mut driver, _handle) = io_driver::Driver::new()?;
    /// let stats = driver.turn(Some(Duration::from_millis(1)))?;
    /// assert_eq!(stats.events, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn turn(&mut self, timeout: Option<Duration>) -> io::Result<TurnStats> {
        let mut stats = TurnStats {
            released: self.release_pending(),
            ..TurnStats::default()
        };
        if let (Some(precise), Some(timeout)) = (&mut self.precise, timeout)
            && wants_precision(timeout)
            && precise.arm(timeout)
        {
            self.handle
                .inner
                .counters
                .precise_armings
                .fetch_add(1, Ordering::Relaxed);
        }
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {
                stats.interrupted = true;
                self.count_turn(&stats);
                return Ok(stats);
            }
            Err(err) => return Err(err),
        }
        {
            let set = self.handle.inner.set.lock();
            for event in self.events.iter() {
                if event.token() == WAKER_TOKEN {
                    stats.unparked = true;
                    continue;
                }
                if event.token() == TIMER_TOKEN {
                    // The precise timeout expired: the turn just ends, nothing to dispatch.
                    continue;
                }
                match set.get(event.token()) {
                    Some(io) => self
                        .dispatch
                        .push((IoRef(NonNull::from(&**io)), Ready::from_mio(event))),
                    None => stats.stale_events += 1,
                }
            }
        }
        stats.events = self.dispatch.len();
        for (io, ready) in self.dispatch.drain(..) {
            // `io` points into an `Arc<ScheduledIo>` that the registration set held when this
            // turn looked the token up, after this turn's `release_pending`. Only
            // `release_pending` removes a slot's `Arc`, and it runs only at the start of a turn
            // (`&mut self`), so that `Arc`, and with it the pointee, is still alive here.
            // SAFETY: the pointee is alive (DR1); `ScheduledIo` is `Sync`; we only take `&`.
            unsafe { io.0.as_ref() }.set_readiness(ready);
        }
        self.count_turn(&stats);
        Ok(stats)
    }

    fn release_pending(&mut self) -> usize {
        let inner = &self.handle.inner;
        if inner.pending_release.load(Ordering::Acquire) == 0 {
            return 0;
        }
        let mut set = inner.set.lock();
        inner.pending_release.store(0, Ordering::Release);
        set.release_pending()
    }

    fn count_turn(&self, stats: &TurnStats) {
        let counters = &self.handle.inner.counters;
        counters.turns.fetch_add(1, Ordering::Relaxed);
        if stats.events > 0 {
            counters
                .readiness_events
                .fetch_add(stats.events as u64, Ordering::Relaxed);
        }
        if stats.stale_events > 0 {
            counters
                .stale_events
                .fetch_add(stats.stale_events as u64, Ordering::Relaxed);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}
