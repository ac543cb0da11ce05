//! [`UnixStream`]: a connected Unix-domain stream socket.

mod readiness;

use crate::io::context::with_context;
use crate::io::poll_evented::PollEvented;
use crate::net::forward::{forward_read, forward_write};
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// A Unix-domain stream; implements [`AsyncRead`](crate::io::AsyncRead) and
/// [`AsyncWrite`](crate::io::AsyncWrite), also through `&UnixStream`.
///
/// # Examples
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut a, mut b) = runtime::net::UnixStream::pair()?;
///     a.write_all(b"over the pair").await?;
///     a.close().await?;
///     let mut text = String::new();
///     b.read_to_string(&mut text).await?;
///     assert_eq!(text, "over the pair");
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`; errors name the path (`NotFound` if there is no
    /// socket file, `ConnectionRefused` if nobody listens). On Linux a path starting with a
    /// NUL byte (`"\0name"`) names an abstract socket.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let err = runtime::net::UnixStream::connect("/no/such/socket").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("/no/such/socket"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        UnixStream::connect_path(path)
            .await
            .map_err(|err| with_context(err, format_args!("connecting to {}", super::shown(path))))
    }

    async fn connect_path(path: &Path) -> io::Result<UnixStream> {
        let addr = super::socket_addr(path)?;
        let stream = UnixStream::from_mio(mio::net::UnixStream::connect_addr(&addr)?)?;
        std::future::poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
        if let Some(err) = stream.io.get_ref().take_error()? {
            return Err(err);
        }
        Ok(stream)
    }

    pub(crate) fn from_mio(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// A connected pair of unnamed sockets.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = runtime::net::UnixStream::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    /// Wraps a std stream (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    ///     let a = runtime::net::UnixStream::from_std(a)?;
    ///     assert!(a.local_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream, still non-blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = runtime::net::UnixStream::pair()?;
    ///     assert!(a.into_std()?.peer_addr().is_ok());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner()?.into())
    }

    /// The local address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = runtime::net::UnixStream::pair()?;
    ///     assert!(a.local_addr()?.is_unnamed());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = runtime::net::UnixStream::pair()?;
    ///     assert!(a.peer_addr()?.as_pathname().is_none());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    crate::net::io_methods::io_methods! {
        /// Waits until the stream is readable (may be spurious: follow with
        /// [`try_read`](Self::try_read)).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"!")?;
        ///     a.readable().await?;
        ///     assert_eq!(a.try_read(&mut [0; 4])?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        readable;

        /// Waits until the stream is writable.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixStream::pair()?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_write(b"ok")?, 2);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        writable;

        /// Reads without waiting (`WouldBlock` if nothing is available; `Ok(0)` at end-of-file).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixStream::pair()?;
        ///     let err = a.try_read(&mut [0; 4]).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_read;

        /// Writes without waiting (`WouldBlock` if the buffer is full).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixStream::pair()?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_write(b"data")?, 4);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_write;
    }

    /// Shuts down the read half, the write half (the peer reads end-of-file) or both.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, mut b) = runtime::net::UnixStream::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     assert_eq!(b.read(&mut [0; 4]).await?, 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    crate::net::io_methods::io_methods! { poll_priv; }
}

forward_read!(UnixStream, |s| s);
forward_write!(UnixStream, |s| s);
forward_read!(&UnixStream, |s| *s);
forward_write!(&UnixStream, |s| *s);

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("io", self.io.get_ref())
            .finish()
    }
}
