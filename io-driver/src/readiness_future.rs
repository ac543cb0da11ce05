//! [`Readiness`]: the future behind [`Registration::readiness`](crate::Registration::readiness),
//! one entry in a registration's waiter list.

use crate::readiness::ReadyEvent;
use crate::registration_set::shutdown_error;
use crate::scheduled_io::ScheduledIo;
use crate::{Interest, Ready};
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Resolves to the observed [`ReadyEvent`] once the interest is ready, or to an error saying the
/// runtime is shutting down. Dropping it before completion removes its waiter entry.
///
/// # Examples
///
/// ```
/// use io_driver::{Driver, Interest};
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
///
/// let (_driver, handle) = Driver::new()?;
/// let (mut a, _b) = mio::net::UnixStream::pair()?;
/// let r = handle.register(&mut a, Interest::READABLE)?;
/// let mut readable = pin!(r.readiness(Interest::READABLE));
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(readable.as_mut().poll(&mut cx).is_pending());
/// handle.shutdown();
/// assert!(matches!(readable.as_mut().poll(&mut cx), Poll::Ready(Err(_))));
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Readiness<'a> {
    io: &'a ScheduledIo,
    mask: Ready,
    key: Option<usize>,
}

impl<'a> Readiness<'a> {
    pub(crate) fn new(io: &'a ScheduledIo, interest: Interest) -> Readiness<'a> {
        Readiness {
            io,
            mask: interest.mask(),
            key: None,
        }
    }
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.io
            .poll_waiter(cx, this.mask, &mut this.key)
            .map(|event| {
                if event.is_shutdown() {
                    Err(shutdown_error())
                } else {
                    Ok(event)
                }
            })
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.io.cancel_waiter(key);
        }
    }
}

impl fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("mask", &self.mask)
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
