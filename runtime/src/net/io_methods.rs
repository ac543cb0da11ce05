//! The methods every registered socket forwards to its `PollEvented` in the same way, written
//! once: `io_methods!` expands, inside an `impl` block of a type with an
//! `io: PollEvented<_>` field, the methods it is given by name.
//!
//! Each socket file keeps its own rustdoc (with the runnable example for that socket type) on
//! each name; the macro supplies the signature and the one-line body. The same name always
//! gets the same signature and body, so `UdpSocket::poll_recv` and
//! `UnixDatagram::poll_recv` (or `UdpSocket::ready` and `UnixStream::ready`) cannot drift
//! apart. Methods whose bodies differ between socket types (`send_to`, `connect`, ...) stay
//! written out in their files, as do `TcpStream`'s readiness and `try_*` methods (each first
//! asks the stream's io_uring state, `net/tcp/stream/ring.rs`). `local_addr` and `peer_addr`
//! go through `sim_io`'s `LocalAddr`/`PeerAddr`, which also answer for a simulated socket.
//!
//! ```text
//! impl UdpSocket {
//!     crate::net::io_methods::io_methods! {
//!         /// Docs and example for `UdpSocket::try_recv`.
//!         try_recv;
//!         /// Docs and example; names carrying an address give its type.
//!         try_recv_from -> SocketAddr;
//!         /// Docs; `recv_buf_from` also names the function that receives one datagram.
//!         recv_buf_from(recv_buf_from_of) -> SocketAddr;
//!     }
//! }
//! ```

/// Expands the named forwarding methods; see the module documentation.
///
/// Names: readiness (any socket) `ready`, `readable`, `writable`, `try_io`, `async_io`,
/// `poll_read_ready`/`poll_recv_ready`, `poll_write_ready`/`poll_send_ready`; streams
/// `try_read`, `try_write`, `try_read_vectored`, `try_write_vectored`, `try_read_buf`, and
/// `poll_priv` (the crate-private `poll_read_priv`, `poll_write_priv` and
/// `poll_write_vectored_priv`); datagrams `send`, `recv`, `try_send`, `try_recv`, `poll_send`,
/// `poll_recv`, `recv_buf`, `try_recv_buf`, with `-> Addr` `recv_from`, `try_recv_from`,
/// `poll_recv_from`, `local_addr`, `peer_addr`, and with `(receive_fn) -> Addr`
/// `recv_buf_from`, `try_recv_buf_from`.
macro_rules! io_methods {
    // Each `#[doc]`s-then-name entry goes to the `@name` arm below that writes it.
    ($($(#[$m:meta])* $name:ident $(($recv:path))? $(-> $addr:ty)?;)*) => {
        $($crate::net::io_methods::io_methods! { @$name [$(#[$m])*] $(($recv))? $(-> $addr)? })*
    };

    // ---- readiness, any socket ----
    (@ready [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn ready(
            &self,
            interest: $crate::io::Interest,
        ) -> std::io::Result<$crate::io::Ready> {
            self.io.ready_flags(interest).await
        }
    };
    (@readable [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn readable(&self) -> std::io::Result<()> {
            self.io.ready($crate::io::Interest::READABLE).await.map(drop)
        }
    };
    (@writable [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn writable(&self) -> std::io::Result<()> {
            self.io.ready($crate::io::Interest::WRITABLE).await.map(drop)
        }
    };
    (@try_io [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_io<R>(
            &self,
            interest: $crate::io::Interest,
            f: impl FnOnce() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.try_io(interest, |_| f())
        }
    };
    (@async_io [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn async_io<R>(
            &self,
            interest: $crate::io::Interest,
            mut f: impl FnMut() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.async_io(interest, |_| f()).await
        }
    };
    // Streams say read/write, datagram sockets recv/send: one body under either name.
    (@poll_read_ready $m:tt) => {
        $crate::net::io_methods::io_methods! { @read_ready poll_read_ready $m }
    };
    (@poll_recv_ready $m:tt) => {
        $crate::net::io_methods::io_methods! { @read_ready poll_recv_ready $m }
    };
    (@read_ready $name:ident [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn $name(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io.poll_read_ready(cx).map_ok(drop)
        }
    };
    (@poll_write_ready $m:tt) => {
        $crate::net::io_methods::io_methods! { @write_ready poll_write_ready $m }
    };
    (@poll_send_ready $m:tt) => {
        $crate::net::io_methods::io_methods! { @write_ready poll_send_ready $m }
    };
    (@write_ready $name:ident [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn $name(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io.poll_write_ready(cx).map_ok(drop)
        }
    };

    // ---- streams ----
    (@try_read [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.io
                .try_io($crate::io::Interest::READABLE, |mut s| std::io::Read::read(&mut s, buf))
        }
    };
    (@try_write [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
            self.io
                .try_io($crate::io::Interest::WRITABLE, |mut s| std::io::Write::write(&mut s, buf))
        }
    };
    (@try_read_vectored [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_read_vectored(
            &self,
            bufs: &mut [std::io::IoSliceMut<'_>],
        ) -> std::io::Result<usize> {
            self.io.try_io($crate::io::Interest::READABLE, |mut s| {
                std::io::Read::read_vectored(&mut s, bufs)
            })
        }
    };
    (@try_write_vectored [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            self.io.try_write_vectored(bufs)
        }
    };
    (@try_read_buf [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_read_buf(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
            self.io.try_io($crate::io::Interest::READABLE, |s| {
                $crate::net::buf::recv_appended(s, buf)
            })
        }
    };

    // The crate-private polls behind a stream's `AsyncRead`/`AsyncWrite` (see `net::forward`).
    (@poll_priv []) => {
        pub(crate) fn poll_read_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_read(cx, buf)
        }

        pub(crate) fn poll_write_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_write(cx, buf)
        }

        pub(crate) fn poll_write_vectored_priv(
            &self,
            cx: &mut std::task::Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_write_vectored(cx, bufs)
        }

        /// Nothing to flush: every write went straight to the kernel.
        pub(crate) fn poll_flush_priv(
            &self,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::task::Poll::Ready(Ok(()))
        }
    };

    // ---- datagrams, connected peer ----
    (@send [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn send(&self, buf: &[u8]) -> std::io::Result<usize> {
            self.io
                .async_io($crate::io::Interest::WRITABLE, |s| s.send(buf))
                .await
        }
    };
    (@recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn recv(&self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.io
                .async_io($crate::io::Interest::READABLE, |s| s.recv(buf))
                .await
        }
    };
    (@try_send [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_send(&self, buf: &[u8]) -> std::io::Result<usize> {
            self.io.try_io($crate::io::Interest::WRITABLE, |s| s.send(buf))
        }
    };
    (@try_recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_recv(&self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.io.try_io($crate::io::Interest::READABLE, |s| s.recv(buf))
        }
    };
    (@poll_send [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn poll_send(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_write_io(cx, |s| s.send(buf))
        }
    };
    (@poll_recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn poll_recv(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.io.poll_read_io(cx, |s| s.recv(buf))
        }
    };
    (@recv_buf [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn recv_buf(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
            self.io
                .async_io($crate::io::Interest::READABLE, |s| {
                    $crate::net::buf::recv_appended(s, buf)
                })
                .await
        }
    };
    (@try_recv_buf [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_recv_buf(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
            self.io.try_io($crate::io::Interest::READABLE, |s| {
                $crate::net::buf::recv_appended(s, buf)
            })
        }
    };

    // ---- datagrams, with the sender's address (`$addr`, the socket type's own) ----
    (@recv_from [$(#[$m:meta])*] -> $addr:ty) => {
        $(#[$m])*
        pub async fn recv_from(&self, buf: &mut [u8]) -> std::io::Result<(usize, $addr)> {
            self.io
                .async_io($crate::io::Interest::READABLE, |s| s.recv_from(buf))
                .await
        }
    };
    (@try_recv_from [$(#[$m:meta])*] -> $addr:ty) => {
        $(#[$m])*
        pub fn try_recv_from(&self, buf: &mut [u8]) -> std::io::Result<(usize, $addr)> {
            self.io
                .try_io($crate::io::Interest::READABLE, |s| s.recv_from(buf))
        }
    };
    (@poll_recv_from [$(#[$m:meta])*] -> $addr:ty) => {
        $(#[$m])*
        pub fn poll_recv_from(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<std::io::Result<(usize, $addr)>> {
            self.io.poll_read_io(cx, |s| s.recv_from(buf))
        }
    };
    (@recv_buf_from [$(#[$m:meta])*] ($recv:path) -> $addr:ty) => {
        $(#[$m])*
        pub async fn recv_buf_from(
            &self,
            buf: &mut Vec<u8>,
        ) -> std::io::Result<(usize, $addr)> {
            self.io
                .async_io($crate::io::Interest::READABLE, |s| $recv(s, buf))
                .await
        }
    };
    (@try_recv_buf_from [$(#[$m:meta])*] ($recv:path) -> $addr:ty) => {
        $(#[$m])*
        pub fn try_recv_buf_from(&self, buf: &mut Vec<u8>) -> std::io::Result<(usize, $addr)> {
            self.io
                .try_io($crate::io::Interest::READABLE, |s| $recv(s, buf))
        }
    };
    (@local_addr [$(#[$m:meta])*] -> $addr:ty) => {
        $(#[$m])*
        pub fn local_addr(&self) -> std::io::Result<$addr> {
            $crate::net::sim_io::LocalAddr::local_addr(&self.io)
        }
    };
    (@peer_addr [$(#[$m:meta])*] -> $addr:ty) => {
        $(#[$m])*
        pub fn peer_addr(&self) -> std::io::Result<$addr> {
            $crate::net::sim_io::PeerAddr::peer_addr(&self.io)
        }
    };
}

pub(crate) use io_methods;
