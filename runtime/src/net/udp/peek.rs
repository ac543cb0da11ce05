//! [`UdpSocket`]'s peeks at the connected peer's next datagram (`peek`, `try_peek`,
//! `poll_peek`) and `try_peek_from`: each reads the datagram and leaves it queued.

use super::UdpSocket;
use crate::io::Interest;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

impl UdpSocket {
    /// Waits for a datagram from the connected peer and copies it into `buf` (truncated to
    /// it) without removing it from the queue. Any number of tasks may wait at once.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.send(b"again").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(a.peek(&mut buf).await?, 5);
    ///     assert_eq!(a.recv(&mut buf).await?, 5); // still queued
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// [`peek`](Self::peek) without waiting: `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     let err = a.try_peek(&mut [0; 4]).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.peek(buf))
    }

    /// Polls to peek at the connected peer's next datagram (see [`peek`](Self::peek)); only
    /// the latest receive-side poll's waker is woken. Tokio's fills a `ReadBuf`; this takes a
    /// slice and returns the count.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(a.local_addr()?).await?;
    ///     a.send(b"pp").await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(std::future::poll_fn(|cx| a.poll_peek(cx, &mut buf)).await?, 2);
    ///     assert_eq!(a.try_peek(&mut buf)?, 2); // still queued
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, |s| s.peek(buf))
    }

    /// [`peek_from`](Self::peek_from) without waiting: `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let err = a.try_peek_from(&mut [0; 4]).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    ///     a.send_to(b"pf", a.local_addr()?).await?;
    ///     a.readable().await?;
    ///     let (n, from) = a.try_peek_from(&mut [0; 4])?;
    ///     assert_eq!((n, from), (2, a.local_addr()?));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.peek_from(buf))
    }
}
