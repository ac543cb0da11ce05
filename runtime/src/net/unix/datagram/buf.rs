//! [`UnixDatagram`]'s `*_buf` receives, into a `Vec<u8>`'s spare capacity (see
//! [`crate::net::buf`]).

use super::UnixDatagram;
use crate::net::buf::recv_into_zeroed;
use std::io;
use std::os::unix::net::SocketAddr;

/// One datagram appended to `buf`, with its sender (std's `recv_from`, which gives std's
/// address type, over zeroed room).
fn recv_buf_from_of(
    socket: &mio::net::UnixDatagram,
    buf: &mut Vec<u8>,
) -> io::Result<(usize, SocketAddr)> {
    recv_into_zeroed(buf, |room| {
        let (n, addr) = socket.recv_from(room)?;
        Ok((n, addr))
    })
}

impl UnixDatagram {
    crate::net::io_methods::io_methods! {
        /// Receives one datagram from the connected peer, appending it to `buf` (its spare
        /// capacity; a full vector first grows by 64 bytes, a longer datagram is truncated to the
        /// room there is). Tokio's takes any `bytes::BufMut`; this a `Vec<u8>`, which is one. Any
        /// number of tasks may wait at once.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"vec").await?;
        ///     let mut buf = Vec::with_capacity(16);
        ///     assert_eq!(b.recv_buf(&mut buf).await?, 3);
        ///     assert_eq!(buf, b"vec");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv_buf;

        /// [`recv_buf`](Self::recv_buf) without waiting: `WouldBlock` if nothing is queued.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (_a, b) = runtime::net::UnixDatagram::pair()?;
        ///     let err = b.try_recv_buf(&mut Vec::new()).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_buf;

        /// Receives one datagram, appending it to `buf` as [`recv_buf`](Self::recv_buf) does, and
        /// returns its length and sender. Any number of tasks may wait at once.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixDatagram::pair()?;
        ///     a.send(b"from").await?;
        ///     let mut buf = Vec::new();
        ///     let (n, from) = b.recv_buf_from(&mut buf).await?;
        ///     assert_eq!((n, &buf[..]), (4, &b"from"[..]));
        ///     assert!(from.is_unnamed());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv_buf_from(recv_buf_from_of) -> SocketAddr;

        /// [`recv_buf_from`](Self::recv_buf_from) without waiting: `WouldBlock` if nothing is
        /// queued.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (_a, b) = runtime::net::UnixDatagram::pair()?;
        ///     let err = b.try_recv_buf_from(&mut Vec::new()).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_buf_from(recv_buf_from_of) -> SocketAddr;
    }
}
