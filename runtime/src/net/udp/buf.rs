//! [`UdpSocket`]'s `*_buf` receives (into a `Vec<u8>`'s spare capacity, see
//! [`crate::net::buf`]) and its `peek_sender` family.

use super::UdpSocket;
use crate::io::Interest;
use crate::net::buf::recv_into_spare;
use std::io;
use std::net::SocketAddr;

/// The sender of the next queued datagram, left in the queue.
pub(super) fn peek_sender_of(socket: &mio::net::UdpSocket) -> io::Result<SocketAddr> {
    let addr = socket2::SockRef::from(socket).peek_sender()?;
    addr.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("peek_sender: the sender's address is not IPv4/IPv6 ({addr:?})"),
        )
    })
}

/// One datagram appended to `buf`, with its sender.
fn recv_buf_from_of(
    socket: &mio::net::UdpSocket,
    buf: &mut Vec<u8>,
) -> io::Result<(usize, SocketAddr)> {
    recv_into_spare(buf, |spare| {
        let (n, addr) = socket2::SockRef::from(socket).recv_from(spare)?;
        let addr = addr.as_socket().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("recv_buf_from: the sender's address is not IPv4/IPv6 ({addr:?})"),
            )
        })?;
        Ok((n, addr))
    })
}

impl UdpSocket {
    crate::net::io_methods::io_methods! {
        /// Receives one datagram from the connected peer, appending it to `buf` (its spare
        /// capacity; a full vector first grows by 64 bytes, and a longer datagram is truncated to
        /// the room there is). Tokio's takes any `bytes::BufMut`; this a `Vec<u8>`, which is one.
        /// Any number of tasks may wait at once.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     a.send(b"vec").await?;
        ///     let mut buf = Vec::with_capacity(16);
        ///     assert_eq!(a.recv_buf(&mut buf).await?, 3);
        ///     assert_eq!(buf, b"vec");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv_buf;

        /// [`recv_buf`](Self::recv_buf) without waiting: `WouldBlock` if nothing is queued.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.connect(a.local_addr()?).await?;
        ///     let err = a.try_recv_buf(&mut Vec::new()).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_buf;

        /// Receives one datagram, appending it to `buf` as [`recv_buf`](Self::recv_buf) does, and
        /// returns its length and sender. Any number of tasks may wait at once.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     a.send_to(b"vec", a.local_addr()?).await?;
        ///     let mut buf = Vec::new();
        ///     let (n, from) = a.recv_buf_from(&mut buf).await?;
        ///     assert_eq!((n, &buf[..], from), (3, &b"vec"[..], a.local_addr()?));
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        recv_buf_from(recv_buf_from_of) -> SocketAddr;

        /// [`recv_buf_from`](Self::recv_buf_from) without waiting: `WouldBlock` if nothing is
        /// queued.
        ///
        /// ```
        /// use runtime::net::UdpSocket;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
        ///     let err = a.try_recv_buf_from(&mut Vec::new()).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_recv_buf_from(recv_buf_from_of) -> SocketAddr;
    }

    /// Waits for a datagram and returns its sender, leaving it queued. Any number of tasks may
    /// wait at once.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"who", a.local_addr()?).await?;
    ///     assert_eq!(a.peek_sender().await?, a.local_addr()?);
    ///     assert_eq!(a.recv_from(&mut [0; 8]).await?.0, 3); // still queued
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        self.io.async_io(Interest::READABLE, peek_sender_of).await
    }

    /// [`peek_sender`](Self::peek_sender) without waiting: `WouldBlock` if nothing is queued.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let err = a.try_peek_sender().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_peek_sender(&self) -> io::Result<SocketAddr> {
        self.io.try_io(Interest::READABLE, peek_sender_of)
    }
}
