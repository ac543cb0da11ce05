//! [`Registration`]: one source's link to the reactor — wait for readiness, try an operation,
//! clear readiness after `WouldBlock`.
//!
//! The hot path touches only the registration's own `ScheduledIo` (an atomic load, and its own
//! small mutex when a waker must be stored); never the reactor-wide registration set.
//!
//! Cooperative budgeting is the caller's job: the runtime charges its budget before calling
//! `poll_*` here, so this crate stays scheduler-agnostic.

use crate::handle::Handle;
use crate::loom::sync::Arc;
use crate::readiness::ReadyEvent;
use crate::registration_set::shutdown_error;
use crate::scheduled_io::ScheduledIo;
use crate::{Direction, Interest, Readiness};
use std::fmt;
use std::io;
use std::task::{Context, Poll, ready};

/// A source's registration with a reactor; created by [`Handle::register`].
///
/// Dropping it drops any stored wakers and queues its slot for release at the driver's next
/// turn; it does *not* deregister the source from mio (it does not own it): call
/// [`deregister`](Self::deregister) first, or use [`Registered`](crate::Registered).
///
/// # Examples
///
/// ```
/// use io_driver::{Driver, Interest};
/// use std::io::Read;
///
/// let (mut driver, handle) = Driver::new()?;
/// let (mut a, _b) = mio::net::UnixStream::pair()?;
/// let registration = handle.register(&mut a, Interest::READABLE | Interest::WRITABLE)?;
/// driver.turn(None)?; // the fresh socket reports writable
///
/// let mut buf = [0; 8];
/// let err = registration.try_io(Interest::READABLE, || (&a).read(&mut buf)).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
/// registration.deregister(&mut a)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Registration {
    handle: Handle,
    token: mio::Token,
    io: Arc<ScheduledIo>,
}

fn into_result(event: ReadyEvent) -> io::Result<ReadyEvent> {
    if event.is_shutdown() {
        Err(shutdown_error())
    } else {
        Ok(event)
    }
}

impl Registration {
    pub(crate) fn new(handle: Handle, token: mio::Token, io: Arc<ScheduledIo>) -> Registration {
        Registration { handle, token, io }
    }

    /// The mio token this registration was given (slot index and generation; never 0).
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::READABLE)?;
    /// assert_ne!(r.token(), mio::Token(0));
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn token(&self) -> mio::Token {
        self.token
    }

    /// The reactor this registration belongs to.
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::READABLE)?;
    /// assert!(r.handle().ptr_eq(&handle));
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Waits in the `direction`'s poll slot (one waker per direction; the last poller wins)
    /// until something in that direction's mask is ready. Errors once the reactor is shut down.
    ///
    /// ```
    /// use io_driver::{Direction, Driver, Interest};
    /// use std::task::{Context, Waker};
    ///
    /// let (mut driver, handle) = Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, Interest::READABLE | Interest::WRITABLE)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(r.poll_ready(&mut cx, Direction::Write).is_pending());
    /// driver.turn(None)?;
    /// assert!(r.poll_ready(&mut cx, Direction::Write).is_ready());
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        self.io.poll_ready(cx, direction).map(into_result)
    }

    /// [`poll_ready`](Self::poll_ready) in the reader slot.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::READABLE)?;
    /// assert!(r.poll_read_ready(&mut Context::from_waker(Waker::noop())).is_pending());
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Read)
    }

    /// [`poll_ready`](Self::poll_ready) in the writer slot.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let (mut driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::WRITABLE)?;
    /// driver.turn(None)?;
    /// assert!(r.poll_write_ready(&mut Context::from_waker(Waker::noop())).is_ready());
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Write)
    }

    /// A future resolving when anything in `interest`'s mask is ready. Any number of these may
    /// wait at once (they do not share the poll slots); each is woken by a matching edge.
    ///
    /// ```
    /// use io_driver::{Driver, Interest};
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Waker};
    ///
    /// let (mut driver, handle) = Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, Interest::READABLE | Interest::WRITABLE)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut writable = pin!(r.readiness(Interest::WRITABLE));
    /// assert!(writable.as_mut().poll(&mut cx).is_pending());
    /// driver.turn(None)?;
    /// assert!(writable.as_mut().poll(&mut cx).is_ready());
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness::new(&self.io, interest)
    }

    /// Runs `f` if the cached readiness says `interest` is ready; returns `WouldBlock` without
    /// calling it otherwise. If `f` returns `WouldBlock`, the observed readiness is cleared.
    ///
    /// ```
    /// use io_driver::{Driver, Interest};
    /// use std::io::Write;
    ///
    /// let (mut driver, handle) = Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, Interest::WRITABLE)?;
    /// driver.turn(None)?;
    /// let written = r.try_io(Interest::WRITABLE, || (&a).write(b"hi"))?;
    /// assert_eq!(written, 2);
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let event = into_result(self.io.readiness().snapshot(interest.mask()))?;
        if event.ready().is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = f();
        if matches!(&result, Err(err) if err.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(event);
        }
        result
    }

    /// Waits for `direction` readiness and runs `f`, clearing readiness and waiting again each
    /// time `f` returns `WouldBlock`; any other result is returned.
    ///
    /// It waits in the direction's poll slot ([`poll_ready`](Self::poll_ready)): one waker, the
    /// last poller wins. For an operation several tasks may await at once (an `accept`, a
    /// `recv` on a shared socket), loop over [`readiness`](Self::readiness) and
    /// [`try_io`](Self::try_io) instead: every waiting task is then woken.
    ///
    /// ```
    /// use io_driver::{Direction, Driver, Interest};
    /// use std::io::{Read, Write};
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (mut driver, handle) = Driver::new()?;
    /// let (mut a, mut b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, Interest::READABLE)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let mut buf = [0; 4];
    /// assert!(r.poll_io(&mut cx, Direction::Read, || (&a).read(&mut buf)).is_pending());
    /// b.write_all(b"pong")?;
    /// driver.turn(None)?;
    /// let read = r.poll_io(&mut cx, Direction::Read, || (&a).read(&mut buf));
    /// assert!(matches!(read, Poll::Ready(Ok(4))));
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, direction))?;
            match f() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_readiness(event);
                }
                result => return Poll::Ready(result),
            }
        }
    }

    /// Clears what `event` observed, unless a newer edge arrived since (then nothing changes and
    /// the next poll reports ready again). Call it after the operation returned `WouldBlock`,
    /// or after a short read on a stream socket (which also proves the buffer is drained).
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (mut driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::WRITABLE)?;
    /// driver.turn(None)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let Poll::Ready(Ok(event)) = r.poll_write_ready(&mut cx) else { unreachable!() };
    /// r.clear_readiness(event);
    /// assert!(r.poll_write_ready(&mut cx).is_pending());
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn clear_readiness(&self, event: ReadyEvent) {
        self.io.clear_readiness(event);
    }

    /// Whether the reactor was shut down (all I/O through this registration now fails).
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::READABLE)?;
    /// handle.shutdown();
    /// assert!(r.is_shutdown());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.io.readiness().is_shutdown()
    }

    /// Removes `source` from the reactor's OS poller; call it before closing the source.
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (mut a, _b) = mio::net::UnixStream::pair()?;
    /// let r = handle.register(&mut a, io_driver::Interest::READABLE)?;
    /// r.deregister(&mut a)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.deregister(source)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.io.clear_wakers();
        self.handle.release(self.token);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.token)
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}
