//! The I/O part of the park seam: the thread that parks blocks in the reactor.
//!
//! [`IoPark`] is what [`Driver::park`](super::Driver::park) blocks in: a turn of the
//! `io_driver` reactor with the timeout the time part computed, which dispatches socket
//! readiness on the way out. [`IoUnpark`] interrupts that turn from any thread (the reactor's
//! `mio::Waker`) and shuts the reactor down at runtime shutdown, which wakes every pending I/O
//! future with an error.
//!
//! Under `cfg(loom)` the reactor (real `epoll` syscalls) cannot be modelled, so the park is
//! the plain thread parker with the same methods; the socket types are not compiled there.

use std::io;
use std::time::Duration;

#[cfg(not(loom))]
pub(crate) use reactor::{IoPark, IoUnpark};

#[cfg(loom)]
pub(crate) use parker::{IoPark, IoUnpark};

#[cfg(not(loom))]
mod reactor {
    use super::*;

    /// The blocking side: owns the reactor.
    #[derive(Debug)]
    pub(crate) struct IoPark {
        reactor: io_driver::Driver,
    }

    /// The shared side: unpark, shutdown, and the handle sockets register with.
    #[derive(Clone, Debug)]
    pub(crate) struct IoUnpark {
        reactor: io_driver::Handle,
    }

    impl IoPark {
        pub(crate) fn new() -> io::Result<(IoPark, IoUnpark)> {
            let (reactor, handle) = io_driver::Driver::new()?;
            Ok((IoPark { reactor }, IoUnpark { reactor: handle }))
        }

        /// Blocks in the reactor until an event, an unpark or shutdown. Returns whether
        /// readiness events were dispatched (tasks may have been woken).
        pub(crate) fn park(&mut self) -> bool {
            self.turn(None)
        }

        /// Like [`park`](Self::park) but for at most `timeout` (`ZERO` only polls).
        pub(crate) fn park_timeout(&mut self, timeout: Duration) -> bool {
            self.turn(Some(timeout))
        }

        fn turn(&mut self, timeout: Option<Duration>) -> bool {
            // `turn` already absorbs `EINTR`. Any other `epoll_wait` error (only `EBADF`/`EINVAL`
            // on a broken epoll descriptor, which cannot happen while we own it) is treated as a
            // spurious wake-up: the scheduler re-checks its queues and parks again.
            self.reactor
                .turn(timeout)
                .is_ok_and(|stats| stats.events > 0)
        }
    }

    impl IoUnpark {
        /// Interrupts a blocked [`IoPark::park`], or makes the next one return at once.
        pub(crate) fn unpark(&self) {
            self.reactor.unpark();
        }

        /// Wakes every pending I/O future with a "runtime is shutting down" error and refuses
        /// new registrations. Idempotent.
        pub(crate) fn shutdown(&self) {
            self.reactor.shutdown();
        }

        /// The reactor sockets register with.
        pub(crate) fn reactor(&self) -> &io_driver::Handle {
            &self.reactor
        }
    }
}

#[cfg(loom)]
mod parker {
    use super::*;
    use crate::park::{ParkThread, Unparker};

    /// Loom stand-in: the thread parker.
    #[derive(Debug)]
    pub(crate) struct IoPark {
        park: ParkThread,
    }

    /// Loom stand-in: the thread unparker.
    #[derive(Clone, Debug)]
    pub(crate) struct IoUnpark {
        unpark: Unparker,
    }

    impl IoPark {
        pub(crate) fn new() -> io::Result<(IoPark, IoUnpark)> {
            let park = ParkThread::new();
            let unpark = park.unparker();
            Ok((IoPark { park }, IoUnpark { unpark }))
        }

        pub(crate) fn park(&mut self) -> bool {
            self.park.park();
            false
        }

        pub(crate) fn park_timeout(&mut self, timeout: Duration) -> bool {
            self.park.park_timeout(timeout);
            false
        }
    }

    impl IoUnpark {
        pub(crate) fn unpark(&self) {
            self.unpark.unpark();
        }

        pub(crate) fn shutdown(&self) {}
    }
}
