//! [`Registered`]: a mio source together with its registration — the building block the
//! runtime's `TcpStream`, `UdpSocket`, `UnixStream`, ... wrap.
//!
//! Owning both lets it guarantee the order the OS needs: the source is deregistered from the
//! poller before it is closed (on drop) or handed back ([`Registered::into_inner`]); the slot is
//! then released at the driver's next turn.
//! Cooperative budgeting is left to the wrapper: charge the budget before each `poll_*` call.

use crate::readiness::ReadyEvent;
use crate::{Direction, Handle, Interest, Readiness, Registration};
use mio::event::Source;
use std::fmt;
use std::io;
use std::task::{Context, Poll};

/// A mio source registered (read + write, edge-triggered) with a reactor.
///
/// Operations take `&self` and hand the closure `&S`, so sources whose I/O traits are
/// implemented for `&S` (all of mio's sockets) can be read and written from two tasks at once
/// (one reader, one writer: the poll slots are per direction). The `poll_*` methods keep one
/// waker per direction (the last poller wins); for an operation any number of tasks may await
/// at once, wait with [`readiness`](Self::readiness) and run it with
/// [`try_io`](Self::try_io), as the runtime's `accept` and `recv` do.
///
/// # Examples
///
/// ```
/// use io_driver::{Driver, Registered};
/// use std::io::{Read, Write};
/// use std::task::{Context, Poll, Waker};
///
/// let (mut driver, handle) = Driver::new()?;
/// let (a, b) = mio::net::UnixStream::pair()?;
/// let a = Registered::new(a, &handle)?;
/// let b = Registered::new(b, &handle)?;
/// let mut cx = Context::from_waker(Waker::noop());
///
/// driver.turn(None)?; // both ends report writable
/// assert!(matches!(a.poll_write_io(&mut cx, |s| (&*s).write(b"hello")), Poll::Ready(Ok(5))));
/// driver.turn(None)?; // b becomes readable
/// let mut buf = [0; 16];
/// let Poll::Ready(Ok(n)) = b.poll_read_io(&mut cx, |s| (&*s).read(&mut buf)) else { panic!() };
/// assert_eq!(&buf[..n], b"hello");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Registered<S: Source> {
    /// Always `Some` until `into_inner` or drop takes it.
    source: Option<S>,
    registration: Registration,
}

impl<S: Source> Registered<S> {
    /// Registers `source` for reading and writing.
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let listener = io_driver::Registered::new(listener, &handle)?;
    /// assert!(listener.get_ref().local_addr()?.port() != 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(source: S, handle: &Handle) -> io::Result<Registered<S>> {
        Registered::with_interest(source, handle, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `source` for `interest` only.
    ///
    /// ```
    /// use io_driver::{Interest, Registered};
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
    /// let listener = Registered::with_interest(listener, &handle, Interest::READABLE)?;
    /// # let _ = listener;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_interest(
        mut source: S,
        handle: &Handle,
        interest: Interest,
    ) -> io::Result<Registered<S>> {
        let registration = handle.register(&mut source, interest)?;
        Ok(Registered {
            source: Some(source),
            registration,
        })
    }

    /// The registration (for `readiness`, `try_io`, `clear_readiness`, ...).
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// assert!(!a.registration().is_shutdown());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The source.
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// assert!(a.get_ref().peer_addr().is_ok());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &S {
        self.source
            .as_ref()
            .expect("source is present until into_inner or drop")
    }

    /// [`Registration::poll_read_ready`].
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// assert!(a.poll_read_ready(&mut Context::from_waker(Waker::noop())).is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.registration.poll_read_ready(cx)
    }

    /// [`Registration::poll_write_ready`].
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let (mut driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// driver.turn(None)?;
    /// assert!(a.poll_write_ready(&mut Context::from_waker(Waker::noop())).is_ready());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.registration.poll_write_ready(cx)
    }

    /// Waits for read readiness and runs `f`, retrying after each `WouldBlock`
    /// ([`Registration::poll_io`]; one waker for reads: the last poller wins).
    ///
    /// ```
    /// use std::io::Read;
    /// use std::task::{Context, Waker};
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// let mut buf = [0; 4];
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(a.poll_read_io(&mut cx, |s| (&*s).read(&mut buf)).is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let source = self.get_ref();
        self.registration.poll_io(cx, Direction::Read, || f(source))
    }

    /// Waits for write readiness and runs `f`, retrying after each `WouldBlock` (one waker for
    /// writes: the last poller wins).
    ///
    /// ```
    /// use std::io::Write;
    /// use std::task::{Context, Poll, Waker};
    /// let (mut driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// driver.turn(None)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(a.poll_write_io(&mut cx, |s| (&*s).write(b"x")), Poll::Ready(Ok(1))));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let source = self.get_ref();
        self.registration
            .poll_io(cx, Direction::Write, || f(source))
    }

    /// Runs `f` if `interest` is ready, else returns `WouldBlock` ([`Registration::try_io`]).
    ///
    /// ```
    /// use io_driver::Interest;
    /// use std::io::Read;
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// let mut buf = [0; 4];
    /// let err = a.try_io(Interest::READABLE, |s| (&*s).read(&mut buf)).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        let source = self.get_ref();
        self.registration.try_io(interest, || f(source))
    }

    /// [`Registration::readiness`]: a future for `interest`, many may wait at once.
    ///
    /// ```
    /// use io_driver::Interest;
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// let readable = a.readiness(Interest::READABLE);
    /// # drop(readable);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn readiness(&self, interest: Interest) -> Readiness<'_> {
        self.registration.readiness(interest)
    }

    /// Deregisters and returns the source (still non-blocking). The registration's slot is
    /// released at the driver's next turn. If deregistering fails the source is closed and the
    /// error returned.
    ///
    /// ```
    /// let (_driver, handle) = io_driver::Driver::new()?;
    /// let (a, _b) = mio::net::UnixStream::pair()?;
    /// let a = io_driver::Registered::new(a, &handle)?;
    /// let a: mio::net::UnixStream = a.into_inner()?;
    /// assert_eq!(handle.metrics().registrations_alive, 0);
    /// assert!(a.peer_addr().is_ok());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(mut self) -> io::Result<S> {
        let mut source = self
            .source
            .take()
            .expect("source is present until into_inner or drop");
        self.registration.deregister(&mut source)?;
        Ok(source)
    }
}

impl<S: Source> Drop for Registered<S> {
    fn drop(&mut self) {
        if let Some(mut source) = self.source.take() {
            // Nothing useful can be done with a failure here: the source is closed next, which
            // removes it from the poller anyway, and a late event would carry a stale token.
            let _ = self.registration.deregister(&mut source);
        }
    }
}

impl<S: Source + fmt::Debug> fmt::Debug for Registered<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("source", &self.source)
            .field("registration", &self.registration)
            .finish()
    }
}
