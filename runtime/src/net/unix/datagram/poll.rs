//! [`UnixDatagram`]'s readiness API (`ready`, `try_io`, `async_io`), its `poll_*` family and
//! the `try_send_to`/`try_recv_from` pair.
//!
//! Every `poll_*` keeps one waker per direction (receive side: `poll_recv*`; send side:
//! `poll_send*`): only the latest call's waker is woken, as Tokio documents. The `async`
//! methods instead let any number of tasks wait at once.

use super::UnixDatagram;
use crate::io::Interest;
use crate::io::context::with_context;
use crate::net::unix::{abstract_sockaddr, shown};
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

/// Sends one datagram to `path` (a filesystem path, or on Linux `"\0name"` for an abstract
/// name); errors other than `WouldBlock` name the target.
fn send_to_path(socket: &mio::net::UnixDatagram, buf: &[u8], path: &Path) -> io::Result<usize> {
    let result = match abstract_sockaddr(path) {
        Some(addr) => addr.and_then(|addr| socket2::SockRef::from(socket).send_to(buf, &addr)),
        None => socket.send_to(buf, path),
    };
    result.map_err(|err| match err.kind() {
        io::ErrorKind::WouldBlock => err,
        _ => with_context(err, format_args!("sending to {}", shown(path))),
    })
}

impl UnixDatagram {
    crate::net::io_methods::io_methods! {
        /// Waits until any of `interest` is ready and returns what is. Any number of tasks may wait
        /// at once: each is woken. Follow with a `try_*` call and handle `WouldBlock`.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"x").await?;
        ///     assert!(b.ready(Interest::READABLE).await?.is_readable());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        ready;

        /// Runs `f` (a custom I/O call on this socket) if `interest` is ready, else `WouldBlock`
        /// without calling it; a `WouldBlock` from `f` clears the readiness.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     let err = a.try_io(Interest::READABLE, || Ok(())).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock); // nothing queued
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_io;

        /// Waits for `interest` and runs `f` until it returns something other than `WouldBlock`.
        /// Any number of tasks may wait at once.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"io").await?;
        ///     let mut buf = [0; 4];
        ///     let n = b.async_io(Interest::READABLE, || b.try_recv(&mut buf)).await?;
        ///     assert_eq!(&buf[..n], b"io");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        async_io;

        /// Polls until a datagram can be received.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"r").await?;
        ///     std::future::poll_fn(|cx| b.poll_recv_ready(cx)).await?;
        ///     assert_eq!(b.try_recv(&mut [0; 4])?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv_ready;

        /// Polls until a datagram can be sent.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixDatagram::pair()?;
        ///     std::future::poll_fn(|cx| a.poll_send_ready(cx)).await?;
        ///     assert_eq!(a.try_send(b"s")?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_send_ready;

        /// Polls to send `buf` to the connected peer.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     assert_eq!(std::future::poll_fn(|cx| a.poll_send(cx, b"ps")).await?, 2);
        ///     assert_eq!(b.recv(&mut [0; 4]).await?, 2);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_send;

        /// Polls to receive one datagram from the connected peer into `buf`, giving its length.
        /// Tokio's fills a `ReadBuf`; this takes a slice and returns the count.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"pr").await?;
        ///     let mut buf = [0; 4];
        ///     let n = std::future::poll_fn(|cx| b.poll_recv(cx, &mut buf)).await?;
        ///     assert_eq!(&buf[..n], b"pr");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv;
    }

    /// Polls to send `buf` to the socket at `target` (on Linux `"\0name"` is an abstract
    /// name); errors name the target.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-udpst-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let server = runtime::net::UnixDatagram::bind(&path)?;
    ///     let client = runtime::net::UnixDatagram::unbound()?;
    ///     assert_eq!(std::future::poll_fn(|cx| client.poll_send_to(cx, b"to", &path)).await?, 2);
    ///     assert_eq!(server.recv(&mut [0; 4]).await?, 2);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let target = target.as_ref();
        self.io.poll_write_io(cx, |s| send_to_path(s, buf, target))
    }

    crate::net::io_methods::io_methods! {
        /// Polls to receive one datagram into `buf`, giving its length and sender. Tokio's fills a
        /// `ReadBuf` and returns the sender; this takes a slice and returns both.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"prf").await?;
        ///     let mut buf = [0; 4];
        ///     let (n, from) = std::future::poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await?;
        ///     assert_eq!(&buf[..n], b"prf");
        ///     assert!(from.is_unnamed());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv_from -> SocketAddr;
    }

    /// Sends one datagram to `target` without waiting (`WouldBlock` if it cannot be sent now);
    /// other errors name the target.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let client = runtime::net::UnixDatagram::unbound()?;
    ///     client.writable().await?;
    ///     let err = client.try_send_to(b"x", "/no/such/socket").unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("/no/such/socket"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .try_io(Interest::WRITABLE, |s| send_to_path(s, buf, target))
    }

    crate::net::io_methods::io_methods! {
        /// Receives one datagram and its sender without waiting (`WouldBlock` if none is queued).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     let err = b.try_recv_from(&mut [0; 4]).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     a.send(b"now").await?;
        ///     b.readable().await?;
        ///     assert_eq!(b.try_recv_from(&mut [0; 4])?.0, 3);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_from -> SocketAddr;
    }
}
