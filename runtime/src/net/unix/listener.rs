//! [`UnixListener`]: accepts Unix-domain stream connections.

use super::UnixStream;
use crate::io::context::with_context;
use crate::io::poll_evented::PollEvented;
use io_driver::Interest;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

/// A Unix-domain socket listening for connections.
///
/// # Examples
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{UnixListener, UnixStream};
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-ul-{}", std::process::id()));
///     std::fs::create_dir_all(&dir)?;
///     let path = dir.join("sock");
///     # let _ = std::fs::remove_file(&path);
///     let listener = UnixListener::bind(&path)?;
///     let mut client = UnixStream::connect(&path).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     std::fs::remove_dir_all(&dir)?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates the socket file at `path` and listens on it (synchronous, like std). Fails with
    /// `AddrInUse` if the file exists; the error names the path. On Linux a path starting with
    /// a NUL byte (`"\0name"`) binds that abstract name instead (no file is created).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ulb-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let listener = runtime::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     let err = runtime::net::UnixListener::bind(&path).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let listener = super::socket_addr(path)
            .and_then(|addr| mio::net::UnixListener::bind_addr(&addr))
            .map_err(|err| with_context(err, format_args!("binding {}", super::shown(path))))?;
        Ok(UnixListener {
            io: PollEvented::new(listener)?,
        })
    }

    /// Listens on the address `addr` (std's Unix address: a path, or on Linux an abstract name
    /// made with `SocketAddrExt::from_abstract_name`); the error names the address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ulba-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let addr = std::os::unix::net::SocketAddr::from_pathname(&path)?;
    ///     let listener = runtime::net::UnixListener::bind_addr(&addr)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     let err = runtime::net::UnixListener::bind_addr(&addr).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixListener> {
        let listener = mio::net::UnixListener::bind_addr(addr)
            .map_err(|err| with_context(err, format_args!("binding {addr:?}")))?;
        Ok(UnixListener {
            io: PollEvented::new(listener)?,
        })
    }

    /// Waits for a connection. Errors such as `EMFILE` are returned and the listener stays
    /// usable. Cancel-safe. Any number of tasks may wait at once: each is woken when a
    /// connection arrives, and each connection goes to one of them.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ula-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let listener = runtime::net::UnixListener::bind(&path)?;
    ///     let _client = std::os::unix::net::UnixStream::connect(&path)?;
    ///     let (stream, _addr) = listener.accept().await?;
    ///     assert!(stream.local_addr()?.as_pathname().is_some());
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((UnixStream::from_mio(stream)?, addr))
    }

    /// Polls for a connection. Only one waker is kept (the last poller's, as for `poll_read`):
    /// to wait from several tasks at once, use [`accept`](Self::accept).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ulp-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let listener = runtime::net::UnixListener::bind(&path)?;
    ///     let _client = std::os::unix::net::UnixStream::connect(&path)?;
    ///     let accepted = std::future::poll_fn(|cx| listener.poll_accept(cx)).await;
    ///     assert!(accepted.is_ok());
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, addr) = std::task::ready!(self.io.poll_read_io(cx, |l| l.accept()))?;
        Poll::Ready(Ok((UnixStream::from_mio(stream)?, addr)))
    }

    /// The address the listener is bound to.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ull-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let listener = runtime::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Wraps a std listener (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-ulf-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    ///     let listener = runtime::net::UnixListener::from_std(std_listener)?;
    ///     assert!(listener.local_addr().is_ok());
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: PollEvented::new(mio::net::UnixListener::from_std(listener))?,
        })
    }

    /// Deregisters the listener and returns it as a std listener, still non-blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-uli-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let listener = runtime::net::UnixListener::bind(&path)?;
    ///     assert!(listener.into_std()?.local_addr().is_ok());
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner()?.into())
    }
}

/// [`UnixListener::from_std`] (which switches the listener to non-blocking itself).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let path = std::env::temp_dir().join(format!("rt-doc-ultf-{}", std::process::id()));
///     # let _ = std::fs::remove_file(&path);
///     let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
///     let listener = runtime::net::UnixListener::try_from(std_listener)?;
///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
///     std::fs::remove_file(&path)?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::os::unix::net::UnixListener> for UnixListener {
    type Error = io::Error;

    fn try_from(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        UnixListener::from_std(listener)
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("io", self.io.get_ref())
            .finish()
    }
}
