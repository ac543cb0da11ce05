//! Owned halves of a [`TcpStream`]: [`OwnedReadHalf`] and [`OwnedWriteHalf`], from
//! [`TcpStream::into_split`]. They share the stream through an `Arc`; no lock, since a TCP
//! socket can be read and written at the same time.

use super::TcpStream;
use crate::loom::sync::Arc;
use crate::net::forward::{forward_read, forward_write};
use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};

/// The reading half of a [`TcpStream`], movable to its own task; implements
/// [`AsyncRead`](crate::io::AsyncRead).
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
///     let (mut reader, _writer) = stream.into_split();
///     listener.accept().await?.0.write_all(b"data").await?;
///     let reading = runtime::spawn(async move {
///         let mut buf = [0; 4];
///         reader.read_exact(&mut buf).await.map(|()| buf)
///     });
///     assert_eq!(&reading.await.unwrap()?, b"data");
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<TcpStream>,
}

/// The writing half of a [`TcpStream`], movable to its own task; implements
/// [`AsyncWrite`](crate::io::AsyncWrite). Dropping it (or `close`) shuts the write direction
/// down, so the peer reads end-of-file.
///
/// ```
/// use runtime::io::AsyncReadExt;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
///     let (_reader, writer) = stream.into_split();
///     drop(writer);
///     let mut rest = Vec::new();
///     assert_eq!(listener.accept().await?.0.read_to_end(&mut rest).await?, 0);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<TcpStream>,
    /// Cleared by `reunite`, which must hand the stream back intact.
    shutdown_on_drop: bool,
}

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams; both are
/// handed back.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same TcpStream")
    }
}

impl Error for ReuniteError {}

super::half_readiness::read_half_readiness!(
    OwnedReadHalf,
    |half| half.inner,
    "let (reader, _writer) = stream.into_split();"
);
super::half_readiness::write_half_readiness!(
    OwnedWriteHalf,
    |half| half.inner,
    "let (_reader, writer) = stream.into_split();"
);

pub(super) fn split_owned(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

impl OwnedReadHalf {
    /// Receives data without removing it from the socket's queue, waiting until some arrives
    /// ([`TcpStream::peek`] through the half); the next read returns the same bytes.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"look")?;
    ///     let (mut r, _w) = s.into_split();
    ///     let mut buf = [0; 4];
    ///     let n = r.peek(&mut buf).await?;
    ///     let mut again = [0; 4];
    ///     r.read_exact(&mut again[..n]).await?;
    ///     assert_eq!(again[..n], buf[..n]); // the peek consumed nothing
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }

    /// Polls to receive data without removing it from the socket's queue
    /// ([`TcpStream::poll_peek`] through the half).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"pk")?;
    ///     let (mut r, _w) = s.into_split();
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
        self.inner.poll_peek(cx, buf)
    }

    /// Puts the stream back together; fails (returning both halves) if `write` belongs to
    /// another stream.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let a = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let b = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (ra, wa) = a.into_split();
    ///     let (rb, wb) = b.into_split();
    ///     let err = ra.reunite(wb).unwrap_err();
    ///     let stream = err.0.reunite(wa).unwrap();
    ///     assert!(stream.peer_addr().is_ok());
    ///     drop((rb, err.1));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn reunite(self, write: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &write.inner) {
            return Err(ReuniteError(self, write));
        }
        let mut write = write;
        write.shutdown_on_drop = false;
        let inner = Arc::clone(&write.inner);
        drop((self, write));
        Ok(Arc::try_unwrap(inner)
            .expect("both halves of the pair were given, so no other reference exists"))
    }

    /// The remote address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (r, _w) = s.into_split();
    ///     assert_eq!(r.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let local = s.local_addr()?;
    ///     let (r, _w) = s.into_split();
    ///     assert_eq!(r.local_addr()?, local);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together ([`OwnedReadHalf::reunite`] from this side).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (r, w) = s.into_split();
    ///     let s = w.reunite(r).unwrap();
    ///     assert!(s.nodelay().is_ok());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn reunite(self, read: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        read.reunite(self)
    }

    /// The remote address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_r, w) = s.into_split();
    ///     assert_eq!(w.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// The local address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let s = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let local = s.local_addr()?;
    ///     let (_r, w) = s.into_split();
    ///     assert_eq!(w.local_addr()?, local);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // Best effort, like closing a socket: the peer may already be gone.
            let _ = self.inner.shutdown(Shutdown::Write);
        }
    }
}

forward_read!(OwnedReadHalf, |h| h.inner);
forward_write!(OwnedWriteHalf, |h| h.inner);
