//! [`TcpListener`]: accepts TCP connections.

use super::TcpStream;
use crate::io::poll_evented::PollEvented;
use crate::net::addr::{ToSocketAddrs, each_addr, resolve};
use crate::net::sim_io::{SimOr, simulated};
use io_driver::Interest;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{TcpListener, TcpStream};
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let client = runtime::spawn(async move {
///         let mut stream = TcpStream::connect(addr).await?;
///         stream.write_all(b"ping").await?;
///         Ok::<_, std::io::Error>(stream)
///     });
///     let (mut conn, peer) = listener.accept().await?;
///     let mut buf = [0; 4];
///     conn.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     assert_eq!(peer, client.await.unwrap()?.local_addr()?);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct TcpListener {
    io: SimOr<PollEvented<mio::net::TcpListener>, crate::engine::SimListener>,
}

impl TcpListener {
    /// Binds to `addr` (resolved first if it is a name; each resulting address is tried in
    /// turn). The socket has `SO_REUSEADDR` set and a backlog of 128 (std's value).
    ///
    /// Errors: the last address's error (e.g. `AddrInUse`), with the address in the message.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind(("localhost", 0)).await?;
    ///     assert!(listener.local_addr()?.ip().is_loopback());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = resolve(addr).await?;
        // Completes at once for a literal address: spend the budget so a loop still yields.
        crate::task::coop::consume_budget().await;
        if let Some((net, host)) = simulated() {
            let listener = each_addr(&addrs, "binding", |addr| {
                crate::engine::SimListener::bind(&net, host, addr)
            })?;
            return Ok(TcpListener {
                io: SimOr::Sim(Box::new(listener)),
            });
        }
        let listener = each_addr(&addrs, "binding", mio::net::TcpListener::bind)?;
        TcpListener::new(listener)
    }

    fn new(listener: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: SimOr::Real(PollEvented::new(listener)?),
        })
    }

    /// Waits for a connection and returns it (non-blocking, registered with this runtime)
    /// with the peer's address.
    ///
    /// An error such as `EMFILE` (too many open files) is returned as it is; the listener
    /// stays usable and later calls succeed once descriptors are free again. Cancel-safe: a
    /// dropped `accept` future never loses a connection.
    ///
    /// Any number of tasks may wait in `accept` on one listener (shared through an `Arc`):
    /// each waiter is woken when a connection arrives, and each connection goes to one of them.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let _client = std::net::TcpStream::connect(addr)?;
    ///     let (stream, peer) = listener.accept().await?;
    ///     assert_eq!(stream.peer_addr()?, peer);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        if let SimOr::Sim(listener) = &self.io {
            return std::future::poll_fn(|cx| listener.poll_accept(cx))
                .await
                .map(|(stream, peer)| (TcpStream::from_sim(stream), peer));
        }
        let (stream, peer) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((TcpStream::from_mio(stream)?, peer))
    }

    /// Polls for a connection; if none is pending, stores `cx`'s waker and returns `Pending`.
    ///
    /// The listener keeps only one such waker, as `poll_read` does for a stream: when several
    /// tasks call `poll_accept`, only the last one to poll is woken. To wait from several
    /// tasks at once, use [`accept`](Self::accept).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let _client = std::net::TcpStream::connect(listener.local_addr()?)?;
    ///     let (_stream, peer) = std::future::poll_fn(|cx| listener.poll_accept(cx)).await?;
    ///     assert!(peer.ip().is_loopback());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        if let SimOr::Sim(listener) = &self.io {
            return listener
                .poll_accept(cx)
                .map_ok(|(stream, peer)| (TcpStream::from_sim(stream), peer));
        }
        let (stream, peer) = std::task::ready!(self.io.poll_read_io(cx, |l| l.accept()))?;
        Poll::Ready(Ok((TcpStream::from_mio(stream)?, peer)))
    }

    /// Wraps a std listener (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let addr = std_listener.local_addr()?;
    ///     let listener = runtime::net::TcpListener::from_std(std_listener)?;
    ///     assert_eq!(listener.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a std listener, still in non-blocking
    /// mode (call `set_nonblocking(false)` to block on it).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let std_listener = listener.into_std()?;
    ///     assert_eq!(std_listener.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        match self.io {
            SimOr::Real(io) => Ok(io.into_inner()?.into()),
            SimOr::Sim(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a simulated listener has no std listener to return",
            )),
        }
    }

    crate::net::io_methods::io_methods! {
        /// The local address the listener is bound to.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
        ///     assert_ne!(listener.local_addr()?.port(), 0);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        local_addr -> SocketAddr;
    }

    /// Sets `IP_TTL` for sockets accepted from now on and this one.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     listener.set_ttl(42)?;
    ///     assert_eq!(listener.ttl()?, 42);
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
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(listener.ttl()? > 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.real("IP_TTL")?.get_ref().ttl()
    }
}

/// [`TcpListener::from_std`] (which switches the listener to non-blocking itself).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
///     let addr = std_listener.local_addr()?;
///     let listener = runtime::net::TcpListener::try_from(std_listener)?;
///     assert_eq!(listener.local_addr()?, addr);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::net::TcpListener> for TcpListener {
    type Error = io::Error;

    fn try_from(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::from_std(listener)
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.io {
            SimOr::Real(io) => f
                .debug_struct("TcpListener")
                .field("io", io.get_ref())
                .finish(),
            SimOr::Sim(sim) => f
                .debug_struct("TcpListener")
                .field("simulated", &sim.local_addr())
                .finish(),
        }
    }
}
