//! [`TcpStream`]'s `SO_LINGER` options and its `TryFrom<std::net::TcpStream>`.

use super::TcpStream;
use std::io;
use std::time::Duration;

impl TcpStream {
    /// The `SO_LINGER` setting: `None` when closing returns at once (the kernel sends what is
    /// queued in the background), `Some(d)` when it is set.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.linger()?, None);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.io.real("SO_LINGER")?;
        socket2::SockRef::from(self).linger()
    }

    /// Sets `SO_LINGER`. With `Some(d)` for a non-zero `d`, dropping the stream blocks the
    /// dropping thread (a worker!) for up to `d` while unsent data drains: deprecated for that
    /// reason, as in Tokio. Use [`set_zero_linger`](Self::set_zero_linger) for an abortive
    /// close, or `set_linger(None)` to restore the default.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_linger(Some(std::time::Duration::from_secs(1)))?;
    ///     assert_eq!(stream.linger()?, Some(std::time::Duration::from_secs(1)));
    ///     stream.set_linger(None)?;
    ///     assert_eq!(stream.linger()?, None);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[deprecated = "`SO_LINGER` causes the socket to block the thread on drop"]
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        self.io.real("SO_LINGER")?;
        socket2::SockRef::from(self).set_linger(dur)
    }

    /// Sets a zero `SO_LINGER`: dropping the stream then aborts the connection (the peer gets
    /// a reset, unsent data is discarded, no `TIME_WAIT`) without blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_zero_linger()?;
    ///     assert_eq!(stream.linger()?, Some(std::time::Duration::ZERO));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.io.real("SO_LINGER")?;
        socket2::SockRef::from(self).set_linger(Some(Duration::ZERO))
    }
}

/// [`TcpStream::from_std`]: registers the stream with the current runtime's reactor (an error
/// outside a runtime). Unlike Tokio, which leaves non-blocking mode to the caller, it switches
/// the stream to non-blocking itself, so a blocking std stream converts correctly.
///
/// ```
/// use runtime::net::TcpStream;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
///     let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
///     let stream = TcpStream::try_from(std_stream)?;
///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::net::TcpStream> for TcpStream {
    type Error = io::Error;

    fn try_from(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        TcpStream::from_std(stream)
    }
}
