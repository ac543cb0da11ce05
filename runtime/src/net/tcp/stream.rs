//! [`TcpStream`]: a connected TCP socket.

mod options;
mod readiness;
#[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
mod ring;

use super::split::{ReadHalf, WriteHalf, split};
use super::split_owned::{OwnedReadHalf, OwnedWriteHalf, split_owned};
use crate::io::context::with_context;
use crate::io::poll_evented::PollEvented;
use crate::net::addr::{ToSocketAddrs, resolve};
use crate::net::forward::{forward_read, forward_write};
use crate::net::sim_io::{SimOr, simulated};
use futures_io::{AsyncRead, AsyncWrite};
use io_driver::Interest;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// A TCP connection; implements [`AsyncRead`] and [`AsyncWrite`] (also through `&TcpStream`,
/// so one task may read while another writes).
///
/// # Splitting
///
/// `TcpStream::split(&mut stream)` gives borrowed halves and
/// [`into_split`](Self::into_split) owned ones, both lock-free. Note that with
/// [`AsyncReadExt`](crate::io::AsyncReadExt) in scope, the method-call spelling
/// `stream.split()` on a *value* picks futures-util's by-value `AsyncReadExt::split`
/// instead (halves joined by a lock); write `TcpStream::split(&mut stream)` to be explicit.
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
///     let server = runtime::spawn(async move {
///         let (mut conn, _) = listener.accept().await?;
///         let mut buf = [0; 5];
///         conn.read_exact(&mut buf).await?;
///         conn.write_all(&buf).await?; // echo
///         Ok::<(), std::io::Error>(())
///     });
///     let mut stream = TcpStream::connect(addr).await?;
///     stream.write_all(b"hello").await?;
///     let mut reply = [0; 5];
///     stream.read_exact(&mut reply).await?;
///     assert_eq!(&reply, b"hello");
///     server.await.unwrap()?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct TcpStream {
    /// Reads and writes through the runtime's io_uring (`Builder::io_uring_sockets`;
    /// `stream/ring.rs`), or `None`: readiness and system calls. Declared (so dropped) before
    /// `io`: its operations name `io`'s descriptor until submitted (U10 of the ring).
    #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
    pub(super) ring: Option<Box<ring::RingSocket>>,
    pub(super) io: SimOr<PollEvented<mio::net::TcpStream>, crate::engine::SimStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to until one accepts.
    ///
    /// Errors keep the OS error's kind (`ConnectionRefused`, `TimedOut`, ...) with the address
    /// in the message; a malformed address gives `InvalidInput`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let port = listener.local_addr()?.port();
    ///     let stream = runtime::net::TcpStream::connect(("127.0.0.1", port)).await?;
    ///     assert_eq!(stream.peer_addr()?.port(), port);
    ///     drop(listener);
    ///     let err = runtime::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = resolve(addr).await?;
        let simulated = simulated();
        let mut last = None;
        for addr in addrs {
            let connected = match &simulated {
                Some((net, host)) => TcpStream::connect_sim(net, *host, addr).await,
                None => TcpStream::connect_addr(addr).await,
            };
            match connected {
                Ok(stream) => return Ok(stream),
                Err(err) => last = Some(with_context(err, format_args!("connecting to {addr}"))),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(mio::net::TcpStream::connect(addr)?)?;
        loop {
            let event = std::future::poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
            if let Some(err) = stream.io.get_ref().take_error()? {
                return Err(err);
            }
            match stream.io.get_ref().peer_addr() {
                Ok(_) => return Ok(stream),
                // A writable edge before the handshake finished: wait for the next one.
                Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                    stream.io.clear_readiness(event);
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// A connect on the simulated network: the SYN travels, the answer comes back.
    async fn connect_sim(
        net: &crate::loom::sync::Arc<crate::engine::SimNetwork>,
        host: crate::engine::SimHostId,
        addr: SocketAddr,
    ) -> io::Result<TcpStream> {
        let connecting = crate::engine::SimStream::connect(net, host, addr)?;
        let stream = std::future::poll_fn(|cx| connecting.poll(cx)).await?;
        Ok(TcpStream::from_sim(stream))
    }

    pub(crate) fn from_sim(stream: crate::engine::SimStream) -> TcpStream {
        TcpStream {
            io: SimOr::Sim(Box::new(stream)),
            #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
            ring: None,
        }
    }

    pub(crate) fn from_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
            ring: ring::RingSocket::for_current(&stream),
            io: SimOr::Real(PollEvented::new(stream)?),
        })
    }

    /// Wraps a connected std stream (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    ///     let stream = runtime::net::TcpStream::from_std(std_stream)?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream, still non-blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let std_stream = stream.into_std()?;
    ///     std_stream.set_nonblocking(false)?;
    ///     assert_eq!(std_stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            ring.check_idle()?;
        }
        match self.io {
            SimOr::Real(io) => Ok(io.into_inner()?.into()),
            SimOr::Sim(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a simulated stream has no std stream to return",
            )),
        }
    }

    crate::net::io_methods::io_methods! {
        /// The local address of this end.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
        ///     assert!(stream.local_addr()?.ip().is_loopback());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        local_addr -> SocketAddr;
    }

    crate::net::io_methods::io_methods! {
        /// The remote address.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
        ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        peer_addr -> SocketAddr;
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm: small writes go out at once).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_nodelay(true)?;
    ///     assert!(stream.nodelay()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        if self.io.is_simulated() {
            // The simulated network sends every write at once: always "no delay".
            return Ok(());
        }
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     assert!(!stream.nodelay()?); // off by default, as in std
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        if self.io.is_simulated() {
            return Ok(true);
        }
        self.io.get_ref().nodelay()
    }

    /// Sets `IP_TTL`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_ttl(33)?;
    ///     assert_eq!(stream.ttl()?, 33);
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
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     assert!(stream.ttl()? > 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.real("IP_TTL")?.get_ref().ttl()
    }

    /// Shuts down the read half, the write half (the peer reads end-of-file) or both.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.shutdown(std::net::Shutdown::Write)?;
    ///     let mut rest = Vec::new();
    ///     assert_eq!(server.read_to_end(&mut rest).await?, 0); // EOF
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if let SimOr::Sim(sim) = &self.io {
            return sim.shutdown(how);
        }
        // A send in flight goes out before the FIN (`stream/ring.rs`, "Shutdown").
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if how != Shutdown::Read
            && let Some(ring) = &self.ring
            && ring.shutdown_write_after_send()
        {
            if how == Shutdown::Both {
                self.io.get_ref().shutdown(Shutdown::Read)?;
            }
            return Ok(());
        }
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream is writable. May report ready spuriously: follow with
    /// [`try_write`](Self::try_write) and handle `WouldBlock`.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error while a ring
    /// `send` is in flight: flush the stream first.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.writable().await?;
    ///     assert_eq!(stream.try_write(b"hello")?, 5);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.ring_check(Interest::WRITABLE)?;
        self.io.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Writes what fits without waiting; `WouldBlock` if nothing does.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error while a ring
    /// `send` is in flight, whose bytes this write would overtake: flush the stream first.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.writable().await?;
    ///     assert_eq!(stream.try_write(b"abc")?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.ring_check(Interest::WRITABLE)?;
        self.io.try_io(Interest::WRITABLE, |mut s| {
            std::io::Write::write(&mut s, buf)
        })
    }

    /// Like [`try_write`](Self::try_write) with several buffers in one system call. A small
    /// write (at most 1 KiB in all) in several buffers is copied into one and sent with a plain
    /// `send`, which costs the kernel less than `writev`; the bytes and the count returned are
    /// the same either way.
    ///
    /// With ring sockets, an `Unsupported` error while a ring `send` is in flight, as
    /// [`try_write`](Self::try_write).
    ///
    /// ```
    /// use std::io::IoSlice;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.writable().await?;
    ///     let n = stream.try_write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"cd")])?;
    ///     assert_eq!(n, 4);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> io::Result<usize> {
        self.ring_check(Interest::WRITABLE)?;
        self.io.try_write_vectored(bufs)
    }

    /// Waits until the stream is readable (data, end-of-file or an error is pending). Any
    /// number of tasks may wait at once. May report ready spuriously: follow with
    /// [`try_read`](Self::try_read) and handle `WouldBlock`.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error while the ring
    /// holds read state (a `recv` in flight or bytes read ahead): read with `AsyncRead` then.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"hi")?;
    ///     let mut buf = [0; 8];
    ///     let n = loop {
    ///         stream.readable().await?;
    ///         match stream.try_read(&mut buf) {
    ///             Ok(n) => break n,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => return Err(e),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.ring_check(Interest::READABLE)?;
        self.io.ready(Interest::READABLE).await.map(drop)
    }

    /// Reads what is available without waiting; `WouldBlock` if nothing is (and then clears
    /// the cached readiness, so the next [`readable`](Self::readable) waits for new data).
    /// `Ok(0)` means end-of-file.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), bytes the ring read ahead are handed
    /// out first, and while a ring `recv` is in flight it is an `Unsupported` error.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let err = stream.try_read(&mut [0; 8]).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(ahead) = self.ring_read_ahead(|ahead| copy_prefix(ahead, buf)) {
            return ahead;
        }
        self.io
            .try_io(Interest::READABLE, |mut s| std::io::Read::read(&mut s, buf))
    }

    /// Receives data without removing it from the socket's queue; waits until some arrives.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error while the ring
    /// holds read state (a `recv` in flight or bytes read ahead).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"peek")?;
    ///     let mut buf = [0; 4];
    ///     let n = stream.peek(&mut buf).await?;
    ///     assert_eq!(&buf[..n], &b"peek"[..n]);
    ///     assert_eq!(stream.try_read(&mut buf)?, n); // still there
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.ring_check(Interest::READABLE)?;
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Borrowed read and write halves, usable from two futures at once (no lock).
    ///
    /// With [`AsyncReadExt`](crate::io::AsyncReadExt) in scope, spell it
    /// `TcpStream::split(&mut stream)`: `stream.split()` would pick futures-util's by-value
    /// `AsyncReadExt::split`.
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime::net::{TcpListener, TcpStream};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     let (mut reader, mut writer) = TcpStream::split(&mut server);
    ///     client.write_all(b"abc").await?;
    ///     let mut buf = [0; 3];
    ///     reader.read_exact(&mut buf).await?;
    ///     writer.write_all(&buf).await?;
    ///     client.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"abc");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split(self)
    }

    /// Owned read and write halves that can move to different tasks (no lock). Dropping
    /// the write half shuts the write direction down; [`OwnedReadHalf::reunite`] puts the
    /// halves back together.
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// use runtime::net::{TcpListener, TcpStream};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut reader, mut writer) = client.into_split();
    ///     let writer_task = runtime::spawn(async move { writer.write_all(b"xyz").await });
    ///     let (mut server, _) = listener.accept().await?;
    ///     let mut buf = [0; 3];
    ///     server.read_exact(&mut buf).await?;
    ///     server.write_all(&buf).await?;
    ///     reader.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"xyz");
    ///     writer_task.await.unwrap()?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned(self)
    }

    /// The readiness API's one ring check (`stream/ring.rs`, "Readiness APIs"): with ring
    /// sockets, an `Unsupported` error while the ring holds state in a direction `interest`
    /// names; `Ok` otherwise.
    #[inline]
    fn ring_check(&self, interest: Interest) -> io::Result<()> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            return ring.check_interest(interest);
        }
        let _ = interest;
        Ok(())
    }

    /// The `try_read` family's ring step: with ring sockets, bytes read ahead go to `copy`
    /// (which returns how many it took from the front) and that count is the result; while a
    /// ring `recv` is in flight, an `Unsupported` error. `None`: read the socket.
    #[inline]
    fn ring_read_ahead(&self, copy: impl FnOnce(&[u8]) -> usize) -> Option<io::Result<usize>> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            return ring.take_read_ahead(copy);
        }
        let _ = copy;
        None
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<io::Result<usize>> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            return ring.poll_read(cx, buf);
        }
        self.io.poll_read(cx, buf)
    }

    pub(crate) fn poll_write_priv(
        &self,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            return ring.poll_write(cx, buf);
        }
        self.io.poll_write(cx, buf)
    }

    pub(crate) fn poll_write_vectored_priv(
        &self,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<io::Result<usize>> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            // One send per write: the first non-empty slice (a vectored write may write less
            // than all).
            let first = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &**b);
            return ring.poll_write(cx, first);
        }
        self.io.poll_write_vectored(cx, bufs)
    }

    /// `AsyncWrite::poll_flush`: without the ring every write is already in the kernel; with
    /// it, waits for the send in flight.
    pub(crate) fn poll_flush_priv(
        &self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            return ring.poll_flush(cx);
        }
        let _ = cx;
        std::task::Poll::Ready(Ok(()))
    }
}

/// Copies as much of `src` as fits into `dst`; returns how many bytes.
fn copy_prefix(src: &[u8], dst: &mut [u8]) -> usize {
    let n = src.len().min(dst.len());
    dst[..n].copy_from_slice(&src[..n]);
    n
}

forward_read!(TcpStream, |s| s);
forward_write!(TcpStream, |s| s);
forward_read!(&TcpStream, |s| *s);
forward_write!(&TcpStream, |s| *s);

// Compile-time checks of the traits `TcpStream` and `&TcpStream` must keep: the futures-io pair
// (so `futures_util`'s `AsyncReadExt`/`AsyncWriteExt` work on them), `Send + Sync` to move
// between tasks and `Unpin` to use them without pinning.
const _: fn() = || {
    fn io<T: AsyncRead + AsyncWrite + Send + Sync + Unpin>() {}
    io::<TcpStream>();
    io::<&TcpStream>();
};

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.io {
            SimOr::Real(io) => f
                .debug_struct("TcpStream")
                .field("io", io.get_ref())
                .finish(),
            SimOr::Sim(sim) => f
                .debug_struct("TcpStream")
                .field("simulated", &sim.local_addr())
                .field("peer", &sim.peer_addr())
                .finish(),
        }
    }
}
