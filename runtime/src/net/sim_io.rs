//! The one seam between `runtime::net`'s sockets and the simulated network (issue 19 item
//! 3): a socket is [`SimOr::Real`] (a registered mio socket, as before) or [`SimOr::Sim`]
//! (a socket of the current simulation's network), decided once when it is created by asking
//! the engine's door ([`engine::sim_network`](crate::engine::sim_network)).
//!
//! The operations the simulated network supports dispatch explicitly: `bind`, `connect`,
//! `accept`, reads and writes (`AsyncRead`/`AsyncWrite`, so `split`, `into_split` and the
//! `io` helpers too), `shutdown`, `local_addr`/`peer_addr`, and UDP's `send_to`, `recv_from`,
//! `connect`, `send`, `recv`. The readiness API (`ready`, `readable`, `try_*`,
//! `poll_*_ready`, `peek`, `try_io`, `async_io`) returns an `Unsupported` error on a
//! simulated socket. Socket options go through [`SimOr::real`]: an `Unsupported` error naming the
//! option on a simulated socket, except `TCP_NODELAY`, which a simulated stream accepts and
//! reports as on (the simulated network never holds back small writes). Raw file descriptors
//! (`AsRawFd`, `AsFd`, whose signatures cannot fail) reach the real socket through `Deref`,
//! which panics on a simulated socket with a message naming what is supported: there is no
//! kernel socket to hand out.
//!
//! The stream read and write methods are inherent here, so the `io_methods!` bodies
//! (`self.io.poll_read(..)`) pick them up unchanged; a real socket pays one predictable
//! branch on the variant per call, nothing else.

use crate::io::poll_evented::PollEvented;
use io_driver::{Interest, Ready, ReadyEvent};
use std::io::{self, IoSlice, Read, Write};
use std::ops::Deref;
use std::task::{Context, Poll};

/// A real socket `R` or a simulated one `S`.
///
/// The simulated socket is boxed: it holds two addresses and a network handle (88 bytes for a
/// stream), and unboxed it made every real `TcpStream` that large too (the real one is 24),
/// and so every connection task's future that holds one.
pub(crate) enum SimOr<R, S> {
    Real(R),
    Sim(Box<S>),
}

impl<R, S> Deref for SimOr<R, S> {
    type Target = R;

    #[inline]
    fn deref(&self) -> &R {
        match self {
            SimOr::Real(real) => real,
            SimOr::Sim(_) => unsupported(),
        }
    }
}

impl<R, S> SimOr<R, S> {
    /// The real socket, or an `Unsupported` error naming `option` on a simulated one: socket
    /// options (`IP_TTL`, `SO_LINGER`, multicast...) have no meaning in the simulated network.
    #[inline]
    pub(crate) fn real(&self, option: &str) -> io::Result<&R> {
        match self {
            SimOr::Real(real) => Ok(real),
            SimOr::Sim(_) => Err(unsupported_option(option)),
        }
    }

    /// Whether this is a socket of the simulated network.
    #[inline]
    pub(crate) fn is_simulated(&self) -> bool {
        matches!(self, SimOr::Sim(_))
    }
}

#[cold]
#[inline(never)]
fn unsupported_option(option: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{option} is a kernel socket option; a socket of the simulated network \
             (runtime::sim) has none"
        ),
    )
}

/// The error the readiness API gives on a simulated socket.
#[cold]
#[inline(never)]
fn unsupported_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "the readiness API (ready, readable, writable, try_*, poll_*_ready, peek, \
         try_io, async_io) needs a kernel socket and is not supported on a socket of the \
         simulated network (runtime::sim): use the async read/write, send/recv methods",
    )
}

#[cold]
#[inline(never)]
#[track_caller]
fn unsupported() -> ! {
    panic!(
        "this operation needs a real kernel socket and is not supported on a socket of the \
         simulated network (runtime::sim): simulated sockets support bind, connect, accept, \
         AsyncRead/AsyncWrite (read, write, split, into_split), shutdown, local_addr, \
         peer_addr, and for UDP send_to, recv_from, connect, send and recv"
    )
}

#[cfg(not(loom))]
impl<M: mio::event::Source> SimOr<PollEvented<M>, crate::engine::SimStream>
where
    for<'a> &'a M: Read + Write,
{
    #[inline]
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self {
            SimOr::Real(real) => real.poll_read(cx, buf),
            SimOr::Sim(sim) => sim.poll_read(cx, buf),
        }
    }

    #[inline]
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            SimOr::Real(real) => real.poll_write(cx, buf),
            SimOr::Sim(sim) => sim.poll_write(cx, buf),
        }
    }

    #[inline]
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self {
            SimOr::Real(real) => real.poll_write_vectored(cx, bufs),
            SimOr::Sim(sim) => {
                // The first non-empty slice, as a `write_vectored` may write less than all.
                let buf = bufs
                    .iter()
                    .find(|b| !b.is_empty())
                    .map_or(&[][..], |b| &**b);
                sim.poll_write(cx, buf)
            }
        }
    }
}

#[cfg(not(loom))]
impl<M: mio::event::Source> SimOr<PollEvented<M>, crate::engine::SimStream>
where
    for<'a> &'a M: Read + Write,
{
    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            SimOr::Real(real) => real.try_write_vectored(bufs),
            SimOr::Sim(_) => Err(unsupported_error()),
        }
    }
}

/// The readiness API, as `PollEvented` has it (so the `io_methods!` bodies pick these up):
/// the real socket's, or an `Unsupported` error on a simulated one.
impl<M: mio::event::Source, S> SimOr<PollEvented<M>, S> {
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<ReadyEvent> {
        match self {
            SimOr::Real(real) => real.ready(interest).await,
            SimOr::Sim(_) => Err(unsupported_error()),
        }
    }

    pub(crate) async fn ready_flags(&self, interest: Interest) -> io::Result<Ready> {
        match self {
            SimOr::Real(real) => real.ready_flags(interest).await,
            SimOr::Sim(_) => Err(unsupported_error()),
        }
    }

    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        if let SimOr::Real(real) = self {
            real.clear_readiness(event);
        }
    }

    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&M) -> io::Result<R>,
    ) -> io::Result<R> {
        match self {
            SimOr::Real(real) => real.try_io(interest, f),
            SimOr::Sim(_) => Err(unsupported_error()),
        }
    }

    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        f: impl FnMut(&M) -> io::Result<R>,
    ) -> io::Result<R> {
        match self {
            SimOr::Real(real) => real.async_io(interest, f).await,
            SimOr::Sim(_) => Err(unsupported_error()),
        }
    }

    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        match self {
            SimOr::Real(real) => real.poll_read_ready(cx),
            SimOr::Sim(_) => Poll::Ready(Err(unsupported_error())),
        }
    }

    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        match self {
            SimOr::Real(real) => real.poll_write_ready(cx),
            SimOr::Sim(_) => Poll::Ready(Err(unsupported_error())),
        }
    }

    pub(crate) fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnMut(&M) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        match self {
            SimOr::Real(real) => real.poll_read_io(cx, f),
            SimOr::Sim(_) => Poll::Ready(Err(unsupported_error())),
        }
    }

    pub(crate) fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnMut(&M) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        match self {
            SimOr::Real(real) => real.poll_write_io(cx, f),
            SimOr::Sim(_) => Poll::Ready(Err(unsupported_error())),
        }
    }
}

/// A socket's own address, kernel or simulated: what `io_methods!`' `local_addr` asks
/// `self.io` for, so every socket type (with or without a simulated variant) writes it once.
pub(crate) trait LocalAddr {
    /// The address type (`std::net::SocketAddr`, or the Unix one).
    type Addr;

    fn local_addr(&self) -> io::Result<Self::Addr>;
}

/// A connected socket's peer address, as [`LocalAddr`] (`io_methods!`' `peer_addr`).
pub(crate) trait PeerAddr: LocalAddr {
    fn peer_addr(&self) -> io::Result<Self::Addr>;
}

/// Implements the two traits for kernel sockets by their inherent methods.
macro_rules! kernel_addrs {
    ($($socket:ty => $addr:ty $(, $peer:ident)?;)*) => {$(
        impl LocalAddr for $socket {
            type Addr = $addr;

            fn local_addr(&self) -> io::Result<$addr> {
                <$socket>::local_addr(self)
            }
        }
        $(
        impl PeerAddr for $socket {
            fn $peer(&self) -> io::Result<$addr> {
                <$socket>::peer_addr(self)
            }
        }
        )?
    )*};
}

kernel_addrs! {
    mio::net::TcpListener => std::net::SocketAddr;
    mio::net::TcpStream => std::net::SocketAddr, peer_addr;
    mio::net::UdpSocket => std::net::SocketAddr, peer_addr;
    mio::net::UnixDatagram => std::os::unix::net::SocketAddr, peer_addr;
}

impl LocalAddr for crate::engine::SimListener {
    type Addr = std::net::SocketAddr;

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        Ok(self.local_addr())
    }
}

impl LocalAddr for crate::engine::SimStream {
    type Addr = std::net::SocketAddr;

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        Ok(self.local_addr())
    }
}

impl PeerAddr for crate::engine::SimStream {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        Ok(self.peer_addr())
    }
}

impl LocalAddr for crate::engine::SimUdp {
    type Addr = std::net::SocketAddr;

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        Ok(self.local_addr())
    }
}

impl PeerAddr for crate::engine::SimUdp {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.peer_addr()
    }
}

impl<M: mio::event::Source + LocalAddr> LocalAddr for PollEvented<M> {
    type Addr = M::Addr;

    fn local_addr(&self) -> io::Result<M::Addr> {
        self.get_ref().local_addr()
    }
}

impl<M: mio::event::Source + PeerAddr> PeerAddr for PollEvented<M> {
    fn peer_addr(&self) -> io::Result<M::Addr> {
        self.get_ref().peer_addr()
    }
}

/// The simulated-socket guard, once: the simulated socket's address, or the kernel one's.
impl<R: LocalAddr, S: LocalAddr<Addr = R::Addr>> LocalAddr for SimOr<R, S> {
    type Addr = R::Addr;

    fn local_addr(&self) -> io::Result<R::Addr> {
        match self {
            SimOr::Real(real) => real.local_addr(),
            SimOr::Sim(sim) => sim.local_addr(),
        }
    }
}

impl<R: PeerAddr, S: PeerAddr<Addr = R::Addr>> PeerAddr for SimOr<R, S> {
    fn peer_addr(&self) -> io::Result<R::Addr> {
        match self {
            SimOr::Real(real) => real.peer_addr(),
            SimOr::Sim(sim) => sim.peer_addr(),
        }
    }
}

/// The current simulation's network and the running task's host, if the current runtime is
/// a simulation (the one check a socket makes, at creation).
#[cfg(not(loom))]
pub(crate) fn simulated() -> Option<(
    crate::loom::sync::Arc<crate::engine::SimNetwork>,
    crate::engine::SimHostId,
)> {
    crate::engine::sim_network().map(|net| (net, crate::engine::sim_current_host()))
}

#[cfg(test)]
mod tests {
    use super::PollEvented;
    use std::mem::size_of;

    #[test]
    fn the_simulated_variant_does_not_make_real_sockets_larger() {
        // At most the variant's tag over the real socket (the simulated one is boxed); with
        // it unboxed a `TcpStream` was 96 bytes, twice its real socket's 48.
        let real = size_of::<PollEvented<mio::net::TcpStream>>();
        assert!(size_of::<crate::net::TcpStream>() <= real + 8);
        let real = size_of::<PollEvented<mio::net::UdpSocket>>();
        assert!(size_of::<crate::net::UdpSocket>() <= real + 8);
        let real = size_of::<PollEvented<mio::net::TcpListener>>();
        assert!(size_of::<crate::net::TcpListener>() <= real + 8);
    }
}
