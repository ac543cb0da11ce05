//! [`UnixDatagram`]: Unix-domain datagram sockets.

mod buf;
mod conversions;
mod poll;

use crate::io::context::with_context;
use crate::io::poll_evented::PollEvented;
use io_driver::Interest;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// A Unix-domain datagram socket; all methods take `&self`.
///
/// # Examples
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = runtime::net::UnixDatagram::pair()?;
///     a.send(b"one").await?;
///     a.send(b"two").await?;
///     let mut buf = [0; 8];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"one"); // message boundaries are kept
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    fn new(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Creates a socket bound to `path` (the error names the path). On Linux a path starting
    /// with a NUL byte (`"\0name"`) binds that abstract name; `connect` and `send_to` accept
    /// such names too.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-udb-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let socket = runtime::net::UnixDatagram::bind(&path)?;
    ///     assert_eq!(socket.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        let socket = super::socket_addr(path)
            .and_then(|addr| mio::net::UnixDatagram::bind_addr(&addr))
            .map_err(|err| with_context(err, format_args!("binding {}", super::shown(path))))?;
        UnixDatagram::new(socket)
    }

    /// Creates a socket bound to no address (it can still send, and receive once connected).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UnixDatagram::unbound()?;
    ///     assert!(socket.local_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of unnamed sockets.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    /// Sets the default destination of [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts (synchronous).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-udc-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let server = runtime::net::UnixDatagram::bind(&path)?;
    ///     let client = runtime::net::UnixDatagram::unbound()?;
    ///     client.connect(&path)?;
    ///     client.send(b"hey").await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(server.recv(&mut buf).await?, 3);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        let socket = self.io.get_ref();
        match super::abstract_sockaddr(path) {
            Some(addr) => addr.and_then(|addr| socket2::SockRef::from(socket).connect(&addr)),
            None => socket.connect(path),
        }
        .map_err(|err| with_context(err, format_args!("connecting to {}", super::shown(path))))
    }

    crate::net::io_methods::io_methods! {
        /// Sends one datagram to the connected peer.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     assert_eq!(a.send(b"abc").await?, 3);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        send;

        /// Receives one datagram from the connected peer.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"abc").await?;
        ///     assert_eq!(b.recv(&mut [0; 8]).await?, 3);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv;
    }

    /// Sends one datagram to the socket at `path`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-uds-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let server = runtime::net::UnixDatagram::bind(&path)?;
    ///     let client = runtime::net::UnixDatagram::unbound()?;
    ///     assert_eq!(client.send_to(b"hi", &path).await?, 2);
    ///     assert_eq!(server.recv_from(&mut [0; 4]).await?.0, 2);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        let send = async {
            let addr = super::abstract_sockaddr(path).transpose()?;
            self.io
                .async_io(Interest::WRITABLE, |s| match &addr {
                    Some(addr) => socket2::SockRef::from(s).send_to(buf, addr),
                    None => s.send_to(buf, path),
                })
                .await
        };
        send.await
            .map_err(|err| with_context(err, format_args!("sending to {}", super::shown(path))))
    }

    crate::net::io_methods::io_methods! {
        /// Receives one datagram and its sender's address.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"x").await?;
        ///     let (n, from) = b.recv_from(&mut [0; 4]).await?;
        ///     assert_eq!(n, 1);
        ///     assert!(from.is_unnamed());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv_from -> SocketAddr;

        /// Waits until a datagram can be received.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"x").await?;
        ///     b.readable().await?;
        ///     assert_eq!(b.try_recv(&mut [0; 4])?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        readable;

        /// Waits until a datagram can be sent.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_send(b"y")?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        writable;

        /// Sends without waiting (`WouldBlock` if the peer's queue is full).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_send(b"z")?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_send;

        /// Receives without waiting (`WouldBlock` if nothing is queued).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     let err = a.try_recv(&mut [0; 4]).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv;

        /// The local address.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     assert!(a.local_addr()?.is_unnamed());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        local_addr -> SocketAddr;

        /// The connected peer's address.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let socket = runtime::net::UnixDatagram::unbound()?;
        ///     assert!(socket.peer_addr().is_err()); // not connected
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        peer_addr -> SocketAddr;
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("io", self.io.get_ref())
            .finish()
    }
}
