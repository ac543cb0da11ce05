//! Borrowed halves of a [`TcpStream`]: [`ReadHalf`] and [`WriteHalf`], from
//! [`TcpStream::split`]. No lock: a TCP socket can be read and written at the same time.

use super::TcpStream;
use crate::net::forward::{forward_read, forward_write};
use std::io;
use std::net::SocketAddr;

/// The reading half of a borrowed [`TcpStream`]; implements
/// [`AsyncRead`](crate::io::AsyncRead).
///
/// ```
/// use runtime::io::AsyncReadExt;
/// use runtime::net::{TcpListener, TcpStream};
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut stream = TcpStream::connect(listener.local_addr()?).await?;
///     std::mem::drop(listener.accept().await?); // the peer closes at once
///     let (mut reader, _writer) = TcpStream::split(&mut stream);
///     let mut rest = Vec::new();
///     assert_eq!(reader.read_to_end(&mut rest).await?, 0);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The writing half of a borrowed [`TcpStream`]; implements
/// [`AsyncWrite`](crate::io::AsyncWrite). `close` shuts the write direction down.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{TcpListener, TcpStream};
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut stream = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     let (_reader, mut writer) = TcpStream::split(&mut stream);
///     writer.write_all(b"bye").await?;
///     writer.close().await?;
///     let mut all = Vec::new();
///     server.read_to_end(&mut all).await?;
///     assert_eq!(all, b"bye");
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

super::half_readiness::read_half_readiness!(
    ReadHalf<'_>,
    |half| half.0,
    "let (reader, _writer) = runtime::net::TcpStream::split(&mut stream);"
);
super::half_readiness::write_half_readiness!(
    WriteHalf<'_>,
    |half| half.0,
    "let (_reader, writer) = runtime::net::TcpStream::split(&mut stream);"
);

pub(super) fn split(stream: &mut TcpStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

impl ReadHalf<'_> {
    /// Receives data without removing it from the socket's queue, waiting until some arrives
    /// ([`TcpStream::peek`] through the half); the next read returns the same bytes.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"look")?;
    ///     let (mut r, _w) = runtime::net::TcpStream::split(&mut s);
    ///     let mut buf = [0; 4];
    ///     let n = r.peek(&mut buf).await?;
    ///     assert_eq!(&buf[..n], &b"look"[..n]);
    ///     let mut again = [0; 4];
    ///     r.read_exact(&mut again[..n]).await?;
    ///     assert_eq!(again[..n], buf[..n]); // the peek consumed nothing
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf).await
    }

    /// Polls to receive data without removing it from the socket's queue
    /// ([`TcpStream::poll_peek`] through the half).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"pk")?;
    ///     let (mut r, _w) = runtime::net::TcpStream::split(&mut s);
    ///     let mut buf = [0; 4];
    ///     let n = std::future::poll_fn(|cx| r.poll_peek(cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], &b"pk"[..n]);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_peek(
        &mut self,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<io::Result<usize>> {
        self.0.poll_peek(cx, buf)
    }

    /// The remote address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (r, _w) = runtime::net::TcpStream::split(&mut s);
    ///     assert_eq!(r.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let local = s.local_addr()?;
    ///     let (r, _w) = runtime::net::TcpStream::split(&mut s);
    ///     assert_eq!(r.local_addr()?, local);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl WriteHalf<'_> {
    /// The remote address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_r, w) = runtime::net::TcpStream::split(&mut s);
    ///     assert_eq!(w.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let mut s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let local = s.local_addr()?;
    ///     let (_r, w) = runtime::net::TcpStream::split(&mut s);
    ///     assert_eq!(w.local_addr()?, local);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

forward_read!(ReadHalf<'_>, |h| h.0);
forward_write!(WriteHalf<'_>, |h| h.0);
