//! [`TokioIo`]: Tokio's `AsyncRead`/`AsyncWrite` traits over any `futures-io` stream
//! (feature `tokio-io`), for libraries written against Tokio's traits.
//!
//! Tokio is compiled with no features: only its traits and `ReadBuf` are used, never its
//! runtime, so such libraries run on this runtime's reactor and timers. This file has no
//! `unsafe`: reads go into `ReadBuf::initialize_unfilled` (zeroing each byte at most once per
//! buffer) and are marked filled with the safe `ReadBuf::advance`.

use futures_io::{AsyncRead, AsyncWrite};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project_lite::pin_project! {
    /// Wraps a `futures-io` stream (a [`TcpStream`](crate::net::TcpStream), a
    /// [`UnixStream`](crate::net::UnixStream), ...) so it implements
    /// `tokio::io::AsyncRead` and `tokio::io::AsyncWrite`; `poll_shutdown` is the stream's
    /// `poll_close`.
    ///
    /// tokio-postgres runs over it with `connect_raw(TokioIo::new(stream), NoTls)`: see
    /// `examples/postgres.rs` at the repository's root (a workspace member of its own, so this
    /// crate's tests do not build tokio-postgres).
    ///
    /// Used directly through Tokio's extension traits:
    ///
    /// ```
    /// use runtime::compat::tokio_io::TokioIo;
    /// use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    /// use std::future::poll_fn;
    /// use std::pin::Pin;
    ///
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = runtime::net::UnixStream::pair()?;
    /// let (mut a, mut b) = (TokioIo::new(a), TokioIo::new(b));
    /// let sent = poll_fn(|cx| Pin::new(&mut a).poll_write(cx, b"ping")).await?;
    /// assert_eq!(sent, 4);
    /// let mut storage = [0u8; 16];
    /// let mut buf = ReadBuf::new(&mut storage);
    /// while buf.filled().len() < 4 {
    ///     poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf)).await?;
    /// }
    /// assert_eq!(buf.filled(), b"ping");
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[derive(Debug)]
    pub struct TokioIo<T> {
        #[pin]
        inner: T,
    }
}

impl<T> TokioIo<T> {
    /// Wraps `inner`.
    ///
    /// ```
    /// let io = runtime::compat::tokio_io::TokioIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// ```
    pub fn new(inner: T) -> TokioIo<T> {
        TokioIo { inner }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = runtime::compat::tokio_io::TokioIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().position(), 0);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    ///
    /// ```
    /// let mut io = runtime::compat::tokio_io::TokioIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// io.get_mut().set_position(1);
    /// assert_eq!(io.get_ref().position(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// ```
    /// let io = runtime::compat::tokio_io::TokioIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.into_inner().into_inner(), vec![1]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead> tokio::io::AsyncRead for TokioIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        let capacity = unfilled.len();
        let n = ready!(self.project().inner.poll_read(cx, unfilled))?;
        if n > capacity {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "TokioIo: the reader reported {n} bytes read into a {capacity}-byte buffer"
                ),
            )));
        }
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> tokio::io::AsyncWrite for TokioIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    /// `true`: writers may hand over several slices at once; streams without a real vectored
    /// write use `futures-io`'s default (the first non-empty slice), still correct.
    fn is_write_vectored(&self) -> bool {
        true
    }
}
