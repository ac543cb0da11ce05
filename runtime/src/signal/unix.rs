//! Unix signals: [`signal`] gives a [`Signal`] stream of deliveries of one [`SignalKind`].

use super::listener::Listener;
use futures_core::Stream;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Which signal to listen for.
///
/// ```
/// use runtime::signal::unix::SignalKind;
/// assert_eq!(SignalKind::terminate().as_raw_value(), libc::SIGTERM);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// Any signal by number (checked when passed to [`signal`]).
    ///
    /// ```
    /// let kind = runtime::signal::unix::SignalKind::from_raw(libc::SIGWINCH);
    /// assert_eq!(kind.as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn from_raw(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal number.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn as_raw_value(self) -> libc::c_int {
        self.0
    }

    /// `SIGINT` (Ctrl-C).
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGTERM` (polite termination request).
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGHUP` (terminal hang-up; by convention "reload configuration").
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGQUIT`.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::quit().as_raw_value(), libc::SIGQUIT);
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGUSR1`.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::user_defined2().as_raw_value(), libc::SIGUSR2);
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGCHLD` (a child process changed state).
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::child().as_raw_value(), libc::SIGCHLD);
    /// ```
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGPIPE`.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::pipe().as_raw_value(), libc::SIGPIPE);
    /// ```
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGALRM`.
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::alarm().as_raw_value(), libc::SIGALRM);
    /// ```
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGWINCH` (terminal resized).
    ///
    /// ```
    /// assert_eq!(runtime::signal::unix::SignalKind::window_change().as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

/// Starts listening for `kind`; every delivery from now on is seen by this [`Signal`] (and by
/// every other listener of the same signal). Deliveries that arrive before a `recv` coalesce
/// into one.
///
/// Once a signal has a listener its default action (for `SIGINT`/`SIGTERM`: terminating the
/// process) no longer happens, even after the listener is dropped.
///
/// Errors: `InvalidInput` for signals that cannot be handled (`SIGKILL`, `SIGSTOP`, fault
/// signals); an error outside a runtime.
///
/// ```
/// use runtime::signal::unix::{SignalKind, signal};
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut usr2 = signal(SignalKind::user_defined2())?;
///     // SAFETY: raising a signal that has a handler installed is harmless.
///     unsafe { libc::raise(libc::SIGUSR2) };
///     assert_eq!(usr2.recv().await, Some(()));
///     let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    Ok(Signal {
        kind,
        listener: Listener::new(kind.0)?,
    })
}

/// A stream of deliveries of one signal, from [`signal`]; also a
/// [`Stream`] of `()`.
///
/// ```
/// use futures_util::StreamExt;
/// use runtime::signal::unix::{SignalKind, signal};
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut hup = signal(SignalKind::hangup())?;
///     // SAFETY: raising a signal that has a handler installed is harmless.
///     unsafe { libc::raise(libc::SIGHUP) };
///     assert_eq!(hup.next().await, Some(()));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct Signal {
    kind: SignalKind,
    listener: Listener,
}

impl Signal {
    /// Waits for the next delivery; `None` once the runtime has shut down. Cancel-safe.
    ///
    /// ```
    /// use runtime::signal::unix::{SignalKind, signal};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut alarm = signal(SignalKind::alarm())?;
    ///     // SAFETY: raising a signal that has a handler installed is harmless.
    ///     unsafe { libc::raise(libc::SIGALRM) };
    ///     assert!(alarm.recv().await.is_some());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery (the last poller's waker is kept).
    ///
    /// ```
    /// use runtime::signal::unix::{SignalKind, signal};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut winch = signal(SignalKind::window_change())?;
    ///     // SAFETY: raising a signal that has a handler installed is harmless.
    ///     unsafe { libc::raise(libc::SIGWINCH) };
    ///     assert_eq!(std::future::poll_fn(|cx| winch.poll_recv(cx)).await, Some(()));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.listener
            .poll_delivery(cx)
            .map(|delivered| delivered.then_some(()))
    }
}

impl Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
