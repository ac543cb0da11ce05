//! [`UdpSocket`]'s readiness API (`ready`, `try_io`, `async_io`) and its `poll_*` family for
//! hand-written futures and `poll_fn`.
//!
//! Every `poll_*` keeps one waker per direction (receive side: `poll_recv*`, `poll_peek*`;
//! send side: `poll_send*`): only the latest call's waker is woken, as Tokio documents. The
//! `async` methods instead let any number of tasks wait at once.

use super::UdpSocket;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

impl UdpSocket {
    crate::net::io_methods::io_methods! {
        /// Waits until any of `interest` is ready and returns what is. Any number of tasks may wait
        /// at once: each is woken. Follow with a `try_*` call and handle `WouldBlock` (another task
        /// may have taken the datagram), which clears the readiness.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"x", b.local_addr()?).await?;
        ///     let ready = b.ready(Interest::READABLE | Interest::WRITABLE).await?;
        ///     assert!(ready.is_writable());
        ///     let mut buf = [0; 4];
        ///     assert_eq!(b.recv_from(&mut buf).await?.0, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        ready;

        /// Runs `f` (a custom I/O call on this socket) if `interest` is ready, else `WouldBlock`
        /// without calling it; a `WouldBlock` from `f` clears the readiness.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.writable().await?;
        ///     let to = a.local_addr()?;
        ///     let sent = a.try_io(Interest::WRITABLE, || {
        ///         socket2::SockRef::from(&a).send_to(b"self", &to.into())
        ///     });
        ///     # let sent: std::io::Result<usize> = sent;
        ///     assert_eq!(sent?, 4);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_io;

        /// Waits for `interest` and runs `f` until it returns something other than `WouldBlock`.
        /// Any number of tasks may wait at once.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"loop", a.local_addr()?).await?;
        ///     let mut buf = [0; 8];
        ///     let n = a.async_io(Interest::READABLE, || std::net::UdpSocket::recv(
        ///         &std::net::UdpSocket::from(std::os::fd::AsFd::as_fd(&a).try_clone_to_owned()?),
        ///         &mut buf,
        ///     )).await?;
        ///     assert_eq!(&buf[..n], b"loop");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        async_io;

        /// Polls until a datagram can be received.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// use std::future::poll_fn;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"r", a.local_addr()?).await?;
        ///     poll_fn(|cx| a.poll_recv_ready(cx)).await?;
        ///     assert_eq!(a.try_recv_from(&mut [0; 4])?.0, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv_ready;

        /// Polls until a datagram can be sent.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// use std::future::poll_fn;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     poll_fn(|cx| a.poll_send_ready(cx)).await?;
        ///     assert_eq!(a.try_send_to(b"s", a.local_addr()?)?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_send_ready;

        /// Polls to send `buf` to the connected peer (an error if not connected).
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// use std::future::poll_fn;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     assert_eq!(poll_fn(|cx| a.poll_send(cx, b"hey")).await?, 3);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_send;

        /// Polls to receive one datagram from the connected peer into `buf`, giving its length
        /// (a longer datagram is truncated). Tokio's fills a `ReadBuf`; this takes a slice and
        /// returns the count, as `AsyncRead::poll_read` does.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// use std::future::poll_fn;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     a.send(b"echo").await?;
        ///     let mut buf = [0; 8];
        ///     let n = poll_fn(|cx| a.poll_recv(cx, &mut buf)).await?;
        ///     assert_eq!(&buf[..n], b"echo");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv;
    }

    /// Polls to send `buf` to `target`.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let to = a.local_addr()?;
    ///     assert_eq!(poll_fn(|cx| a.poll_send_to(cx, b"to", to)).await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send_to(buf, target))
    }

    crate::net::io_methods::io_methods! {
        /// Polls to receive one datagram into `buf`, giving its length and sender. Tokio's fills a
        /// `ReadBuf` and returns the sender; this takes a slice and returns both.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// use std::future::poll_fn;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"from", a.local_addr()?).await?;
        ///     let mut buf = [0; 8];
        ///     let (n, from) = poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await?;
        ///     assert_eq!((&buf[..n], from), (&b"from"[..], a.local_addr()?));
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_recv_from -> SocketAddr;
    }

    /// Polls to read the next datagram into `buf` without removing it from the queue, giving
    /// its length and sender.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"stay", a.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = poll_fn(|cx| a.poll_peek_from(cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"stay");
    ///     assert_eq!(a.recv_from(&mut buf).await?.0, 4); // still queued
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_read_io(cx, |s| s.peek_from(buf))
    }

    /// Polls for the sender of the next datagram without removing it from the queue.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"who", a.local_addr()?).await?;
    ///     let from = poll_fn(|cx| a.poll_peek_sender(cx)).await?;
    ///     assert_eq!(from, a.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.io.poll_read_io(cx, super::buf::peek_sender_of)
    }
}
