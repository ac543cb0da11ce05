//! [`UdpSocket`]: datagrams over UDP.

mod buf;
mod options;
mod peek;
mod poll;

use crate::io::poll_evented::PollEvented;
use crate::net::addr::{ToSocketAddrs, each_addr, resolve};
use crate::net::sim_io::{SimOr, simulated};
use io_driver::Interest;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// A UDP socket. All methods take `&self`, so one socket can be shared (for example in an
/// `Arc`) by a sending and a receiving task; any number of tasks may wait on it at once.
///
/// # Examples
///
/// ```
/// use runtime::net::UdpSocket;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct UdpSocket {
    io: SimOr<PollEvented<mio::net::UdpSocket>, crate::engine::SimUdp>,
}

impl UdpSocket {
    /// Binds to `addr` (each resolved address is tried in turn).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_ne!(socket.local_addr()?.port(), 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = resolve(addr).await?;
        // Completes at once for a literal address: spend the budget so a loop still yields.
        crate::task::coop::consume_budget().await;
        if let Some((net, host)) = simulated() {
            let socket = each_addr(&addrs, "binding", |addr| {
                crate::engine::SimUdp::bind(&net, host, addr)
            })?;
            return Ok(UdpSocket {
                io: SimOr::Sim(Box::new(socket)),
            });
        }
        let socket = each_addr(&addrs, "binding", mio::net::UdpSocket::bind)?;
        Ok(UdpSocket {
            io: SimOr::Real(PollEvented::new(socket)?),
        })
    }

    /// Sets the default destination for [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addrs = resolve(addr).await?;
        // Completes at once (a local syscall): spend the budget so a loop over it still yields.
        crate::task::coop::consume_budget().await;
        if let SimOr::Sim(sim) = &self.io {
            return each_addr(&addrs, "connecting to", |addr| sim.connect(addr));
        }
        each_addr(&addrs, "connecting to", |addr| {
            self.io.get_ref().connect(addr)
        })
    }

    /// Sends to the connected peer; returns the bytes sent.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.send(b"hi").await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        if let SimOr::Sim(sim) = &self.io {
            return std::future::poll_fn(|cx| sim.poll_send_to(cx, buf, None)).await;
        }
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer (the excess of a too-long datagram is
    /// discarded).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     b.send(b"yo").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(a.recv(&mut buf).await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        if let SimOr::Sim(_) = &self.io {
            return self.recv_from(buf).await.map(|(n, _)| n);
        }
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Sends one datagram to `target` (resolved first if it is a name).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_eq!(a.send_to(b"abc", b.local_addr()?).await?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addrs = resolve(target).await?;
        if let SimOr::Sim(sim) = &self.io {
            return std::future::poll_fn(|cx| sim.poll_send_to(cx, buf, Some(addrs[0]))).await;
        }
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, addrs[0]))
            .await
    }

    /// Receives one datagram and its sender's address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"abc", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((n, from), (3, a.local_addr()?));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        if let SimOr::Sim(sim) = &self.io {
            return std::future::poll_fn(|cx| sim.poll_recv_from(cx, buf)).await;
        }
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Like [`recv_from`](Self::recv_from) but leaves the datagram queued.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"abc", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let peeked = b.peek_from(&mut buf).await?;
    ///     assert_eq!(b.recv_from(&mut buf).await?, peeked);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.peek_from(buf))
            .await
    }

    crate::net::io_methods::io_methods! {
        /// Waits until a datagram can be received (may be spurious: follow with
        /// [`try_recv_from`](Self::try_recv_from) and handle `WouldBlock`).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     let b = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"x", b.local_addr()?).await?;
        ///     b.readable().await?;
        ///     let mut buf = [0; 1];
        ///     assert_eq!(b.try_recv_from(&mut buf)?.0, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        readable;

        /// Waits until a datagram can be sent.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_send_to(b"x", a.local_addr()?)?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        writable;

        /// Sends to the connected peer without waiting (`WouldBlock` if the buffer is full).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_send(b"self")?, 4);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_send;

        /// Receives from the connected peer without waiting (`WouldBlock` if nothing is queued).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     let err = a.try_recv(&mut [0; 4]).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv;
    }

    /// Sends to `target` without waiting.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.writable().await?;
    ///     assert_eq!(a.try_send_to(b"hey", a.local_addr()?)?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    crate::net::io_methods::io_methods! {
        /// Receives a datagram and its sender without waiting.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     let err = a.try_recv_from(&mut [0; 4]).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_from -> SocketAddr;

    }

    crate::net::io_methods::io_methods! {
        /// The local address.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     assert!(a.local_addr()?.ip().is_loopback());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        local_addr -> SocketAddr;
    }

    crate::net::io_methods::io_methods! {
        /// The connected peer's address (`NotConnected` if [`connect`](Self::connect) was not
        /// called).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
        ///     assert_eq!(a.peer_addr().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        peer_addr -> SocketAddr;
    }

    /// Sets `SO_BROADCAST`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.set_broadcast(true)?;
    ///     assert!(a.broadcast()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.real("SO_BROADCAST")?.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(!a.broadcast()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.real("SO_BROADCAST")?.get_ref().broadcast()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.set_ttl(9)?;
    ///     assert_eq!(a.ttl()?, 9);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.real("IP_TTL")?.get_ref().set_ttl(ttl)
    }

    /// The `IP_TTL` value.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(a.ttl()? > 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.real("IP_TTL")?.get_ref().ttl()
    }

    /// Wraps a std socket (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let addr = std_socket.local_addr()?;
    ///     let socket = runtime::net::UdpSocket::from_std(std_socket)?;
    ///     assert_eq!(socket.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: SimOr::Real(PollEvented::new(mio::net::UdpSocket::from_std(socket))?),
        })
    }

    /// Deregisters the socket and returns it as a std socket, still non-blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let addr = socket.local_addr()?;
    ///     assert_eq!(socket.into_std()?.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        match self.io {
            SimOr::Real(io) => Ok(io.into_inner()?.into()),
            SimOr::Sim(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a simulated UDP socket has no std socket to return",
            )),
        }
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.io {
            SimOr::Real(io) => f
                .debug_struct("UdpSocket")
                .field("io", io.get_ref())
                .finish(),
            SimOr::Sim(sim) => f
                .debug_struct("UdpSocket")
                .field("simulated", &sim.local_addr())
                .finish(),
        }
    }
}
