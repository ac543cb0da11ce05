//! [`UnixDatagram`]'s conversions from and to std's socket.

use super::UnixDatagram;
use std::io;

impl UnixDatagram {
    /// Wraps a std socket (switched to non-blocking here).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
    ///     let (a, b) = (runtime::net::UnixDatagram::from_std(a)?, runtime::net::UnixDatagram::from_std(b)?);
    ///     a.send(b"std").await?;
    ///     assert_eq!(b.recv(&mut [0; 4]).await?, 3);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters the socket and returns it as a std socket, still non-blocking.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
    ///     let a = a.into_std()?;
    ///     a.send(b"back")?;
    ///     assert_eq!(b.recv(&mut [0; 8]).await?, 4);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner()?.into())
    }
}

/// [`UnixDatagram::from_std`] (which switches the socket to non-blocking itself).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, _b) = std::os::unix::net::UnixDatagram::pair()?;
///     let a = runtime::net::UnixDatagram::try_from(a)?;
///     assert!(a.local_addr()?.is_unnamed());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::os::unix::net::UnixDatagram> for UnixDatagram {
    type Error = io::Error;

    fn try_from(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(socket)
    }
}
