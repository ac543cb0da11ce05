//! The futures-io trait impls shared by the stream sockets (`TcpStream`, its halves,
//! `UnixStream`): each macro forwards to the inherent `poll_*_priv` methods and `shutdown`.

/// Implements `futures_io::AsyncRead` for a type that reaches a stream socket through `$get`:
/// the socket needs an inherent `poll_read_priv(&self, cx, buf)`.
macro_rules! forward_read {
    ($ty:ty, |$this:ident| $get:expr) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = &*self;
                $get.poll_read_priv(cx, buf)
            }
        }
    };
}

/// Implements `futures_io::AsyncWrite` for a type that reaches a stream socket through `$get`:
/// the socket needs inherent `poll_write_priv`, `poll_write_vectored_priv` and
/// `poll_flush_priv` and `shutdown(Shutdown)`. Flush waits for what the socket holds back (only
/// a ring socket's send in flight: without the ring every write goes straight to the kernel);
/// close flushes, then shuts the write direction down.
macro_rules! forward_write {
    ($ty:ty, |$this:ident| $get:expr) => {
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = &*self;
                $get.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $this = &*self;
                $get.poll_write_vectored_priv(cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let $this = &*self;
                $get.poll_flush_priv(cx)
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let $this = &*self;
                std::task::ready!($get.poll_flush_priv(cx))?;
                std::task::Poll::Ready($get.shutdown(std::net::Shutdown::Write))
            }
        }
    };
}
pub(crate) use {forward_read, forward_write};
