//! [`UdpSocket`]'s multicast loop/TTL, `IP_TOS` and `IPV6_TCLASS` options, and its
//! `TryFrom<std::net::UdpSocket>`.

use super::UdpSocket;
use std::io;

impl UdpSocket {
    /// Whether multicast datagrams this socket sends to IPv4 groups are looped back to local
    /// sockets (`IP_MULTICAST_LOOP`; on by default).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_multicast_loop_v4(false)?;
    ///     assert!(!socket.multicast_loop_v4()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io
            .real("IP_MULTICAST_LOOP")?
            .get_ref()
            .multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_LOOP` (see [`multicast_loop_v4`](Self::multicast_loop_v4)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_multicast_loop_v4(true)?;
    ///     assert!(socket.multicast_loop_v4()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io
            .real("IP_MULTICAST_LOOP")?
            .get_ref()
            .set_multicast_loop_v4(on)
    }

    /// The time-to-live of multicast datagrams sent to IPv4 groups (`IP_MULTICAST_TTL`; 1 by
    /// default: they stay on the local network).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_eq!(socket.multicast_ttl_v4()?, 1);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io
            .real("IP_MULTICAST_TTL")?
            .get_ref()
            .multicast_ttl_v4()
    }

    /// Sets `IP_MULTICAST_TTL` (see [`multicast_ttl_v4`](Self::multicast_ttl_v4)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_multicast_ttl_v4(8)?;
    ///     assert_eq!(socket.multicast_ttl_v4()?, 8);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io
            .real("IP_MULTICAST_TTL")?
            .get_ref()
            .set_multicast_ttl_v4(ttl)
    }

    /// Whether multicast datagrams sent to IPv6 groups are looped back (`IPV6_MULTICAST_LOOP`;
    /// an IPv6 socket's option, an error on an IPv4 socket).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let Ok(socket) = runtime::net::UdpSocket::bind("[::1]:0").await else {
    ///         return Ok(()); // no IPv6 on this machine
    ///     };
    ///     socket.set_multicast_loop_v6(false)?;
    ///     assert!(!socket.multicast_loop_v6()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io
            .real("IPV6_MULTICAST_LOOP")?
            .get_ref()
            .multicast_loop_v6()
    }

    /// Sets `IPV6_MULTICAST_LOOP` (see [`multicast_loop_v6`](Self::multicast_loop_v6)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let Ok(socket) = runtime::net::UdpSocket::bind("[::1]:0").await else {
    ///         return Ok(()); // no IPv6 on this machine
    ///     };
    ///     socket.set_multicast_loop_v6(true)?;
    ///     assert!(socket.multicast_loop_v6()?);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io
            .real("IPV6_MULTICAST_LOOP")?
            .get_ref()
            .set_multicast_loop_v6(on)
    }

    /// The `IP_TOS` byte sent in the header of this IPv4 socket's datagrams.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_tos_v4(0x10)?;
    ///     assert_eq!(socket.tos_v4()?, 0x10);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn tos_v4(&self) -> io::Result<u32> {
        self.io.real("IP_TOS")?;
        socket2::SockRef::from(self).tos()
    }

    /// Sets `IP_TOS` (see [`tos_v4`](Self::tos_v4)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_tos_v4(0x08)?;
    ///     assert_eq!(socket.tos_v4()?, 0x08);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        self.io.real("IP_TOS")?;
        socket2::SockRef::from(self).set_tos(tos)
    }

    /// The older name of [`tos_v4`](Self::tos_v4), deprecated as in Tokio.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_tos(0x04)?;
    ///     assert_eq!(socket.tos()?, 0x04);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[deprecated = "use `tos_v4()` instead"]
    pub fn tos(&self) -> io::Result<u32> {
        self.tos_v4()
    }

    /// The older name of [`set_tos_v4`](Self::set_tos_v4), deprecated as in Tokio.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_tos(0x10)?;
    ///     assert_eq!(socket.tos_v4()?, 0x10);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[deprecated = "use `set_tos_v4()` instead"]
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        self.set_tos_v4(tos)
    }

    /// The `IPV6_TCLASS` traffic class of this IPv6 socket's datagrams (Linux and Android).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let Ok(socket) = runtime::net::UdpSocket::bind("[::1]:0").await else {
    ///         return Ok(()); // no IPv6 on this machine
    ///     };
    ///     socket.set_tclass_v6(0x20)?;
    ///     assert_eq!(socket.tclass_v6()?, 0x20);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn tclass_v6(&self) -> io::Result<u32> {
        self.io.real("IPV6_TCLASS")?;
        socket2::SockRef::from(self).tclass_v6()
    }

    /// Sets `IPV6_TCLASS` (see [`tclass_v6`](Self::tclass_v6)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let Ok(socket) = runtime::net::UdpSocket::bind("[::1]:0").await else {
    ///         return Ok(()); // no IPv6 on this machine
    ///     };
    ///     socket.set_tclass_v6(0x28)?;
    ///     assert_eq!(socket.tclass_v6()?, 0x28);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        self.io.real("IPV6_TCLASS")?;
        socket2::SockRef::from(self).set_tclass_v6(tclass)
    }
}

/// [`UdpSocket::from_std`] (which switches the socket to non-blocking itself).
///
/// ```
/// use runtime::net::UdpSocket;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
///     let addr = std_socket.local_addr()?;
///     assert_eq!(UdpSocket::try_from(std_socket)?.local_addr()?, addr);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::net::UdpSocket> for UdpSocket {
    type Error = io::Error;

    fn try_from(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        UdpSocket::from_std(socket)
    }
}
